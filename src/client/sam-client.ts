// Main-thread side of the SAM worker protocol: typed requests, replies matched by sequence number.
import type { EditRequest, InitRequest, SelectionState, WorkerReply } from '../lib/sam/protocol.ts';

type Listener = (reply: WorkerReply) => void;

export class SamClient {
  private worker: Worker;
  private seq = 0;
  private waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private listeners = new Set<Listener>();

  constructor() {
    this.worker = new Worker(new URL('../workers/sam.worker.ts', import.meta.url), { type: 'module', name: 'sam-decoder' });
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const reply = e.data;
      for (const l of this.listeners) l(reply);
      if (reply.type === 'progress' || reply.type === 'preview') return;
      const w = this.waiting.get(reply.seq);
      if (!w) return;
      this.waiting.delete(reply.seq);
      if (reply.type === 'error') w.reject(Object.assign(new Error(reply.message), { code: reply.code }));
      else w.resolve(reply);
    };
    this.worker.onerror = (e) => {
      const err = new Error(e.message || 'The selection engine stopped.');
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  init(req: Omit<InitRequest, 'type'>): Promise<Extract<WorkerReply, { type: 'ready' }>> {
    const seq = ++this.seq;
    const p = this.expect<Extract<WorkerReply, { type: 'ready' }>>(seq);
    this.worker.postMessage({ ...req, type: 'init', seq }, [req.overlay]);
    return p;
  }

  /** Fire-and-forget hints (hover): the worker coalesces them. */
  hint(req: Extract<EditRequest, { type: 'hover' | 'hover-end' | 'press' }>) {
    this.worker.postMessage({ ...req, seq: ++this.seq });
  }

  edit(req: Exclude<EditRequest, { type: 'hover' | 'hover-end' | 'press' | 'export' }>): Promise<{ state: SelectionState; decodeMs: number | null }> {
    const seq = ++this.seq;
    const p = this.expect<Extract<WorkerReply, { type: 'state' }>>(seq);
    this.worker.postMessage({ ...req, seq });
    return p;
  }

  exportPng(): Promise<{ png: Blob; area: number }> {
    const seq = ++this.seq;
    const p = this.expect<Extract<WorkerReply, { type: 'exported' }>>(seq);
    this.worker.postMessage({ type: 'export', seq });
    return p;
  }

  terminate() {
    this.worker.terminate();
  }

  private expect<T extends WorkerReply>(seq: number): Promise<T> {
    return new Promise<T>((resolve, reject) => this.waiting.set(seq, { resolve: resolve as (r: WorkerReply) => void, reject }));
  }
}
