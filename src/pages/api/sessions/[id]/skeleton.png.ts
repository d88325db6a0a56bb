import { ApiError, parseId, route } from '../../../../server/http/errors.ts';
import { MAX_SKELETON_SIDE, requirePose, skeletonPng, skeletonSize } from '../../../../server/sessions/pose.ts';

function side(url: URL, name: 'width' | 'height'): number | null {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return null;
  const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= MAX_SKELETON_SIDE)) {
    throw new ApiError(
      400,
      'invalid_size',
      `${name} must be a whole number of pixels from 1 to ${MAX_SKELETON_SIDE} (got "${v.slice(0, 20)}").`,
    );
  }
  return n;
}

// GET /api/sessions/:id/skeleton.png[?width=&height=] — the saved pose as ControlNet's OpenPose
// skeleton. Default size: the photo's (longer side at most MAX_SKELETON_SIDE); one side given: the
// other keeps the photo's aspect. 404 no_pose when no pose was saved.
export const GET = route(async ({ params, url, request }) => {
  const id = parseId(params.id, 'Session');
  const width = side(url, 'width');
  const height = side(url, 'height');
  const saved = requirePose(id);
  const size = skeletonSize(saved.pose, width, height);
  const etag = `"pose-${saved.rev}-${size.width}x${size.height}"`;
  const headers = { etag, 'cache-control': 'no-cache', 'x-pose-rev': String(saved.rev) };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const png = await skeletonPng(saved.pose, size.width, size.height);
  return new Response(new Uint8Array(png), {
    headers: { ...headers, 'content-type': 'image/png', 'content-length': String(png.byteLength) },
  });
});
