// The start-up sweep removes the files a crash leaves without rows, and nothing a row points at.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTempApp, type TempApp } from '../../../tests/support/temp-app.ts';
import { bandMask, storePhoto } from '../../../tests/support/stored-photo.ts';
import { createSessionFromUpload, flushSupersededMasks, maskBlobKey, saveMask } from '../sessions/service.ts';
import { sweepOrphans } from './sweep.ts';

let app: TempApp;
beforeEach(() => {
  app = openTempApp();
});
afterEach(() => app.close());

it('removes result and session files no row points at, keeps the current mask and conflict copies', async () => {
  const photo = await storePhoto(app, 64, 48);
  const s = await createSessionFromUpload(photo.bytes, 'shirt.jpg');
  await saveMask(s.id, (await bandMask(64, 48, 0, 10)).png);
  await saveMask(s.id, (await bandMask(64, 48, 5, 20)).png);
  await flushSupersededMasks();
  const current = maskBlobKey(s.id)!;
  // What a crash between a file and its row leaves: a mask written but never committed, a result likewise.
  await app.blobs.put(`sessions/${s.id}/mask-3-crashed.png`, Buffer.from('x'));
  await app.blobs.put('results/job1/r1.png', Buffer.from('x'));
  expect(await sweepOrphans(app.db, app.blobs)).toEqual({ results: 1, sessionFiles: 1, interruptedPuts: 0 });
  expect(await app.blobs.list(`sessions/${s.id}`)).toEqual([current]);
  expect(await app.blobs.list('results')).toEqual([]);
  expect(await sweepOrphans(app.db, app.blobs)).toEqual({ results: 0, sessionFiles: 0, interruptedPuts: 0 });
});
