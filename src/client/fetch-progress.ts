// fetch() that reports download progress (for models and embeddings, several MB each).
export async function fetchBytes(
  url: string,
  onProgress: (loaded: number, total: number) => void,
  init?: RequestInit,
): Promise<ArrayBuffer> {
  const res = await fetch(url, init);
  if (!res.ok) {
    let detail = '';
    try {
      detail = (await res.json())?.error?.message ?? '';
    } catch {
      /* not JSON */
    }
    throw new Error(detail || `${url} answered ${res.status}`);
  }
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body) return res.arrayBuffer();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, total || loaded);
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out.buffer;
}
