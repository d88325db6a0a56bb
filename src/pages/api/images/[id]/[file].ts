import { app } from '../../../../server/app/context.ts';
import { badRequest, notFound, parseId, route } from '../../../../server/http/errors.ts';
import { blobResponse, IMMUTABLE } from '../../../../server/http/files.ts';
import { uprightPngStream } from '../../../../server/images/original.ts';
import { getImage, imageKeys } from '../../../../server/sessions/service.ts';

const FILES = {
  'photo.jpg': ['display', 'image/jpeg'],
  'thumb.jpg': ['thumb', 'image/jpeg'],
  'embedding.npy': ['embedding', 'application/octet-stream'],
} as const;

// GET /api/images/:id/(photo.jpg|thumb.jpg|original.png|embedding.npy) — immutable per id.
// original.png: the upright full-resolution photo without metadata, encoded from the stored upload on demand.
export const GET = route(async ({ params }) => {
  const id = parseId(params.id, 'Photo');
  if (params.file === 'original.png') {
    const png = await uprightPngStream(app().blobs, getImage(id));
    if (!png) throw notFound('The file');
    const length: Record<string, string> = png.size === null ? {} : { 'content-length': String(png.size) };
    return new Response(png.stream, { headers: { 'content-type': 'image/png', 'cache-control': IMMUTABLE, ...length } });
  }
  const entry = FILES[params.file as keyof typeof FILES];
  if (!entry) throw badRequest('unknown_file', `Unknown photo file "${params.file}".`);
  getImage(id);
  return blobResponse(imageKeys(id)[entry[0]], entry[1], IMMUTABLE);
});
