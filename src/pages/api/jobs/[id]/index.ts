import { json, parseId, route } from '../../../../lib/http/errors.ts';
import { getJobJson } from '../../../../lib/jobs/service.ts';

export const GET = route(({ params }) => json({ job: getJobJson(parseId(params.id, 'Job')) }));
