// Request bodies of the result routes, shared by the route, the browser and the OpenAPI document.
import { z } from 'zod';

/** PUT /api/results/:id/pose-check: the pose error the browser measured (src/lib/pose/error.ts). */
export const PoseCheckRequest = z.strictObject({ error: z.number().min(0).max(100), joints: z.number().int().min(4).max(18) });
