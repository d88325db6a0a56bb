// Production entry (`npm start` / `npm run serve`). Wraps Astro's standalone handler so that the security
// headers (COOP/COEP/CORP, CSP, nosniff) reach static files too: Astro middleware never sees /_astro/* or the
// wasm, and without cross-origin isolation threaded ONNX Runtime workers are blocked and session creation hangs.
// Requests for a Host the studio does not answer to are refused here (DNS rebinding).
import http from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { DataDirProblem, checkDataDir, sweepDataDir } from './store/check.ts';
import { bootstrapDataDir } from './auth/bootstrap.ts';
import { SECURITY_HEADERS, hostAllowed } from './http/guard.ts';
import { precompressBrowserModels } from './models/precompress.ts';
import { FETCH_HOWTO, isUsable, modelStatuses } from './models/status.ts';
import { pickEncoding } from './http/precompress.ts';
import sirv from 'sirv';

process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const config = loadConfig();
const pidFile = path.join(config.dataDir, 'atelier.pid');
// A damaged or emptied database stops the start here, with what to do, rather than serving an empty studio.
try {
  mkdirSync(config.dataDir, { recursive: true });
  checkDataDir(config.dataDir);
  await sweepDataDir(config);
  await bootstrapDataDir(config);
} catch (err) {
  if (!(err instanceof DataDirProblem)) throw err;
  console.error(`Atelier cannot start: ${err.message}`);
  process.exit(1);
}
const { handler } = await import('../../dist/server/entry.mjs');

// Static files (dist/client) with their brotli/gzip copies written at build (src/integrations/precompress.ts),
// Vary: Accept-Encoding on every answer. Hashed /_astro/ files are cached for good; the rest (sw.js, manifests,
// icons) is revalidated. What is not a static file goes to Astro.
const serveStatic = sirv(path.resolve(import.meta.dirname, '../../dist/client'), {
  brotli: true,
  gzip: true,
  etag: true,
  // Looks files up per request rather than listing dist/ once: a build while the studio runs serves the new files.
  dev: true,
  setHeaders(res, pathname) {
    res.setHeader('Cache-Control', pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  },
});

// Limits on what a client takes to SEND a request, so that slow or stalled senders cannot hold connections:
// - headers within ATELIER_HEADERS_TIMEOUT_S;
// - the whole request, body included, within ATELIER_REQUEST_TIMEOUT_S (the longest an upload may take);
// - a body that stops arriving for ATELIER_BODY_IDLE_TIMEOUT_S closes the connection.
// None of them applies to a reply: generation SSE streams (GET /api/jobs/:id/events) have no body, so their
// request is complete on arrival, and they stay open for as long as the job runs. An upload waiting its turn
// for an image slot is not cut either: its body has arrived.
const server = http.createServer(
  {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // How often Node checks the two limits above (its default, 30 s, would let them overrun by as much).
    connectionsCheckingInterval: Math.min(5000, Math.ceil(config.headersTimeoutMs / 2)),
  },
  (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // A Host this studio does not answer to (DNS rebinding): refused before anything else runs.
    if (!hostAllowed(req.headers.host, config.allowedHosts)) {
      res.writeHead(421, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          error: {
            code: 'host_not_allowed',
            message: 'This address is not one the studio answers to. Use its own address, or add this one to ATELIER_ALLOWED_HOSTS.',
          },
        }),
      );
      req.resume();
      return;
    }
    closeIfBodyStalls(req);
    if (req.method === 'GET' || req.method === 'HEAD') {
      // sirv only looks for the word: what the client accepts (q-values included) is decided here.
      const original = req.headers['accept-encoding'];
      req.headers['accept-encoding'] = pickEncoding(original, ['br', 'gzip']) ?? 'identity';
      serveStatic(req, res, () => {
        if (original === undefined) delete req.headers['accept-encoding'];
        else req.headers['accept-encoding'] = original;
        handler(req, res);
      });
    } else handler(req, res);
  },
);

/** Socket inactivity timeout only while a body is expected; with no listener Node destroys the socket when it fires. */
function closeIfBodyStalls(req) {
  const expectsBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!expectsBody || req.complete) return;
  const socket = req.socket;
  socket.setTimeout(config.bodyIdleTimeoutMs);
  const stop = () => socket.setTimeout(0);
  req.once('end', stop);
  req.once('close', stop);
}

server.listen(config.port, config.host, () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  console.log(`Atelier listening on http://${config.host}:${port}`);
  // Tells `npm run restore` that the studio runs on this data dir.
  writeFileSync(pidFile, String(process.pid));
  // Warm-up: loads the app context, which resumes queued/interrupted generation jobs and checks models.
  const local = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  fetch(`http://${local.includes(':') ? `[${local}]` : local}:${port}/api/health`).catch(() => {});
  void precompressBrowserModels(config.modelsDir);
  // The first thing an operator should know: without the SAM files, no photo can be prepared.
  void modelStatuses(config.modelsDir, config.allowTestModels).then((statuses) => {
    const missing = statuses.filter((s) => s.role.startsWith('sam-') && !isUsable(s)).map((s) => s.file);
    if (missing.length) {
      console.warn(
        `[models] not installed: ${missing.join(', ')}. Photos cannot be prepared until they are. To install them, ${FETCH_HOWTO}.`,
      );
    }
  });
});
// A bug in one request must not take the studio down for everyone: log it and keep serving.
// Storage writes are atomic, so a failed request leaves nothing half-written behind.
process.on('uncaughtException', (err) => console.error('[server] uncaught exception', err));
process.on('unhandledRejection', (err) => console.error('[server] unhandled rejection', err));
// A stop writes the database's WAL into its file (src/server/app/context.ts closes it on exit): the .sqlite file
// alone then holds everything.
process.on('exit', () => rmSync(pidFile, { force: true }));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
