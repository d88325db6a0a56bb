// The one place that reads environment variables. Everything else receives a Config.
import path from 'node:path';
import { z } from 'zod';
import { parseFamilyOverrides, type FamilyOverride } from './lib/sd/family.ts';

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4321),
  HOST: z.string().min(1).default('127.0.0.1'),
  ATELIER_DATA_DIR: z.string().min(1).default('./data'),
  ATELIER_MODELS_DIR: z.string().min(1).default('./models/files'),
  ATELIER_MODELS_MIRROR: z.string().optional(),
  SD_WEBUI_URL: z.string().optional(),
  SD_WEBUI_AUTH: z.string().optional(),
  ATELIER_MAX_UPLOAD_MB: positiveInt(40),
  ATELIER_MAX_MEGAPIXELS: positiveInt(50),
  ATELIER_MAX_UPLOADS: positiveInt(8),
  ATELIER_HEADERS_TIMEOUT_S: positiveInt(20),
  ATELIER_REQUEST_TIMEOUT_S: positiveInt(600),
  ATELIER_BODY_IDLE_TIMEOUT_S: positiveInt(30),
  ATELIER_GEN_MAX_SIDE: positiveInt(1536),
  ATELIER_MODEL_FAMILIES: z.string().optional(),
  ATELIER_FEATHER_PX: z.coerce.number().int().min(0).max(64).default(3),
  ATELIER_UPSCALER: z.string().min(1).optional(),
  ATELIER_MIN_FREE_MB: z.coerce.number().int().min(0).default(256),
  ATELIER_STALL_SECONDS: z.coerce.number().int().min(1).default(180),
  ATELIER_SUPERSEDED_GRACE_SECONDS: z.coerce.number().min(0).default(60),
  ATELIER_TEST_MODELS: z.enum(['0', '1']).default('0'),
});

export interface BackendEndpoint {
  url: string;
  auth: { username: string; password: string } | null;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  modelsDir: string;
  modelsMirror: string | null;
  backends: BackendEndpoint[];
  maxUploadBytes: number;
  maxPixels: number;
  /** Uploads received or processed at once; one more is answered 503 with Retry-After. */
  maxUploads: number;
  /** Time a client has to send a request's headers (slow-loris connections are closed). */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included: the longest an upload may take. */
  requestTimeoutMs: number;
  /** A request body that stalls this long closes the connection. Replies (SSE streams) are never cut. */
  bodyIdleTimeoutMs: number;
  /** Cap on the generation size's longest side; the checkpoint family's own budget applies below it. */
  generationMaxSide: number;
  /** Operator-declared checkpoint / ControlNet families (ATELIER_MODEL_FAMILIES=name=sdxl,…). */
  modelFamilies: FamilyOverride[];
  /** Blend band between the kept garment and the generation, in generated pixels. */
  featherPx: number;
  /** How long a replaced mask file stays readable for requests that looked it up just before the save (ms). */
  supersededGraceMs: number;
  /** A generation with no progress for this long is given up and tried again (ms). */
  stallMs: number;
  /** Below this much free space in the data dir, uploads and generations are refused (507) until space is freed. */
  minFreeBytes: number;
  /** The generation server's upscaler to use by name; null = picked automatically. */
  upscaler: string | null;
  /** Only the test harness sets this: accept generated stand-in SAM models. */
  allowTestModels: boolean;
}

export class ConfigError extends Error {}

function parseBackends(urls: string | undefined, auth: string | undefined): BackendEndpoint[] {
  if (!urls?.trim()) return [];
  let credentials: BackendEndpoint['auth'] = null;
  if (auth) {
    const sep = auth.indexOf(':');
    if (sep <= 0) throw new ConfigError('SD_WEBUI_AUTH must look like user:password');
    credentials = { username: auth.slice(0, sep), password: auth.slice(sep + 1) };
  }
  return urls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((u) => {
      let parsed: URL;
      try {
        parsed = new URL(u);
      } catch {
        throw new ConfigError(`SD_WEBUI_URL entry "${u}" is not a URL`);
      }
      if (!/^https?:$/.test(parsed.protocol)) throw new ConfigError(`SD_WEBUI_URL entry "${u}" must be http(s)`);
      return { url: parsed.href.replace(/\/+$/, ''), auth: credentials };
    });
}

function families(spec: string | undefined): FamilyOverride[] {
  try {
    return parseFamilyOverrides(spec);
  } catch (err) {
    throw new ConfigError(`ATELIER_MODEL_FAMILIES: ${(err as Error).message}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  // Node refuses a headers timeout longer than the request timeout.
  if (e.ATELIER_HEADERS_TIMEOUT_S > e.ATELIER_REQUEST_TIMEOUT_S) {
    throw new ConfigError('ATELIER_HEADERS_TIMEOUT_S must not be longer than ATELIER_REQUEST_TIMEOUT_S');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.ATELIER_DATA_DIR),
    modelsDir: path.resolve(e.ATELIER_MODELS_DIR),
    modelsMirror: e.ATELIER_MODELS_MIRROR ? path.resolve(e.ATELIER_MODELS_MIRROR) : null,
    backends: parseBackends(e.SD_WEBUI_URL, e.SD_WEBUI_AUTH),
    maxUploadBytes: e.ATELIER_MAX_UPLOAD_MB * 1024 * 1024,
    maxPixels: e.ATELIER_MAX_MEGAPIXELS * 1_000_000,
    maxUploads: e.ATELIER_MAX_UPLOADS,
    headersTimeoutMs: e.ATELIER_HEADERS_TIMEOUT_S * 1000,
    requestTimeoutMs: e.ATELIER_REQUEST_TIMEOUT_S * 1000,
    bodyIdleTimeoutMs: e.ATELIER_BODY_IDLE_TIMEOUT_S * 1000,
    generationMaxSide: e.ATELIER_GEN_MAX_SIDE,
    modelFamilies: families(e.ATELIER_MODEL_FAMILIES),
    featherPx: e.ATELIER_FEATHER_PX,
    upscaler: e.ATELIER_UPSCALER ?? null,
    minFreeBytes: e.ATELIER_MIN_FREE_MB * 1024 * 1024,
    stallMs: e.ATELIER_STALL_SECONDS * 1000,
    supersededGraceMs: e.ATELIER_SUPERSEDED_GRACE_SECONDS * 1000,
    allowTestModels: e.ATELIER_TEST_MODELS === '1',
  };
}

let cached: Config | null = null;
/** Process-wide configuration, read once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
