// Main-thread side of the pose worker protocol (src/lib/pose/protocol.ts).
import type { CompleteRequest, DetectRequest, Detection, InitRequest, WorkerReply } from '../lib/pose/protocol.ts';
import { WorkerBridge } from './worker-bridge.ts';

type Reply<T extends WorkerReply['type']> = Extract<WorkerReply, { type: T }>;

export class PoseClient extends WorkerBridge<WorkerReply> {
  constructor() {
    super(
      new Worker(new URL('../workers/pose.worker.ts', import.meta.url), { type: 'module', name: 'pose-detector' }),
      'The pose detector',
    );
  }

  /** Loads the wasm runtime and the model; resolves when the detector is ready. */
  init(req: Omit<InitRequest, 'type'>): Promise<Reply<'ready'>> {
    return this.request<Reply<'ready'>>({ ...req, type: 'init' });
  }

  /** Detects on a photo and completes the pose; may be sent right after init (the photo loads meanwhile). */
  detect(req: Omit<DetectRequest, 'type'>): Promise<Detection> {
    return this.request<Reply<'detected'>>({ ...req, type: 'detect' });
  }

  /** Completes the last detection again, e.g. with a garment mask saved since. */
  complete(req: Omit<CompleteRequest, 'type'>): Promise<Detection> {
    return this.request<Reply<'detected'>>({ ...req, type: 'complete' });
  }
}
