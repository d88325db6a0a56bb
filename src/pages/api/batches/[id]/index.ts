import { batchJson } from '../../../../server/batches/service.ts';
import { json, parseId, route } from '../../../../server/http/errors.ts';

// GET /api/batches/:id → {batch}: its photos (selection, pose, excluded, jobs by state, results) and counts.
export const GET = route(({ params }) => json({ batch: batchJson(parseId(params.id, 'Batch')) }));
