/// <reference lib="webworker" />
// SAM mask decoding off the main thread: holds the decoder sessions, the photo's embedding, the
// full-resolution selection and the overlay canvas. Clicks are processed in order; hovers are
// coalesced so only the latest pending one runs.
import { singleMaskIndex, usesOneDecoder } from '../lib/sam/single-from-multi.ts';
import * as ort from 'onnxruntime-web/wasm';
import { fetchBytes } from '../client/fetch-progress.ts';
import { fitInside, type Size } from '../lib/sam/coords.ts';
import { buildDecoderFeeds, type DecoderPrompt, type PromptPoint } from '../lib/sam/feeds.ts';
import {
  dashOutline,
  logitsToMask,
  maskFromLogits,
  outlinePixels,
  maskFromRgba,
  maskToRgba,
  renderOverlay,
  resampleNearest,
  resampleNearestInto,
  scaleBox,
  type Box,
  type Mask,
} from '../lib/sam/mask.ts';
import { SAM_MODEL, decoderInputNames, decoderOutputNames, signatureProblem, type DecoderFile } from '../lib/sam/model.ts';
import { decodeEmbeddingNpy } from '../lib/sam/npy.ts';
import type { EditRequest, InitRequest, SelectionState, WorkerReply, WorkerRequest } from '../lib/sam/protocol.ts';
import { Selection, type Piece } from '../lib/sam/selection.ts';
import { chooseCandidate, cleanMask, scoreCandidate, type AutoPrompt } from '../lib/sam/auto-select.ts';
import { candidateThumbs, type CandidateThumbs } from '../lib/sam/candidate-thumbs.ts';

declare const self: DedicatedWorkerGlobalScope;

const OVERLAY_MAX_SIDE = 1536;
/**
 * The decoder upscales its masks to the size we ask for, for every candidate, inside wasm. Asking for
 * at most 512 px and upscaling only the chosen candidate's logits here (the same bilinear step SAM
 * does) keeps a click fast at any photo size; the logits are smooth, so nothing visible is lost.
 */
const DECODE_MAX_SIDE = 512;
let FILL: [number, number, number, number] = [37, 99, 235, 110];
const EDGE: [number, number, number, number] = [255, 255, 255, 255];
const EDGE2: [number, number, number, number] = [17, 17, 17, 255];
const PREVIEW_FILL: [number, number, number, number] = [250, 204, 21, 90];
const REMOVE_FILL: [number, number, number, number] = [220, 38, 38, 90];
/** Names, sizes and files of the SAM family this build runs. */
const MODEL = SAM_MODEL;
const LOW_RES_PIXELS = MODEL.decoder.lowResSide * MODEL.decoder.lowResSide;

interface Decoded {
  logits: Float32Array; // [C, work.h, work.w]
  lowRes: Float32Array; // [C, lowResSide, lowResSide]
  scores: number[];
  count: number;
  ms: number;
}

let single: ort.InferenceSession;
let multi: ort.InferenceSession | null = null;
let multiLoading: Promise<void> | null = null;
/** The multi-mask file serves single-mask decodes too (MODEL.decoder.singleFromMulti): one download. */
let oneDecoder = false;
/**
 * Decoder sessions by URL: a worker initialised again for another photo (the Batch page prepares one photo after
 * another) keeps them instead of downloading and compiling them again.
 */
const decoderSessions = new Map<string, Promise<ort.InferenceSession>>();
let embedding: Float32Array;
let photo: Size;
let work: Size;
let overlaySize: Size;
let selection: Selection;
let ctx: OffscreenCanvasRenderingContext2D;
let overlayPixels: ImageData;
let baseOverlay: Uint8ClampedArray; // overlay of the current selection, without preview
let overlayMask: Mask; // the selection at overlay size
/** Recent pieces' full decoder output, to switch candidates without decoding again. */
const decodes = new Map<Piece, Decoded>();
const DECODES_KEPT = 6;

function remember(piece: Piece, d: Decoded): Piece {
  decodes.set(piece, d);
  if (decodes.size > DECODES_KEPT) decodes.delete(decodes.keys().next().value!);
  return piece;
}
/** The latest single-point decode (hover, or a press before its release), shared by a click at the same spot. */
let pointCache: { key: string; decoded: Promise<Decoded> } | null = null;

const post = (msg: WorkerReply, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

// ---- decoding --------------------------------------------------------------------------------

// One session.run at a time: hover, press and click decodes may overlap otherwise.
let decodeLock: Promise<unknown> = Promise.resolve();

function decode(prompt: DecoderPrompt, wantCandidates: boolean): Promise<Decoded> {
  const run = decodeLock.then(() => decodeNow(prompt, wantCandidates));
  decodeLock = run.catch(() => {});
  return run;
}

async function decodeNow(prompt: DecoderPrompt, wantCandidates: boolean): Promise<Decoded> {
  // With one decoder file, a single-mask decode runs the multi file and picks the mask below.
  const session = (wantCandidates || oneDecoder) && multi ? multi : single;
  const feeds = buildDecoderFeeds(embedding, prompt, photo, work);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  const started = performance.now();
  const out = await session.run(ortFeeds);
  const ms = performance.now() - started;
  const outputs = MODEL.decoder.outputs;
  const scores = Array.from(out[outputs.scores].data as Float32Array);
  const logits = out[outputs.masks].data as Float32Array;
  const lowRes = out[outputs.lowResMasks].data as Float32Array;
  if (oneDecoder && !wantCandidates) {
    // The single mask the single-mask file would have given, picked from the four.
    const k = singleMaskIndex(scores, feeds[MODEL.decoder.inputs.pointCoords.name]!.dims[1]!);
    const pixels = work.width * work.height;
    return {
      logits: logits.subarray(k * pixels, (k + 1) * pixels),
      lowRes: lowRes.subarray(k * LOW_RES_PIXELS, (k + 1) * LOW_RES_PIXELS),
      scores: [scores[k]!],
      count: 1,
      ms,
    };
  }
  return { logits, lowRes, scores, count: scores.length, ms };
}

function candidateMask(d: Decoded, k: number) {
  return logitsToMask(d.logits, work.width, work.height, photo.width, photo.height, k * work.width * work.height);
}

function bestCandidate(d: Decoded): number {
  let best = 0;
  for (let k = 1; k < d.count; k++) if (d.scores[k] > d.scores[best]) best = k;
  return best;
}

function pieceFrom(d: Decoded, k: number, mode: Piece['mode'], points: PromptPoint[], box: Piece['box']): Piece {
  const { mask, bbox } = candidateMask(d, k);
  return {
    mode,
    points,
    box,
    candidate: k,
    scores: d.scores,
    mask,
    bbox,
    lowRes: d.lowRes.slice(k * LOW_RES_PIXELS, (k + 1) * LOW_RES_PIXELS),
  };
}

// ---- drawing ---------------------------------------------------------------------------------

type Preview = { mask: Mask; size: Size; mode: 'add' | 'remove' } | null;
/** The hover preview on show: the ants wait while there is one. */
let shownPreview: Preview = null;

function redraw(preview: Preview) {
  shownPreview = preview;
  if (!preview) {
    overlayPixels.data.set(baseOverlay);
  } else {
    const px = overlayPixels.data;
    px.set(baseOverlay);
    const m = resampleNearest(preview.mask, preview.size.width, preview.size.height, overlaySize.width, overlaySize.height);
    const c = preview.mode === 'add' ? PREVIEW_FILL : REMOVE_FILL;
    const a = c[3] / 255;
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      const o = i * 4;
      px[o] = px[o] * (1 - a) + c[0] * a;
      px[o + 1] = px[o + 1] * (1 - a) + c[1] * a;
      px[o + 2] = px[o + 2] * (1 - a) + c[2] * a;
      px[o + 3] = Math.max(px[o + 3], c[3]);
    }
  }
  ctx.putImageData(overlayPixels, 0, 0);
}

// Marching ants: the outline's dashes move while the editor is in view (the island says when, and not at all for
// reduced motion). Only the outline's pixels are redrawn, and only the box around them is put on the canvas.
const ANTS_STEP_MS = 120;
let antsPhase = 0;
let antsTimer: ReturnType<typeof setInterval> | null = null;
/** The outline's pixels in the overlay; null after an edit redrew it (found again at the next step). */
let outline: ReturnType<typeof outlinePixels> | null = null;

function marchAnts(on: boolean) {
  if (on && !antsTimer) antsTimer = setInterval(stepAnts, ANTS_STEP_MS);
  if (!on && antsTimer) {
    clearInterval(antsTimer);
    antsTimer = null;
  }
}

function stepAnts() {
  if (!baseOverlay || shownPreview) return;
  outline ??= outlinePixels(baseOverlay, overlaySize.width, EDGE, EDGE2);
  const box = outline.box;
  if (!box) return;
  antsPhase = (antsPhase + 1) & 7;
  dashOutline(baseOverlay, overlaySize.width, outline.indices, EDGE, EDGE2, antsPhase);
  dashOutline(overlayPixels.data, overlaySize.width, outline.indices, EDGE, EDGE2, antsPhase);
  ctx.putImageData(overlayPixels, 0, 0, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
}

/** Redraws the selection overlay; `changed` (photo pixels) limits the work to what an edit touched. */
function refreshSelectionOverlay(changed: Box | null | undefined) {
  const ow = overlaySize.width;
  const oh = overlaySize.height;
  const full = { x0: 0, y0: 0, x1: ow, y1: oh };
  if (changed === null) return redraw(null); // nothing changed
  const rect = changed ? scaleBox(changed, photo.width, photo.height, ow, oh, 2) : full;
  resampleNearestInto(selection.mask(), photo.width, photo.height, overlayMask, ow, oh, rect);
  // The outline of a pixel depends on its neighbours: redraw one pixel around the rectangle too.
  const ring = { x0: Math.max(0, rect.x0 - 1), y0: Math.max(0, rect.y0 - 1), x1: Math.min(ow, rect.x1 + 1), y1: Math.min(oh, rect.y1 + 1) };
  renderOverlay(overlayMask, ow, oh, baseOverlay, FILL, EDGE, ring, EDGE2, antsPhase);
  outline = null;
  redraw(null);
}

/** Side of the "Other shapes" pictures, in pixels (drawn at 48 CSS px, sharp on a 2× screen). */
const THUMB_SIDE = 96;
const thumbsOf = new WeakMap<Decoded, CandidateThumbs>();

function thumbs(d: Decoded | undefined): CandidateThumbs | null {
  if (!d || d.count < 2) return null;
  const kept = thumbsOf.get(d);
  if (kept) return kept;
  const made = candidateThumbs(d.lowRes, d.count, photo, THUMB_SIDE);
  thumbsOf.set(d, made);
  return made;
}

function state(): SelectionState {
  const last = selection.lastPiece;
  return {
    area: selection.area(),
    canUndo: selection.canUndo,
    canRedo: selection.canRedo,
    candidates: last && last.scores.length > 1 ? { active: last.candidate, scores: last.scores, thumbs: thumbs(decodes.get(last)) } : null,
  };
}

// ---- requests --------------------------------------------------------------------------------

async function init(req: InitRequest & { seq: number }) {
  const started = performance.now();
  photo = req.photo;
  work = fitInside(photo, DECODE_MAX_SIDE);
  overlaySize = fitInside(photo, OVERLAY_MAX_SIDE);
  req.overlay.width = overlaySize.width;
  req.overlay.height = overlaySize.height;
  ctx = req.overlay.getContext('2d')!;
  overlayPixels = ctx.createImageData(overlaySize.width, overlaySize.height);
  baseOverlay = new Uint8ClampedArray(overlayPixels.data.length);
  outline = null;
  overlayMask = new Uint8Array(overlaySize.width * overlaySize.height);

  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  const progress = (stage: 'decoder' | 'embedding' | 'mask') => (loaded: number, total: number) =>
    post({ type: 'progress', seq: req.seq, stage, loaded, total });

  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  /** A decoder session, refused with a clear message when the file is not the described model. */
  const decoderSession = async (bytes: ArrayBuffer, file: DecoderFile) => {
    const session = await ort.InferenceSession.create(new Uint8Array(bytes), options);
    const expected = { inputs: decoderInputNames(MODEL), outputs: decoderOutputNames(MODEL) };
    const problem = signatureProblem(`${file.file} (${MODEL.title} mask decoder)`, expected, session);
    if (problem) throw new Error(problem);
    return session;
  };
  const cachedSession = (url: string, file: DecoderFile, onProgress: (loaded: number, total: number) => void) => {
    let session = decoderSessions.get(url);
    if (!session) {
      session = fetchBytes(url, onProgress).then((bytes) => decoderSession(bytes, file));
      session.catch(() => decoderSessions.delete(url));
      decoderSessions.set(url, session);
    }
    return session;
  };
  // One file for both uses where the family allows it (the multi file; see src/lib/sam/single-from-multi.ts).
  oneDecoder = usesOneDecoder(MODEL, req.multiDecoderUrl);
  const primary = oneDecoder
    ? { url: req.multiDecoderUrl!, file: MODEL.decoder.files.multi }
    : { url: req.decoderUrl, file: MODEL.decoder.files.single };
  const warm = decoderSessions.has(primary.url);
  pointCache = null;
  decodes.clear();
  // The decoder session is created as soon as its bytes arrive, while the embedding still downloads.
  const [singleSession, npy, maskBytes] = await Promise.all([
    cachedSession(primary.url, primary.file, progress('decoder')),
    fetchBytes(req.embeddingUrl, progress('embedding')),
    req.maskUrl ? fetchBytes(req.maskUrl, progress('mask')) : Promise.resolve(null),
  ]);
  single = singleSession;
  embedding = decodeEmbeddingNpy(npy).values;
  // Candidates come from the multi-mask decoder, loaded after the editor is ready; clicks before
  // that use the single-mask decoder.
  const multiUrl = oneDecoder ? null : req.multiDecoderUrl;
  multi = oneDecoder ? singleSession : null;
  multiLoading = null;
  if (multiUrl) {
    multiLoading = cachedSession(multiUrl, MODEL.decoder.files.multi, () => {})
      .then((s) => {
        multi = s;
      })
      .catch(() => {});
  }

  let base: Mask | null = null;
  if (maskBytes) {
    const bitmap = await createImageBitmap(new Blob([maskBytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(photo.width, photo.height);
    const c = canvas.getContext('2d', { willReadFrequently: true })!;
    c.drawImage(bitmap, 0, 0);
    base = maskFromRgba(c.getImageData(0, 0, photo.width, photo.height).data, photo.width * photo.height);
  }
  selection = new Selection(photo.width, photo.height, base);
  // Warm the decoder so the first click is as fast as the rest (once per session: it stays warm).
  if (!warm) await decode({ points: [{ x: photo.width / 2, y: photo.height / 2, label: 1 }] }, false);
  refreshSelectionOverlay(undefined);
  post({ type: 'ready', seq: req.seq, state: state(), threads: ort.env.wasm.numThreads ?? 1, loadMs: performance.now() - started });
}

const pointKey = (x: number, y: number) => `${Math.round(x)},${Math.round(y)}`;

function decodePoint(x: number, y: number): Promise<Decoded> {
  const key = pointKey(x, y);
  if (pointCache?.key === key) return pointCache.decoded;
  const decoded = (async () => {
    // A click right after the editor opened waits for the candidates' decoder rather than lacking them.
    if (multiLoading) await multiLoading;
    return decode({ points: [{ x, y, label: 1 }] }, true);
  })();
  pointCache = { key, decoded };
  decoded.catch(() => {
    if (pointCache?.decoded === decoded) pointCache = null;
  });
  return decoded;
}

interface EditOutcome {
  decodeMs: number | null;
  /** Photo region the edit changed: a box, null for nothing, undefined for anything. */
  changed: Box | null | undefined;
  /** A new piece on a big photo: drawn at overlay size first, added at full resolution after the reply. */
  deferred?: { d: Decoded; k: number; mode: Piece['mode']; points: PromptPoint[]; box: Piece['box'] };
}

/** Photos much larger than the overlay get the draw-first path for new pieces. */
const drawFirst = () => photo.width * photo.height > 2 * overlaySize.width * overlaySize.height;

const union2 = (a: Box | null | undefined, b: Box | null | undefined): Box | null | undefined => {
  if (a === undefined || b === undefined) return undefined;
  if (!a) return b;
  if (!b) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
};

async function edit(req: EditRequest & { seq: number }): Promise<EditOutcome> {
  switch (req.type) {
    case 'click': {
      const last = selection.lastPiece;
      const inside = (p: Piece) => p.mask[Math.floor(req.y) * photo.width + Math.floor(req.x)] === 1;
      if (req.mode === 'remove' && last && last.mode === 'add' && inside(last)) {
        // Refine the piece just made: SAM with a background point and the previous mask as a hint.
        const points: PromptPoint[] = [...last.points, { x: req.x, y: req.y, label: 0 }];
        const d = await decode({ points, box: last.box, maskInput: last.lowRes }, false);
        const piece = pieceFrom(d, 0, 'add', points, last.box);
        selection.amendLastPiece(piece);
        return { decodeMs: d.ms, changed: union2(last.bbox, piece.bbox) };
      }
      // Otherwise the click selects the region under it, which is added or removed as a whole.
      const d = await decodePoint(req.x, req.y);
      const points: PromptPoint[] = [{ x: req.x, y: req.y, label: 1 }];
      if (drawFirst()) return { decodeMs: d.ms, changed: null, deferred: { d, k: bestCandidate(d), mode: req.mode, points, box: null } };
      const piece = remember(pieceFrom(d, bestCandidate(d), req.mode, points, null), d);
      selection.apply({ kind: 'piece', piece });
      return { decodeMs: d.ms, changed: piece.bbox };
    }
    case 'box': {
      const d = await decode({ points: [], box: req.box }, false);
      if (drawFirst()) return { decodeMs: d.ms, changed: null, deferred: { d, k: 0, mode: req.mode, points: [], box: req.box } };
      const piece = pieceFrom(d, 0, req.mode, [], req.box);
      selection.apply({ kind: 'piece', piece });
      return { decodeMs: d.ms, changed: piece.bbox };
    }
    case 'candidate': {
      // Only single-click pieces have candidates; their decode is deterministic, so an evicted one is redone.
      const last = selection.lastPiece;
      if (!last || last.scores.length < 2 || req.index < 0 || req.index >= last.scores.length || req.index === last.candidate) {
        return { decodeMs: null, changed: null };
      }
      const d = decodes.get(last) ?? (await decode({ points: last.points }, true));
      const piece = remember(pieceFrom(d, req.index, last.mode, last.points, last.box), d);
      selection.amendLastPiece(piece);
      return { decodeMs: null, changed: union2(last.bbox, piece.bbox) };
    }
    case 'stroke': {
      selection.apply({ kind: 'stroke', stroke: { mode: req.mode, radius: req.radius, points: req.points } });
      const xs = req.points.map((p) => p.x);
      const ys = req.points.map((p) => p.y);
      const r = req.radius + 1;
      return {
        decodeMs: null,
        changed: {
          x0: Math.max(0, Math.floor(Math.min(...xs) - r)),
          y0: Math.max(0, Math.floor(Math.min(...ys) - r)),
          x1: Math.min(photo.width, Math.ceil(Math.max(...xs) + r)),
          y1: Math.min(photo.height, Math.ceil(Math.max(...ys) + r)),
        },
      };
    }
    case 'undo':
      selection.undo();
      return { decodeMs: null, changed: undefined };
    case 'redo':
      selection.redo();
      return { decodeMs: null, changed: undefined };
    case 'invert':
      selection.apply({ kind: 'invert' });
      return { decodeMs: null, changed: undefined };
    case 'clear':
      selection.apply({ kind: 'clear' });
      return { decodeMs: null, changed: undefined };
    case 'style':
      FILL = [req.fill[0], req.fill[1], req.fill[2], FILL[3]];
      return { decodeMs: null, changed: undefined };
    case 'ants':
      marchAnts(req.on);
      return { decodeMs: null, changed: null };
    default:
      return { decodeMs: null, changed: null };
  }
}

/**
 * The proposal: SAM's candidates for the region's box and points, judged at decode size against the region, the
 * best one cleaned there; the full-resolution mask follows the clean-up wherever a decode-size pixel changed.
 */
async function autoSelect(seq: number, prompt: AutoPrompt) {
  if (multiLoading) await multiLoading;
  const d = await decode({ points: prompt.points, box: prompt.region }, true);
  const n = work.width * work.height;
  const sx = work.width / photo.width;
  const sy = work.height / photo.height;
  const region = { x0: prompt.region.x0 * sx, y0: prompt.region.y0 * sy, x1: prompt.region.x1 * sx, y1: prompt.region.y1 * sy };
  const small = Array.from({ length: d.count }, (_, k) => maskFromLogits(d.logits, n, k));
  const { index, score } = chooseCandidate(small.map((m, k) => scoreCandidate(m, work.width, work.height, region, d.scores[k])));
  const raw = small[index];
  const { mask: cleaned } = cleanMask(raw, work.width, work.height);
  const full = candidateMask(d, index).mask;
  // Nearest decode-size pixel of each photo row and column, then only where the clean-up changed something.
  const col = new Int32Array(photo.width);
  for (let x = 0; x < photo.width; x++) col[x] = Math.min(work.width - 1, Math.floor((x + 0.5) * sx));
  for (let y = 0; y < photo.height; y++) {
    const wy = Math.min(work.height - 1, Math.floor((y + 0.5) * sy)) * work.width;
    const row = y * photo.width;
    for (let x = 0; x < photo.width; x++) {
      const w = wy + col[x];
      if (cleaned[w] !== raw[w]) full[row + x] = cleaned[w];
    }
  }
  selection.apply({ kind: 'base', mask: full });
  refreshSelectionOverlay(undefined);
  post({ type: 'auto', seq, state: state(), confidence: score.confidence, decodeMs: d.ms });
}

async function exportPng(seq: number) {
  const rgba = maskToRgba(selection.mask());
  const canvas = new OffscreenCanvas(photo.width, photo.height);
  const c = canvas.getContext('2d')!;
  c.putImageData(new ImageData(rgba, photo.width, photo.height), 0, 0);
  const png = await canvas.convertToBlob({ type: 'image/png' });
  post({ type: 'exported', seq, png, area: selection.area() });
}

/**
 * Big photos: the new piece is drawn from logits scaled to the overlay and the editor is told at
 * once (the click feels instant); then the piece is made at full resolution, added to the selection,
 * and a `settled` note brings the exact area. Edits queue behind this, so nothing sees a half state.
 */
function drawThenSettle(seq: number, decodeMs: number | null, p: NonNullable<EditOutcome['deferred']>) {
  const ow = overlaySize.width;
  const oh = overlaySize.height;
  const n = work.width * work.height;
  const { mask: small, bbox } = logitsToMask(p.d.logits, work.width, work.height, ow, oh, p.k * n);
  if (bbox) {
    for (let y = bbox.y0; y < bbox.y1; y++) {
      for (let i = y * ow + bbox.x0, end = y * ow + bbox.x1; i < end; i++) {
        overlayMask[i] = p.mode === 'add' ? overlayMask[i] | small[i] : overlayMask[i] & (small[i] ^ 1);
      }
    }
    const ring = {
      x0: Math.max(0, bbox.x0 - 1),
      y0: Math.max(0, bbox.y0 - 1),
      x1: Math.min(ow, bbox.x1 + 1),
      y1: Math.min(oh, bbox.y1 + 1),
    };
    renderOverlay(overlayMask, ow, oh, baseOverlay, FILL, EDGE, ring, EDGE2, antsPhase);
    outline = null;
  }
  redraw(null);
  const before = state();
  post({
    type: 'state',
    seq,
    state: {
      ...before,
      canUndo: true,
      canRedo: false,
      candidates: p.d.count > 1 ? { active: p.k, scores: p.d.scores, thumbs: thumbs(p.d) } : null,
      areaPending: true,
    },
    decodeMs,
  });
  const piece = pieceFrom(p.d, p.k, p.mode, p.points, p.box);
  if (p.points.length === 1 && !p.box) remember(piece, p.d);
  selection.apply({ kind: 'piece', piece });
  post({ type: 'settled', seq, state: state() });
}

// ---- scheduling ------------------------------------------------------------------------------

let chain: Promise<void> = Promise.resolve();
let pendingHover: (EditRequest & { type: 'hover'; seq: number }) | null = null;
let hoverRunning = false;
let hoverGeneration = 0;

function enqueue(task: () => Promise<void>) {
  chain = chain.then(task, task);
}

async function runHover() {
  if (hoverRunning || !pendingHover) return;
  hoverRunning = true;
  while (pendingHover) {
    const req = pendingHover;
    pendingHover = null;
    const generation = hoverGeneration;
    try {
      await chain; // edits first
      const d = await decodePoint(req.x, req.y);
      if (generation !== hoverGeneration) continue; // the pointer left or a click happened meanwhile
      const k = bestCandidate(d);
      const n = work.width * work.height;
      redraw({ mask: maskFromLogits(d.logits.subarray(k * n, (k + 1) * n), n), size: work, mode: 'add' });
      post({ type: 'preview', seq: req.seq, decodeMs: d.ms });
    } catch (err) {
      post({ type: 'error', seq: req.seq, code: 'decode_failed', message: String((err as Error)?.message ?? err) });
    }
  }
  hoverRunning = false;
}

// ORT's wasm threads start this same script as their worker (named "em-pthread…"); those instances
// belong to ORT and must not answer the editor's messages.
const isOrtThread = self.name.startsWith('em-pthread');

if (!isOrtThread)
  self.onmessage = (event: MessageEvent<WorkerRequest>) => {
    const req = event.data;
    switch (req.type) {
      case 'init':
        enqueue(() =>
          init(req).catch((err) =>
            post({ type: 'error', seq: req.seq, code: 'load_failed', message: String((err as Error)?.message ?? err) }),
          ),
        );
        return;
      case 'hover':
        pendingHover = req;
        void runHover();
        return;
      case 'hover-end':
        hoverGeneration++;
        pendingHover = null;
        enqueue(async () => redraw(null));
        return;
      case 'press':
        // A finger or pen went down: start decoding now, the release reuses it (no drawing).
        if (selection) void decodePoint(req.x, req.y).catch(() => {});
        return;
      case 'auto':
        hoverGeneration++;
        pendingHover = null;
        enqueue(() =>
          autoSelect(req.seq, req.prompt).catch((err) =>
            post({ type: 'error', seq: req.seq, code: 'decode_failed', message: String((err as Error)?.message ?? err) }),
          ),
        );
        return;
      case 'export':
        enqueue(() =>
          exportPng(req.seq).catch((err) => post({ type: 'error', seq: req.seq, code: 'export_failed', message: String(err) })),
        );
        return;
      default:
        hoverGeneration++;
        pendingHover = null;
        enqueue(async () => {
          try {
            const outcome = await edit(req);
            if (outcome.deferred) return drawThenSettle(req.seq, outcome.decodeMs, outcome.deferred);
            refreshSelectionOverlay(outcome.changed);
            post({ type: 'state', seq: req.seq, state: state(), decodeMs: outcome.decodeMs });
          } catch (err) {
            post({ type: 'error', seq: req.seq, code: 'decode_failed', message: String((err as Error)?.message ?? err) });
          }
        });
    }
  };
