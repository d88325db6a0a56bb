// The one place that reads environment variables. Everything else receives a Config.
import path from 'node:path';
import { z } from 'zod';
import { parseFamilyOverrides, type FamilyOverride } from './lib/sd/family.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

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
  ATELIER_OWNER_EMAIL: z.email().optional(),
  ATELIER_OWNER_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  ATELIER_BOOTSTRAP_API_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  ATELIER_PUBLIC_URL: z.url().optional(),
  ATELIER_ALLOWED_HOSTS: z.string().optional(),
  ATELIER_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  ATELIER_SESSION_DAYS: positiveInt(30),
  ATELIER_INVITE_HOURS: positiveInt(72),
  ATELIER_WORKSPACE_QUOTA_MB: z.coerce.number().int().min(0).default(0),
  ATELIER_WORKSPACE_MAX_QUEUED: z.coerce.number().int().min(0).default(2000),
  ATELIER_WORKSPACE_UPLOADS_PER_MINUTE: z.coerce.number().int().min(0).default(120),
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
  /** Headless set-up: the owner account (and first workspace) created at start when there is none. */
  owner: { email: string; password: string } | null;
  /** Registered once as the first workspace's admin key (ATELIER_BOOTSTRAP_API_KEY). */
  bootstrapApiKey: string | null;
  /** The address people use (ATELIER_PUBLIC_URL): its host is allowed, and https there makes cookies Secure. */
  publicUrl: URL | null;
  /** Host names (lower case, no port) besides localhost and IP literals that may reach the studio. */
  allowedHosts: string[];
  /** Behind a reverse proxy: X-Forwarded-For / -Proto say the client's address and scheme. */
  trustProxy: boolean;
  sessionMaxAgeMs: number;
  inviteMaxAgeMs: number;
  /** Per-workspace limits; 0 = none. */
  workspaceLimits: { storageBytes: number; queuedJobs: number; uploadsPerMinute: number };
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

function ownerFrom(email: string | undefined, password: string | undefined): Config['owner'] {
  if (!email && !password) return null;
  if (!email || !password) throw new ConfigError('ATELIER_OWNER_EMAIL and ATELIER_OWNER_PASSWORD go together: set both or neither');
  return { email, password };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value means unset (a line `ATELIER_OWNER_EMAIL=` in an env file).
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
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
    owner: ownerFrom(e.ATELIER_OWNER_EMAIL, e.ATELIER_OWNER_PASSWORD),
    bootstrapApiKey: e.ATELIER_BOOTSTRAP_API_KEY ?? null,
    publicUrl: e.ATELIER_PUBLIC_URL ? new URL(e.ATELIER_PUBLIC_URL) : null,
    allowedHosts: [
      ...(e.ATELIER_PUBLIC_URL ? [new URL(e.ATELIER_PUBLIC_URL).hostname.toLowerCase()] : []),
      ...(e.ATELIER_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ],
    trustProxy: e.ATELIER_TRUST_PROXY === '1',
    sessionMaxAgeMs: e.ATELIER_SESSION_DAYS * 86_400_000,
    inviteMaxAgeMs: e.ATELIER_INVITE_HOURS * 3_600_000,
    workspaceLimits: {
      storageBytes: e.ATELIER_WORKSPACE_QUOTA_MB * 1024 * 1024,
      queuedJobs: e.ATELIER_WORKSPACE_MAX_QUEUED,
      uploadsPerMinute: e.ATELIER_WORKSPACE_UPLOADS_PER_MINUTE,
    },
  };
}

let cached: Config | null = null;
/** Process-wide configuration, read once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
