import { cancelBatch } from '../../../../server/batches/service.ts';
import { json, parseId, route } from '../../../../server/http/errors.ts';

// POST /api/batches/:id/cancel → {batch}: queued and running jobs cancelled; finished results kept.
export const POST = route(async ({ params }) => json({ batch: await cancelBatch(parseId(params.id, 'Batch')) }));
