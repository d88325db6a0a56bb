// Main-thread side of the pose worker protocol: typed requests, replies matched by sequence number.
import type { CompleteRequest, DetectRequest, Detection, InitRequest, WorkerReply } from '../lib/pose/protocol.ts';

type Listener = (reply: WorkerReply) => void;
type Ready = Extract<WorkerReply, { type: 'ready' }>;

export class PoseClient {
  private worker: Worker;
  private seq = 0;
  private waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private listeners = new Set<Listener>();

  constructor() {
    this.worker = new Worker(new URL('../workers/pose.worker.ts', import.meta.url), { type: 'module', name: 'pose-detector' });
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const reply = e.data;
      for (const l of this.listeners) l(reply);
      if (reply.type === 'progress') return;
      const w = this.waiting.get(reply.seq);
      if (!w) return;
      this.waiting.delete(reply.seq);
      if (reply.type === 'error') w.reject(Object.assign(new Error(reply.message), { code: reply.code }));
      else w.resolve(reply);
    };
    this.worker.onerror = (e) => {
      const err = new Error(e.message || 'The pose detector stopped.');
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads the wasm runtime and the model; resolves when the detector is ready. */
  init(req: Omit<InitRequest, 'type'>): Promise<Ready> {
    return this.send<Ready>({ ...req, type: 'init' });
  }

  /** Detects on a photo and completes the pose; may be sent right after init (the photo loads meanwhile). */
  detect(req: Omit<DetectRequest, 'type'>): Promise<Detection> {
    return this.send<Extract<WorkerReply, { type: 'detected' }>>({ ...req, type: 'detect' });
  }

  /** Completes the last detection again, e.g. with a garment mask saved since. */
  complete(req: Omit<CompleteRequest, 'type'>): Promise<Detection> {
    return this.send<Extract<WorkerReply, { type: 'detected' }>>({ ...req, type: 'complete' });
  }

  terminate() {
    this.worker.terminate();
    const err = new Error('The pose detector was closed.');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  private send<T extends WorkerReply>(msg: InitRequest | DetectRequest | CompleteRequest): Promise<T> {
    const seq = ++this.seq;
    const p = new Promise<T>((resolve, reject) => this.waiting.set(seq, { resolve: resolve as (r: WorkerReply) => void, reject }));
    this.worker.postMessage({ ...msg, seq });
    return p;
  }
}
