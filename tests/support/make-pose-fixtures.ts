// Writes src/lib/sam/__fixtures__/poses.json: the pose the studio detects (real MediaPipe pose model, in
// Chromium, completed as the app does) on each fixture photo, for the auto-select unit tests. Run after a build:
//   node tests/support/make-pose-fixtures.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import { ownerState } from './e2e-sign-in.ts';
import { photosDir, ROOT } from './paths.ts';
import { startServer } from './server.ts';
import { readdirSync, readFileSync } from 'node:fs';

const server = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const context = await browser.newContext({ storageState: (await ownerState(server.url)) as never });
const out: Record<string, unknown> = {};
try {
  for (const file of readdirSync(photosDir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()) {
    const form = new FormData();
    form.append('image', new Blob([readFileSync(path.join(photosDir, file))]), file);
    const { session } = await (await fetch(`${server.url}/api/images`, { method: 'POST', body: form })).json();
    const page = await context.newPage();
    await page.goto(`${server.url}/s/${session.id}`);
    let pose: unknown = null;
    for (let i = 0; i < 120 && !pose; i++) {
      const res = await fetch(`${server.url}/api/sessions/${session.id}/pose`);
      if (res.ok) pose = (await res.json()).pose;
      else await new Promise((r) => setTimeout(r, 250));
    }
    await page.close();
    out[file] = { width: session.image.width, height: session.image.height, pose };
    console.log(file, pose ? (pose as { origin: string }).origin : 'no pose');
  }
} finally {
  await browser.close();
  await server.stop();
}
writeFileSync(path.join(ROOT, 'src/lib/sam/__fixtures__/poses.json'), `${JSON.stringify(out)}\n`);
