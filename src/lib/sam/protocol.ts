// Typed messages between the mask editor island and the SAM worker. The worker owns the decoder,
// the embedding, the selection (full resolution) and the overlay canvas; the island sends intents.
import type { AutoPrompt } from './auto-select.ts';
import type { CandidateThumbs } from './candidate-thumbs.ts';
import type { PromptBox } from './feeds.ts';

export interface InitRequest {
  type: 'init';
  decoderUrl: string;
  /** Multi-mask decoder (candidates); optional: without it a click gives one mask. */
  multiDecoderUrl: string | null;
  embeddingUrl: string;
  /** Saved mask to start from (PNG URL), if any. */
  maskUrl: string | null;
  photo: { width: number; height: number };
  overlay: OffscreenCanvas;
}

export type EditRequest =
  | { type: 'hover'; x: number; y: number }
  | { type: 'hover-end' }
  /** Pointer pressed at a point: decode ahead of the release (touch has no hover). */
  | { type: 'press'; x: number; y: number }
  | { type: 'click'; x: number; y: number; mode: 'add' | 'remove' }
  | { type: 'box'; box: PromptBox; mode: 'add' | 'remove' }
  | { type: 'candidate'; index: number }
  | { type: 'stroke'; points: { x: number; y: number }[]; radius: number; mode: 'paint' | 'erase' }
  | { type: 'stroke-preview'; points: { x: number; y: number }[]; radius: number; mode: 'paint' | 'erase' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'invert' }
  | { type: 'clear' }
  /** The selection's fill colour (src/lib/sam/overlay-colour.ts); the outline stays black and white. */
  | { type: 'style'; fill: readonly [number, number, number] }
  /** Marching ants on or off (on while the editor is in view, unless the device asks for reduced motion). */
  | { type: 'ants'; on: boolean }
  | { type: 'export' }
  /** Propose the garment from a prompt (src/lib/sam/auto-select.ts): replaces the selection as one undoable step. */
  | { type: 'auto'; prompt: AutoPrompt };

/** Every request carries a sequence number; replies name the one they answer. */
export type WorkerRequest = (InitRequest | EditRequest) & { seq: number };

export interface SelectionState {
  /** Selected pixels at the photo's full resolution. */
  area: number;
  canUndo: boolean;
  canRedo: boolean;
  /** Candidates of the last piece, when the decoder gave several, with a small picture of each (src/lib/sam/candidate-thumbs.ts). */
  candidates: { active: number; scores: number[]; thumbs: CandidateThumbs | null } | null;
  /** The edit is drawn; `area` is still the previous one until a `settled` note follows (big photos). */
  areaPending?: boolean;
}

export type WorkerReply =
  | { type: 'progress'; seq: number; stage: 'decoder' | 'embedding' | 'mask'; loaded: number; total: number }
  | { type: 'ready'; seq: number; state: SelectionState; threads: number; loadMs: number }
  | { type: 'state'; seq: number; state: SelectionState; decodeMs: number | null }
  | { type: 'preview'; seq: number; decodeMs: number }
  /** After a draw-first `state`: the edit is now in the full-resolution selection (exact area). */
  | { type: 'settled'; seq: number; state: SelectionState }
  | { type: 'exported'; seq: number; png: Blob; area: number }
  /** The proposal is the selection now; `confidence` (0..1) below CONFIDENCE_THRESHOLD means "check it". */
  | { type: 'auto'; seq: number; state: SelectionState; confidence: number; decodeMs: number }
  | { type: 'error'; seq: number; code: 'load_failed' | 'decode_failed' | 'export_failed'; message: string };
