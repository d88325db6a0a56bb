import { json, parseId, route } from '../../../../server/http/errors.ts';
import { getJobJson } from '../../../../server/jobs/service.ts';

export const GET = route(({ params }) => json({ job: getJobJson(parseId(params.id, 'Job')) }));
