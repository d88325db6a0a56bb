// The garment selection as an undoable list of operations: SAM pieces that add to or remove from the
// selection, brush strokes, invert. The full-resolution mask is the fold of the operations; recent
// folds are cached so appending or amending the last operation costs one pass over the pixels.
import { strokeInto, type Mask } from './mask.ts';
import type { PromptBox, PromptPoint } from './feeds.ts';

export interface Piece {
  mode: 'add' | 'remove';
  points: PromptPoint[];
  box: PromptBox | null;
  /** Candidate chosen among the decoder's outputs, and their predicted quality. */
  candidate: number;
  scores: number[];
  mask: Mask;
  /** The chosen candidate's low-res logits, fed back as mask_input when this piece is refined. */
  lowRes: Float32Array | null;
}

export interface Stroke {
  mode: 'paint' | 'erase';
  radius: number;
  points: { x: number; y: number }[];
}

export type SelectionOp =
  | { kind: 'base'; mask: Mask }
  | { kind: 'piece'; piece: Piece }
  | { kind: 'stroke'; stroke: Stroke }
  | { kind: 'invert' }
  | { kind: 'clear' };

interface OpNode {
  op: SelectionOp;
  parent: OpNode | null;
}

const CACHE_SIZE = 4;

export class Selection {
  readonly width: number;
  readonly height: number;
  /** history[0] is the empty selection; history[index] is the current one. */
  private history: (OpNode | null)[] = [null];
  private index = 0;
  private cache = new Map<OpNode, Mask>();

  constructor(width: number, height: number, base?: Mask | null) {
    this.width = width;
    this.height = height;
    if (base) {
      if (base.length !== width * height) throw new Error('base mask size does not match the photo');
      // The saved mask is the starting point, not an undoable step.
      this.history = [{ op: { kind: 'base', mask: base }, parent: null }];
    }
  }

  get canUndo(): boolean {
    return this.index > 0;
  }
  get canRedo(): boolean {
    return this.index < this.history.length - 1;
  }

  private get head(): OpNode | null {
    return this.history[this.index];
  }

  /** The last operation if it is a piece (the one clicks refine and candidates switch). */
  get lastPiece(): Piece | null {
    const op = this.head?.op;
    return op?.kind === 'piece' ? op.piece : null;
  }

  private push(node: OpNode) {
    this.history = this.history.slice(0, this.index + 1);
    this.history.push(node);
    this.index++;
  }

  apply(op: SelectionOp): void {
    this.push({ op, parent: this.head });
  }

  /** Replaces the last piece (refinement or another candidate) as a new undoable step. */
  amendLastPiece(piece: Piece): void {
    const head = this.head;
    if (head?.op.kind !== 'piece') throw new Error('the last step is not a piece');
    this.push({ op: { kind: 'piece', piece }, parent: head.parent });
  }

  undo(): boolean {
    if (!this.canUndo) return false;
    this.index--;
    return true;
  }

  redo(): boolean {
    if (!this.canRedo) return false;
    this.index++;
    return true;
  }

  /** The selection at full resolution. Do not mutate the returned mask. */
  mask(): Mask {
    return this.fold(this.head);
  }

  private fold(node: OpNode | null): Mask {
    if (!node) return new Uint8Array(this.width * this.height);
    const hit = this.cache.get(node);
    if (hit) {
      this.cache.delete(node);
      this.cache.set(node, hit);
      return hit;
    }
    const out = this.applyOp(this.fold(node.parent), node.op);
    this.cache.set(node, out);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return out;
  }

  private applyOp(prev: Mask, op: SelectionOp): Mask {
    const n = this.width * this.height;
    switch (op.kind) {
      case 'base':
        return op.mask;
      case 'clear':
        return new Uint8Array(n);
      case 'invert': {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) out[i] = prev[i] ^ 1;
        return out;
      }
      case 'piece': {
        const out = new Uint8Array(n);
        const m = op.piece.mask;
        if (op.piece.mode === 'add') for (let i = 0; i < n; i++) out[i] = prev[i] | m[i];
        else for (let i = 0; i < n; i++) out[i] = prev[i] & (m[i] ^ 1);
        return out;
      }
      case 'stroke': {
        const out = prev.slice();
        strokeInto(out, this.width, this.height, op.stroke.points, op.stroke.radius, op.stroke.mode === 'paint' ? 1 : 0);
        return out;
      }
    }
  }
}
