// Auto-select after the embedding is on the device: the proposal's own time in the page (prompt from the pose,
// decoder run with candidates, choice, clean-up at decode size, full-resolution mask, overlay), for each fixture
// photo (768×1024 and a 12 MP copy) and each garment kind. The first proposal of a photo also waits for the pose
// step's body; that wait is not counted (the figure is stage.dataset.autoMs, set around the worker request).
//
//   node bench/auto-select.ts [--photos 10] [--no-12mp]
import { parseArgs } from 'node:util';
import {
  fixturePhotos,
  launchChromium,
  machineLine,
  make12MpJpeg,
  printTable,
  signIn,
  startBenchServer,
  stats,
  tempPhotoDir,
  uploadFile,
  VIEWPORT,
  MODELS_OPTION,
  useModels,
} from './lib.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    photos: { type: 'string', default: '10' },
    'no-12mp': { type: 'boolean', default: false },
  },
});
useModels(args.models);
const KINDS = ['top', 'bottom', 'dress', 'outer', 'outfit'];

console.log(machineLine());
const server = await startBenchServer();
const browser = await launchChromium();
const tmp = tempPhotoDir();
const rows: (string | number)[][] = [];
try {
  const names = fixturePhotos().slice(0, Number(args.photos));
  const sets: { label: string; files: string[] }[] = [{ label: 'fixture size', files: names }];
  if (!args['no-12mp']) sets.push({ label: '12 MP', files: await Promise.all(names.map((n) => make12MpJpeg(tmp.dir, n))) });
  for (const set of sets) {
    const first: number[] = [];
    const again: number[] = [];
    const states: Record<string, number> = {};
    for (const file of set.files) {
      const up = await uploadFile(server.url, file);
      const context = await browser.newContext({ viewport: VIEWPORT });
      await signIn(context, server.url);
      const page = await context.newPage();
      await page.goto(`${server.url}/s/${up.sessionId}`);
      const status = page.getByTestId('auto-select-status');
      const stage = page.getByTestId('editor-stage');
      const settledState = async () => {
        await page.waitForFunction(
          () => /^(done|check|failed)$/.test(document.querySelector('[data-testid=auto-select-status]')?.getAttribute('data-state') ?? ''),
          undefined,
          { timeout: 90_000 },
        );
        return (await status.getAttribute('data-state'))!;
      };
      const s = await settledState();
      states[s] = (states[s] ?? 0) + 1;
      first.push(Number(await stage.getAttribute('data-auto-ms')));
      for (const kind of KINDS) {
        if ((await page.getByTestId(`garment-kind-${kind}`).getAttribute('aria-pressed')) === 'true') continue;
        await page.getByTestId(`garment-kind-${kind}`).click();
        await page.waitForFunction(
          () => document.querySelector('[data-testid=auto-select-status]')?.getAttribute('data-state') === 'working',
        );
        await settledState();
        again.push(Number(await stage.getAttribute('data-auto-ms')));
      }
      await context.close();
    }
    for (const [label, values] of [
      ['first proposal', first],
      ['another kind', again],
      ['all', [...first, ...again]],
    ] as const) {
      const st = stats([...values]);
      rows.push([set.label, label, st.n, st.p50.toFixed(0), st.p95.toFixed(0), st.max.toFixed(0)]);
    }
    console.log(`${set.label}: proposals ${JSON.stringify(states)} (first proposal of each photo)`);
  }
  printTable([['photo', 'proposal', 'n', 'p50 ms', 'p95 ms', 'max ms'], ...rows]);
} finally {
  await browser.close();
  await server.stop();
  tmp.remove();
}
