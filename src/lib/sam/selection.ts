// The garment selection as an undoable list of operations: SAM pieces that add to or remove from the
// selection, brush strokes, invert. The full-resolution mask is the fold of the operations; recent
// folds are cached with their area, and pieces and strokes only touch their bounding box, so
// appending or amending the last operation costs a copy plus work proportional to the piece.
import { area as countArea, areaIn, strokeInto, type Box, type Mask } from './mask.ts';
import type { PromptBox, PromptPoint } from './feeds.ts';

export interface Piece {
  mode: 'add' | 'remove';
  points: PromptPoint[];
  box: PromptBox | null;
  /** Candidate chosen among the decoder's outputs, and their predicted quality. */
  candidate: number;
  scores: number[];
  mask: Mask;
  /** Bounding box of the piece's pixels (null when empty); undefined = unknown, whole photo. */
  bbox?: Box | null;
  /** The chosen candidate's low-res logits, fed back as mask_input when this piece is refined. */
  lowRes: Float32Array | null;
}

interface Folded {
  mask: Mask;
  area: number;
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
  private cache = new Map<OpNode, Folded>();

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
    return this.fold(this.head).mask;
  }

  /** Selected pixels at full resolution. */
  area(): number {
    return this.fold(this.head).area;
  }

  private fold(node: OpNode | null): Folded {
    if (!node) return { mask: new Uint8Array(this.width * this.height), area: 0 };
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

  private applyOp(prev: Folded, op: SelectionOp): Folded {
    const { width, height } = this;
    const n = width * height;
    switch (op.kind) {
      case 'base':
        return { mask: op.mask, area: countArea(op.mask) };
      case 'clear':
        return { mask: new Uint8Array(n), area: 0 };
      case 'invert': {
        const out = new Uint8Array(n);
        const p = prev.mask;
        for (let i = 0; i < n; i++) out[i] = p[i] ^ 1;
        return { mask: out, area: n - prev.area };
      }
      case 'piece': {
        const { mask: m, mode } = op.piece;
        const box = op.piece.bbox === undefined ? { x0: 0, y0: 0, x1: width, y1: height } : op.piece.bbox;
        if (!box) return prev; // an empty piece changes nothing
        const out = prev.mask.slice();
        let before = 0;
        let after = 0;
        for (let y = box.y0; y < box.y1; y++) {
          const row = y * width;
          for (let i = row + box.x0, end = row + box.x1; i < end; i++) {
            before += out[i];
            out[i] = mode === 'add' ? out[i] | m[i] : out[i] & (m[i] ^ 1);
            after += out[i];
          }
        }
        return { mask: out, area: prev.area - before + after };
      }
      case 'stroke': {
        const { points, radius } = op.stroke;
        const box: Box = {
          x0: Math.max(0, Math.floor(Math.min(...points.map((p) => p.x)) - radius - 1)),
          y0: Math.max(0, Math.floor(Math.min(...points.map((p) => p.y)) - radius - 1)),
          x1: Math.min(width, Math.ceil(Math.max(...points.map((p) => p.x)) + radius + 2)),
          y1: Math.min(height, Math.ceil(Math.max(...points.map((p) => p.y)) + radius + 2)),
        };
        const out = prev.mask.slice();
        const before = box.x1 > box.x0 && box.y1 > box.y0 ? areaIn(out, width, box) : 0;
        strokeInto(out, width, height, points, radius, op.stroke.mode === 'paint' ? 1 : 0);
        const after = box.x1 > box.x0 && box.y1 > box.y0 ? areaIn(out, width, box) : 0;
        return { mask: out, area: prev.area - before + after };
      }
    }
  }
}
