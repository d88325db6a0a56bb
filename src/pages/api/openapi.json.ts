import { json, route } from '../../server/http/errors.ts';
import { openApiDocument } from '../../server/http/openapi.ts';

// GET /api/openapi.json — the HTTP API, generated from the routes' zod schemas (readable at /api-docs).
export const GET = route(({ url }) => json(openApiDocument(url.origin)));
