// `npm run models` — puts every model file of models/manifest.json into ATELIER_MODELS_DIR, verified.
//
//   node models/fetch.ts [--mirror DIR] [--skip-unavailable] [--only sam|pose] [--offline] [--timeout SECONDS]
//
// Per file: already present and verified → ok; else copy from the mirror folder (--mirror or
// ATELIER_MODELS_MIRROR); else download the manifest URL; pose bundles are built from the
// @mediapipe/pose npm package. Every file is written under a temporary name and renamed into place
// only once its size and sha256 match. Exit 0 when everything is present; 1 when something is
// missing (with --skip-unavailable missing files only warn) or when any checksum does not match.
import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { MANIFEST, partialPath, verifyModelFile, writeFileAtomic, type ModelEntry } from '../src/server/models/manifest.ts';
import { ModelSourceError, buildPoseTaskBundle } from './build-pose.ts';

/** What became of one file. `mismatch` and `error` always fail the run; `unavailable` fails it unless skipped. */
export type FetchStatus = 'ok' | 'copied' | 'downloaded' | 'built' | 'unavailable' | 'mismatch' | 'error';

export interface DownloadOutcome {
  status: 'downloaded' | 'unavailable' | 'mismatch';
  detail: string;
}

export interface DownloadOptions {
  /** Give up when no response headers arrive within this time. */
  connectTimeoutMs: number;
  /** Give up when the body stalls (no bytes) for this long. */
  stallTimeoutMs: number;
  onProgress?: (received: number, total: number) => void;
}

/** Temporary files of this process, removed on failure and on Ctrl-C. */
const partials = new Set<string>();

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return `${err.message}: ${code && !cause.message.includes(code) ? `${code} ` : ''}${cause.message}`;
  }
  return err.message;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Streams `url` into a temporary file beside `dest`, hashing as it goes, and renames it to `dest` only
 * when size and sha256 match `entry`. Never leaves a partial file behind.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  entry: Pick<ModelEntry, 'size' | 'sha256'>,
  options: DownloadOptions,
): Promise<DownloadOutcome> {
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(new Error(`no response within ${options.connectTimeoutMs / 1000} s`)), options.connectTimeoutMs);
  const tmp = partialPath(dest);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: abort.signal, redirect: 'follow' });
    } catch (err) {
      return { status: 'unavailable', detail: describeError(abort.signal.reason ?? err) };
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return { status: 'unavailable', detail: `HTTP ${response.status} ${response.statusText}`.trim() };
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared !== entry.size) {
      await response.body.cancel();
      return { status: 'mismatch', detail: `server announces ${declared} bytes, the manifest pins ${entry.size}` };
    }

    const stall = () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(new Error(`download stalled for ${options.stallTimeoutMs / 1000} s`)), options.stallTimeoutMs);
    };
    stall();
    const hash = createHash('sha256');
    let received = 0;
    let tooLong = false;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        stall();
        received += chunk.length;
        if (received > entry.size) {
          tooLong = true;
          done(new Error('more bytes than expected'));
          return;
        }
        hash.update(chunk);
        options.onProgress?.(received, entry.size);
        done(null, chunk);
      },
    });
    partials.add(tmp);
    try {
      await pipeline(
        Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>, { signal: abort.signal }),
        meter,
        createWriteStream(tmp, { flags: 'wx' }),
      );
    } catch (err) {
      if (tooLong) return { status: 'mismatch', detail: `server sent more than the pinned ${entry.size} bytes` };
      return {
        status: 'unavailable',
        detail: `download interrupted after ${received} bytes: ${describeError(abort.signal.reason ?? err)}`,
      };
    }
    if (received !== entry.size) {
      return { status: 'mismatch', detail: `size mismatch: expected ${entry.size} bytes, received ${received}` };
    }
    const sha = hash.digest('hex');
    if (sha !== entry.sha256) {
      return { status: 'mismatch', detail: `sha256 mismatch: expected ${entry.sha256}, got ${sha}` };
    }
    await rename(tmp, dest);
    partials.delete(tmp);
    return { status: 'downloaded', detail: `${mb(received)} from ${url}` };
  } finally {
    clearTimeout(timer);
    if (partials.has(tmp)) {
      await rm(tmp, { force: true });
      partials.delete(tmp);
    }
  }
}

/** Copies `source` to `dest` through a temporary file, renaming only when it verifies. */
async function copyVerified(source: string, dest: string, entry: ModelEntry): Promise<{ ok: boolean; detail: string }> {
  const tmp = partialPath(dest);
  partials.add(tmp);
  try {
    await copyFile(source, tmp);
    const check = await verifyModelFile(tmp, entry);
    if (!check.ok) return { ok: false, detail: `${source}: ${check.reason}` };
    await rename(tmp, dest);
    partials.delete(tmp);
    return { ok: true, detail: `from ${source}` };
  } finally {
    if (partials.has(tmp)) {
      await rm(tmp, { force: true });
      partials.delete(tmp);
    }
  }
}

/** Removes temporary files left by runs that no longer exist (`.<file>.<pid>.<rand>.partial`). */
async function removeStalePartials(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = /^\..+\.(\d+)\.[0-9a-f]+\.partial$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (!alive) await rm(path.join(dir, name), { force: true });
  }
}

interface RunOptions {
  modelsDir: string;
  mirror: string | null;
  offline: boolean;
  timeoutMs: number;
  entries: ModelEntry[];
}

interface FileResult {
  entry: ModelEntry;
  status: FetchStatus;
  detail: string;
}

const isTTY = Boolean(process.stderr.isTTY);

function progressPrinter(file: string): (received: number, total: number) => void {
  let lastPrint = 0;
  return (received, total) => {
    const now = Date.now();
    if (received < total && now - lastPrint < (isTTY ? 200 : 5000)) return;
    lastPrint = now;
    const line = `  ${file}: ${mb(received)} / ${mb(total)} (${Math.floor((received / total) * 100)}%)`;
    process.stderr.write(isTTY ? `\r${line}\x1b[K${received >= total ? '\n' : ''}` : `${line}\n`);
  };
}

async function fetchOne(entry: ModelEntry, opts: RunOptions): Promise<FileResult> {
  const dest = path.join(opts.modelsDir, entry.file);
  const present = await verifyModelFile(dest, entry);
  if (present.ok) return { entry, status: 'ok', detail: 'already present, verified' };
  const replacing = present.problem !== 'missing';
  if (replacing) console.log(`! ${entry.file}: present but ${present.reason}; replacing it`);
  const tried: string[] = [];
  let result: FileResult;

  if (entry.kind === 'pose') {
    try {
      const bundle = await buildPoseTaskBundle(entry);
      await writeFileAtomic(dest, bundle);
      return { entry, status: 'built', detail: `from ${entry.build?.npmPackage}@${entry.build?.npmVersion}` };
    } catch (err) {
      if (err instanceof ModelSourceError) {
        result = { entry, status: err.problem === 'mismatch' ? 'mismatch' : 'unavailable', detail: err.message };
      } else {
        result = { entry, status: 'error', detail: describeError(err) };
      }
    }
  } else {
    result = await fetchSam(entry, dest, opts, tried);
  }

  if (replacing && result.status === 'unavailable') {
    // A wrong file stays in place: that is a checksum failure, not a missing file.
    result = { entry, status: 'mismatch', detail: `${dest}: ${present.reason}; no replacement: ${result.detail}` };
  }
  if (result.status === 'unavailable' && entry.kind === 'sam') {
    console.log(
      [
        `✗ ${entry.file} is not available.`,
        ...tried.map((t) => `    tried ${t}`),
        `    To provide it, put ${entry.file} (${entry.size} bytes, sha256 ${entry.sha256})`,
        `    in a folder and run:  ATELIER_MODELS_MIRROR=/path/to/folder npm run models`,
        `    (or: npm run models -- --mirror /path/to/folder)`,
      ].join('\n'),
    );
  } else if (result.status === 'mismatch' || result.status === 'error' || result.status === 'unavailable') {
    console.log(`✗ ${entry.file}: ${result.detail}`);
  }
  return result;
}

async function fetchSam(entry: ModelEntry, dest: string, opts: RunOptions, tried: string[]): Promise<FileResult> {
  if (opts.mirror) {
    const source = path.join(opts.mirror, entry.file);
    const exists = await stat(source).then(
      (s) => s.isFile(),
      () => false,
    );
    if (exists) {
      const copied = await copyVerified(source, dest, entry);
      if (copied.ok) return { entry, status: 'copied', detail: copied.detail };
      // A mirror holding the wrong bytes is a failure to fix, not something to route around.
      return { entry, status: 'mismatch', detail: `mirror file rejected: ${copied.detail}` };
    }
    tried.push(`mirror: ${source} (not found)`);
  } else {
    tried.push('mirror: none set (ATELIER_MODELS_MIRROR or --mirror)');
  }
  if (!entry.url) return { entry, status: 'unavailable', detail: 'no download URL' };
  if (opts.offline) {
    tried.push(`download: ${entry.url} (skipped: --offline)`);
    return { entry, status: 'unavailable', detail: 'not in mirror; downloads disabled (--offline)' };
  }
  console.log(`↓ ${entry.file}: downloading ${mb(entry.size)} from ${entry.url}`);
  const outcome = await downloadVerified(entry.url, dest, entry, {
    connectTimeoutMs: opts.timeoutMs,
    stallTimeoutMs: opts.timeoutMs,
    onProgress: progressPrinter(entry.file),
  });
  if (outcome.status === 'unavailable') tried.push(`download: ${entry.url} → ${outcome.detail}`);
  const detail = outcome.status === 'downloaded' ? outcome.detail : `download from ${entry.url}: ${outcome.detail}`;
  return { entry, status: outcome.status, detail };
}

function printSummary(results: FileResult[], opts: RunOptions): void {
  const rows = results.map((r) => [r.entry.file, r.entry.role, r.entry.side, r.status]);
  const header = ['file', 'role', 'side', 'status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(`\nModels in ${opts.modelsDir}:`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

const USAGE = `usage: node models/fetch.ts [--mirror DIR] [--skip-unavailable] [--only sam|pose] [--offline] [--timeout SECONDS]

  --mirror DIR         folder holding model files to copy (default: ATELIER_MODELS_MIRROR)
  --skip-unavailable   files that can be neither copied nor downloaded only warn (exit 0);
                       a checksum mismatch still fails
  --only sam|pose      handle one kind of model only
  --offline            never download; mirror and npm package only
  --timeout SECONDS    connect / stall timeout of a download (default 30)

Target folder: ATELIER_MODELS_DIR (default ./models/files).`;

/** The command line's options; throws on an unknown option or a missing value. */
function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      mirror: { type: 'string' },
      'skip-unavailable': { type: 'boolean', default: false },
      only: { type: 'string' },
      offline: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let args: ReturnType<typeof parseOptions>;
  try {
    args = parseOptions(argv);
  } catch (err) {
    console.error(`${describeError(err)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.only !== undefined && args.only !== 'sam' && args.only !== 'pose') {
    console.error(`--only takes sam or pose, not "${args.only}"\n\n${USAGE}`);
    return 2;
  }
  const timeoutSeconds = Number(args.timeout);
  if (!(timeoutSeconds > 0)) {
    console.error(`--timeout takes a positive number of seconds, not "${args.timeout}"`);
    return 2;
  }
  const config = loadConfig();
  const opts: RunOptions = {
    modelsDir: config.modelsDir,
    mirror: args.mirror ? path.resolve(args.mirror) : config.modelsMirror,
    offline: args.offline,
    timeoutMs: timeoutSeconds * 1000,
    entries: MANIFEST.filter((m) => !args.only || m.kind === args.only),
  };
  if (
    opts.mirror &&
    !(await stat(opts.mirror).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    console.log(`! mirror folder ${opts.mirror} does not exist; ignoring it`);
    opts.mirror = null;
  }
  await mkdir(opts.modelsDir, { recursive: true });
  await removeStalePartials(opts.modelsDir);

  const results: FileResult[] = [];
  for (const entry of opts.entries) {
    const r = await fetchOne(entry, opts);
    if (r.status !== 'unavailable' && r.status !== 'mismatch' && r.status !== 'error') {
      console.log(`✓ ${entry.file}: ${r.status} (${r.detail})`);
    }
    results.push(r);
  }
  printSummary(results, opts);

  const failed = results.filter((r) => r.status === 'mismatch' || r.status === 'error');
  const missing = results.filter((r) => r.status === 'unavailable');
  const skip = args['skip-unavailable'];
  if (failed.length) {
    console.log(`\n${failed.length} file(s) failed verification or could not be written: ${failed.map((r) => r.entry.file).join(', ')}`);
  }
  if (missing.length) {
    console.log(
      `\n${missing.length} file(s) unavailable${skip ? ' (skipped: --skip-unavailable)' : ''}: ` +
        `${missing.map((r) => r.entry.file).join(', ')}` +
        `\nProvide them with ATELIER_MODELS_MIRROR=/path/to/folder (or --mirror /path/to/folder).`,
    );
  }
  if (!failed.length && !missing.length) console.log('\nAll model files present and verified.');
  return failed.length || (missing.length && !skip) ? 1 : 0;
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const onSignal = (signal: NodeJS.Signals) => {
    for (const tmp of partials) rmSync(tmp, { force: true });
    console.error(`\ninterrupted (${signal}); temporary files removed`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      for (const tmp of partials) rmSync(tmp, { force: true });
      console.error(`models: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
    },
  );
}
