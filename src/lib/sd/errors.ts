// Errors from a generation backend, mapped to something a merchant can act on.
// Pure: no network, no node: imports (the client feeds it status codes, bodies and low-level error codes).

export type BackendErrorKind = 'unreachable' | 'auth' | 'busy' | 'oom' | 'validation' | 'server' | 'timeout' | 'dropped' | 'bad-response';

/** Message keys; each has an English and a Simplified Chinese text in BACKEND_MESSAGES. */
export type BackendErrorCode =
  | 'unreachable'
  | 'api_missing'
  | 'auth'
  | 'busy'
  | 'oom'
  | 'validation'
  | 'invalid_image'
  | 'unknown_name'
  | 'server'
  | 'controlnet_not_applied'
  | 'controlnet_missing'
  | 'family_unsupported'
  | 'checkpoint_not_applied'
  | 'timeout'
  | 'stalled'
  | 'dropped'
  | 'bad_response';

export type BackendLocale = 'en' | 'zh-CN';

export const BACKEND_MESSAGES: Record<BackendErrorCode, Record<BackendLocale, string>> = {
  unreachable: {
    en: 'The image generation server cannot be reached. Check that it is running and on the network.',
    'zh-CN': '无法连接图像生成服务器。请确认服务器已启动且网络畅通。',
  },
  api_missing: {
    en: 'The image generation server is running without its API. Start Stable Diffusion WebUI with --api.',
    'zh-CN': '图像生成服务器未开启 API。请使用 --api 参数启动 Stable Diffusion WebUI。',
  },
  auth: {
    en: 'The image generation server refused our user name or password. Check the backend credentials.',
    'zh-CN': '图像生成服务器拒绝了用户名或密码，请检查后端账号配置。',
  },
  busy: {
    en: 'The image generation server is busy. Your photos will be generated as soon as it is free.',
    'zh-CN': '图像生成服务器正忙，空闲后会立即为您生成。',
  },
  oom: {
    en: 'The graphics card ran out of memory. Try fewer images at once or a smaller size.',
    'zh-CN': '显卡内存不足。请减少一次生成的张数或降低尺寸。',
  },
  validation: {
    en: 'The image generation server rejected the request.',
    'zh-CN': '图像生成服务器拒绝了此次请求。',
  },
  invalid_image: {
    en: 'The image generation server could not read one of the images we sent.',
    'zh-CN': '图像生成服务器无法读取我们发送的图片。',
  },
  unknown_name: {
    en: 'A model, LoRA, sampler or ControlNet named in the settings is not installed on the generation server.',
    'zh-CN': '设置中的模型、LoRA、采样器或 ControlNet 在生成服务器上未安装。',
  },
  server: {
    en: 'The image generation server hit an error while generating. Please try again.',
    'zh-CN': '图像生成服务器在生成时出错，请重试。',
  },
  controlnet_not_applied: {
    en: 'The generation server ignored the pose guide (ControlNet), so the result would not match the pose. Check its ControlNet models.',
    'zh-CN': '生成服务器未应用姿态控制（ControlNet），结果将与姿态不符。请检查其 ControlNet 模型。',
  },
  controlnet_missing: {
    en: 'The generation server has no pose guide (OpenPose ControlNet model) for this kind of base model.',
    'zh-CN': '生成服务器没有适用于此类基础模型的姿态控制（OpenPose ControlNet）模型。',
  },
  family_unsupported: {
    en: 'This base model cannot follow a pose here. Choose an SD 1.5 or SDXL model for this kind of photo.',
    'zh-CN': '此基础模型无法在这里按姿态生成。请为此类照片选择 SD 1.5 或 SDXL 模型。',
  },
  checkpoint_not_applied: {
    en: 'The generation server used a different base model than the one chosen.',
    'zh-CN': '生成服务器使用的基础模型与所选模型不一致。',
  },
  timeout: {
    en: 'The image generation server took too long to answer.',
    'zh-CN': '图像生成服务器响应超时。',
  },
  stalled: {
    en: 'The image generation server stopped making progress, so the job was tried again.',
    'zh-CN': '图像生成服务器停止了进度，任务已重新尝试。',
  },
  dropped: {
    en: 'The connection to the image generation server was cut off before the result arrived.',
    'zh-CN': '在结果返回之前，与图像生成服务器的连接中断了。',
  },
  bad_response: {
    en: 'The image generation server sent an answer we could not understand.',
    'zh-CN': '图像生成服务器返回了无法识别的结果。',
  },
};

const DEFAULT_CODE: Record<BackendErrorKind, BackendErrorCode> = {
  unreachable: 'unreachable',
  auth: 'auth',
  busy: 'busy',
  oom: 'oom',
  validation: 'validation',
  server: 'server',
  timeout: 'timeout',
  dropped: 'dropped',
  'bad-response': 'bad_response',
};

/** Connection-level failures retry; requests the server refused on their content do not. */
const DEFAULT_RETRYABLE: Record<BackendErrorKind, boolean> = {
  unreachable: true,
  auth: false,
  busy: true,
  oom: false,
  validation: false,
  server: true,
  timeout: true,
  dropped: true,
  'bad-response': false,
};

export interface BackendErrorInit {
  kind: BackendErrorKind;
  code?: BackendErrorCode;
  /** The backend's own words (validation detail, exception text), shown after the merchant message. */
  detail?: string | null;
  status?: number | null;
  retryable?: boolean;
  /** Base URL of the backend, for logs. Never shown to the browser. */
  backend?: string | null;
  cause?: unknown;
}

export class BackendError extends Error {
  readonly kind: BackendErrorKind;
  readonly code: BackendErrorCode;
  readonly detail: string | null;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly backend: string | null;

  constructor(init: BackendErrorInit) {
    const code = init.code ?? DEFAULT_CODE[init.kind];
    super(composeMessage(code, init.detail ?? null, 'en'), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'BackendError';
    this.kind = init.kind;
    this.code = code;
    this.detail = init.detail ?? null;
    this.status = init.status ?? null;
    this.retryable = init.retryable ?? DEFAULT_RETRYABLE[init.kind];
    this.backend = init.backend ?? null;
  }

  /** The merchant-readable message in the given language (English message is also `.message`). */
  localized(locale: BackendLocale = 'en'): string {
    return composeMessage(this.code, this.detail, locale);
  }

  toJSON(): { kind: BackendErrorKind; code: BackendErrorCode; message: string; retryable: boolean; status: number | null } {
    return { kind: this.kind, code: this.code, message: this.message, retryable: this.retryable, status: this.status };
  }
}

function composeMessage(code: BackendErrorCode, detail: string | null, locale: BackendLocale): string {
  const base = BACKEND_MESSAGES[code][locale];
  // Only details that help the merchant or the operator act are appended (validation detail, unknown names).
  const showDetail =
    detail &&
    [
      'validation',
      'invalid_image',
      'unknown_name',
      'controlnet_not_applied',
      'controlnet_missing',
      'family_unsupported',
      'checkpoint_not_applied',
      'stalled',
    ].includes(code);
  if (!showDetail) return base;
  return locale === 'zh-CN' ? `${base}（${detail}）` : `${base} (${detail})`;
}

export function isBackendError(err: unknown): err is BackendError {
  return err instanceof BackendError;
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping HTTP answers.

interface PydanticItem {
  loc?: unknown[];
  msg?: string;
  type?: string;
}

/** Formats FastAPI/pydantic `detail` (v1 or v2 items, or a plain string) as "field: message; …". */
export function formatValidationDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item: PydanticItem) => {
        const loc = Array.isArray(item?.loc) ? item.loc.filter((p) => p !== 'body').join('.') : '';
        const msg = typeof item?.msg === 'string' ? item.msg : JSON.stringify(item);
        return loc ? `${loc}: ${msg}` : msg;
      })
      .join('; ');
  }
  if (detail == null) return '';
  return JSON.stringify(detail);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const clip = (s: string, n = 500) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Maps a non-2xx answer of the WebUI (or a proxy in front of it) to a BackendError.
 * Server bodies: 422 `{"detail": [...]}` (pydantic) or `{"detail": "..."}`; other errors
 * `{"error": <class>, "detail", "body", "errors": <str(exception)>}` (A1111) or `{…, "message"}` (Forge).
 */
export function errorFromResponse(status: number, bodyText: string, backend: string | null = null): BackendError {
  const body = parseJson(bodyText) as Record<string, unknown> | undefined;
  const obj = body && typeof body === 'object' && !Array.isArray(body) ? body : undefined;
  const errorClass = typeof obj?.error === 'string' ? obj.error : '';
  const detailText = obj ? formatValidationDetail(obj.detail) : '';
  // A1111's api_middleware says `errors`; Forge (middleware off, webui.py _handle_exception) says `message`.
  const errorsText = typeof obj?.errors === 'string' && obj.errors ? obj.errors : typeof obj?.message === 'string' ? obj.message : '';
  const anyText = `${errorClass} ${detailText} ${errorsText} ${obj ? '' : bodyText}`;
  const base = { status, backend };

  if (status === 401 || status === 403) return new BackendError({ ...base, kind: 'auth' });
  if (/OutOfMemory|out of memory/i.test(anyText)) {
    return new BackendError({ ...base, kind: 'oom', detail: clip(errorsText || detailText) || null });
  }
  if (status === 422 || status === 400) {
    return new BackendError({ ...base, kind: 'validation', detail: clip(detailText || bodyText) || null });
  }
  if (status === 404) {
    if (!detailText || detailText === 'Not Found')
      return new BackendError({ ...base, kind: 'unreachable', code: 'api_missing', retryable: false });
    return new BackendError({ ...base, kind: 'validation', detail: clip(detailText) });
  }
  if (status === 408 || status === 429 || status === 503) return new BackendError({ ...base, kind: 'busy' });
  if (status === 502) return new BackendError({ ...base, kind: 'unreachable' });
  if (status === 504 || status === 524) return new BackendError({ ...base, kind: 'timeout' });
  if (status >= 500) {
    if (/Invalid encoded image/i.test(anyText))
      return new BackendError({ ...base, kind: 'validation', code: 'invalid_image', detail: 'Invalid encoded image' });
    const notFound = /model '([^']*)' not found/i.exec(anyText);
    if (notFound)
      return new BackendError({ ...base, kind: 'validation', code: 'unknown_name', detail: `model '${notFound[1]}' not found` });
    if (errorClass === 'KeyError')
      return new BackendError({ ...base, kind: 'validation', detail: clip(`unknown option ${errorsText || detailText}`) });
    return new BackendError({ ...base, kind: 'server', detail: clip(errorsText || detailText || (obj ? '' : bodyText)) || null });
  }
  if (status >= 400) return new BackendError({ ...base, kind: 'validation', detail: clip(detailText || bodyText) || null });
  return new BackendError({ ...base, kind: 'bad-response', detail: `unexpected HTTP status ${status}` });
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping transport failures (Node/undici error codes).

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const DROPPED_CODES = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The first `code` found on the error or its causes (AggregateError from happy-eyeballs included). */
export function lowLevelCode(err: unknown): string | null {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length) {
      const inner = lowLevelCode(errors[0]);
      if (inner) return inner;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * Maps a transport error. `phase` tells whether the request had been accepted by the server: an error while
 * connecting is "unreachable", the same reset after the request went out is "dropped".
 */
export function errorFromNetwork(err: unknown, phase: 'request' | 'body', backend: string | null = null): BackendError {
  if (err instanceof BackendError) return err;
  const code = lowLevelCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  const detail = code ? `${code}: ${msg}` : msg;
  const base = { backend, cause: err, detail };
  if (code && TIMEOUT_CODES.has(code)) return new BackendError({ ...base, kind: 'timeout' });
  if (code && UNREACHABLE_CODES.has(code)) return new BackendError({ ...base, kind: 'unreachable' });
  if ((code && DROPPED_CODES.has(code)) || /terminated|other side closed|socket hang up|premature/i.test(msg)) {
    return new BackendError({ ...base, kind: 'dropped' });
  }
  return new BackendError({ ...base, kind: phase === 'body' ? 'dropped' : 'unreachable' });
}
