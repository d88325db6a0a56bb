// Main-thread side of the SAM worker protocol (src/lib/sam/protocol.ts).
import type { AutoPrompt } from '../lib/sam/auto-select.ts';
import type { EditRequest, InitRequest, SelectionState, WorkerReply } from '../lib/sam/protocol.ts';
import { WorkerBridge } from './worker-bridge.ts';

type Reply<T extends WorkerReply['type']> = Extract<WorkerReply, { type: T }>;

export class SamClient extends WorkerBridge<WorkerReply> {
  constructor() {
    super(
      new Worker(new URL('../workers/sam.worker.ts', import.meta.url), { type: 'module', name: 'sam-decoder' }),
      'The selection engine',
    );
  }

  protected override answers(reply: WorkerReply): boolean {
    return reply.type !== 'progress' && reply.type !== 'preview' && reply.type !== 'settled';
  }

  init(req: Omit<InitRequest, 'type'>): Promise<Reply<'ready'>> {
    return this.request<Reply<'ready'>>({ ...req, type: 'init' }, [req.overlay]);
  }

  /** Fire-and-forget hints (hover, press): the worker coalesces them. */
  hint(req: Extract<EditRequest, { type: 'hover' | 'hover-end' | 'press' }>) {
    this.notify(req);
  }

  edit(
    req: Exclude<EditRequest, { type: 'hover' | 'hover-end' | 'press' | 'export' | 'auto' }>,
  ): Promise<{ state: SelectionState; decodeMs: number | null }> {
    return this.request<Reply<'state'>>(req);
  }

  /** The garment proposed from a prompt (src/lib/sam/auto-select.ts); the selection is replaced, undoably. */
  autoSelect(prompt: AutoPrompt): Promise<Reply<'auto'>> {
    return this.request<Reply<'auto'>>({ type: 'auto', prompt });
  }

  exportPng(): Promise<{ png: Blob; area: number }> {
    return this.request<Reply<'exported'>>({ type: 'export' });
  }
}
