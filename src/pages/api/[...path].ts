import { ApiError, route } from '../../server/http/errors.ts';

// Any /api path no route matches: JSON, like every other API answer.
const unknown = route(({ request, url }) => {
  throw new ApiError(404, 'not_found', `No API endpoint ${request.method} ${url.pathname}.`);
});
export const GET = unknown;
export const POST = unknown;
export const PUT = unknown;
export const DELETE = unknown;
export const PATCH = unknown;
