import path from 'node:path';
import { app, models } from '../../server/app/context.ts';
import { ApiError, route } from '../../server/http/errors.ts';
import { fileResponse, PUBLIC_IMMUTABLE } from '../../server/http/files.ts';
import { isUsable } from '../../server/models/status.ts';

// GET /models/<file>?v=<version> — browser-side model files from our own origin. The version in the
// URL changes with the file, so the response can be cached for good.
export const GET = route(async ({ params, url, request }) => {
  const status = (await models()).find((m) => m.file === params.file && m.side === 'browser');
  if (!status) throw new ApiError(404, 'not_found', 'No such model file.');
  if (!isUsable(status)) throw new ApiError(503, 'model_missing', status.message ?? 'The model is not installed.');
  const type = 'application/octet-stream';
  const cache = url.searchParams.get('v') === status.version ? PUBLIC_IMMUTABLE : 'no-cache';
  return fileResponse(path.join(app().config.modelsDir, status.file), type, cache, request.headers.get('accept-encoding'));
});
