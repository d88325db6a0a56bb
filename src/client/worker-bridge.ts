// Main-thread side of a worker protocol: every request carries a sequence number, replies name the
// one they answer; `error` replies reject, notifications (no waiting request) go to listeners only.
export interface Reply {
  type: string;
  seq: number;
}

type ErrorReply = { type: 'error'; seq: number; code: string; message: string };

export class WorkerBridge<R extends Reply> {
  private readonly worker: Worker;
  private readonly what: string;
  private seq = 0;
  private waiting = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  private listeners = new Set<(reply: R) => void>();

  /** `what` names the worker in errors a merchant may see ("The pose detector stopped."). */
  constructor(worker: Worker, what: string) {
    this.worker = worker;
    this.what = what;
    worker.onmessage = (e: MessageEvent<R>) => {
      const reply = e.data;
      for (const l of this.listeners) l(reply);
      const w = this.waiting.get(reply.seq);
      if (!w || !this.answers(reply)) return;
      this.waiting.delete(reply.seq);
      if (reply.type === 'error') {
        const err = reply as unknown as ErrorReply;
        w.reject(Object.assign(new Error(err.message), { code: err.code }));
      } else w.resolve(reply);
    };
    worker.onerror = (e) => this.failAll(new Error(e.message || `${what} stopped.`));
  }

  /** Replies that are progress notes rather than answers; subclasses may widen this. */
  protected answers(reply: R): boolean {
    return reply.type !== 'progress';
  }

  on(listener: (reply: R) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a request and resolves with the reply that answers it. */
  request<T extends R>(msg: object, transfer: Transferable[] = []): Promise<T> {
    const seq = ++this.seq;
    const p = new Promise<T>((resolve, reject) => this.waiting.set(seq, { resolve: resolve as (r: R) => void, reject }));
    this.worker.postMessage({ ...msg, seq }, transfer);
    return p;
  }

  /** Sends a request nobody waits for (hints the worker may coalesce). */
  notify(msg: object): void {
    this.worker.postMessage({ ...msg, seq: ++this.seq });
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new Error(`${this.what} was closed.`));
  }

  private failAll(err: Error) {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
