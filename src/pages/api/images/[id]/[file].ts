import { badRequest, parseId, route } from '../../../../lib/http/errors.ts';
import { blobResponse, IMMUTABLE } from '../../../../lib/http/files.ts';
import { getImage, imageKeys } from '../../../../lib/sessions/service.ts';

const FILES = {
  'photo.jpg': ['display', 'image/jpeg'],
  'thumb.jpg': ['thumb', 'image/jpeg'],
  'original.png': ['original', 'image/png'],
  'embedding.npy': ['embedding', 'application/octet-stream'],
} as const;

// GET /api/images/:id/(photo.jpg|thumb.jpg|original.png|embedding.npy) — immutable per id.
export const GET = route(async ({ params }) => {
  const id = parseId(params.id, 'Photo');
  const entry = FILES[params.file as keyof typeof FILES];
  if (!entry) throw badRequest('unknown_file', `Unknown photo file "${params.file}".`);
  getImage(id);
  return blobResponse(imageKeys(id)[entry[0]], entry[1], IMMUTABLE);
});
