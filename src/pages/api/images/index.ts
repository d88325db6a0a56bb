import { app, assertDiskRoom } from '../../../server/app/context.ts';
import { actorOf } from '../../../server/auth/request.ts';
import { assertStorageRoom, takeUploadTurn } from '../../../server/auth/quotas.ts';
import { discardBody } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';
import { receiveFile } from '../../../server/http/multipart.ts';
import { withUploadSlot } from '../../../server/http/upload-slots.ts';
import { uploadWorkDir } from '../../../server/images/upload-leftovers.ts';
import { createSessionFromUpload } from '../../../server/sessions/service.ts';

// POST /api/images (multipart, field "image") → 201 {session, image, embedding}
// The body goes to a temp file (removed when the request ends, whatever happened); beyond
// ATELIER_MAX_UPLOADS uploads at once the answer is 503 with Retry-After.
export const POST = route(async ({ request, locals }) => {
  const ctx = app();
  const { config } = ctx;
  const { workspaceId } = actorOf(locals);
  try {
    assertDiskRoom(); // refused before the body is read: a full disk cannot take a photo
    takeUploadTurn(ctx, workspaceId);
    await assertStorageRoom(ctx, workspaceId);
    return await withUploadSlot(config.maxUploads, async () => {
      const file = await receiveFile(request, 'image', { maxBytes: config.maxUploadBytes, dir: uploadWorkDir(config.dataDir) });
      try {
        const session = await createSessionFromUpload(file, file.filename, workspaceId);
        return json({ session, image: session.image, embedding: session.embedding }, 201, { location: `/api/sessions/${session.id}` });
      } finally {
        await file.remove();
      }
    });
  } catch (err) {
    // Answered before the body was read (busy, declared too large, not multipart): read the rest so the answer arrives.
    discardBody(request);
    throw err;
  }
});
