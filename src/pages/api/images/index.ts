import { app, assertDiskRoom } from '../../../lib/app/context.ts';
import { json, route } from '../../../lib/http/errors.ts';
import { readSingleFile } from '../../../lib/http/multipart.ts';
import { createSessionFromUpload } from '../../../lib/sessions/service.ts';

// POST /api/images (multipart, field "image") → 201 {session, image, embedding}
export const POST = route(async ({ request }) => {
  assertDiskRoom(); // refused before the body is read: a full disk cannot take a photo

  const file = await readSingleFile(request, 'image', app().config.maxUploadBytes);
  const session = await createSessionFromUpload(file.bytes, file.filename);
  return json({ session, image: session.image, embedding: session.embedding }, 201, { location: `/api/sessions/${session.id}` });
});
