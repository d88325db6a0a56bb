// Garment selection editor: photo + overlay (drawn by the SAM worker) + an interaction layer.
// The editor only turns pointer/keyboard input into worker requests and shows the state; the saved
// mask is a synced document (src/client/synced-document.ts) in the studio store.
import { createSignal, onCleanup, onMount, Show, For, type JSX } from 'solid-js';
import { debugReadouts } from '../client/device.ts';
import { createZoomGestures } from '../client/zoom-gestures.ts';
import ZoomButtons, { PHOTO_MAX_HEIGHT } from './ZoomButtons.tsx';
import CandidateThumb from './CandidateThumb.tsx';
import StagedProgress from './StagedProgress.tsx';
import { takeJustUploaded, uploadStages } from '../client/upload-stages.ts';
import { contrastingOverlay, meanColour, OVERLAY_COLOURS, type Rgb } from '../lib/sam/overlay-colour.ts';
import { SamClient } from '../client/sam-client.ts';
import { useStudio } from '../client/studio-store.ts';
import { CONFLICT_MESSAGES, createSyncedDocument } from '../client/synced-document.ts';
import type { SelectionState } from '../lib/sam/protocol.ts';
import { autoPrompt, CONFIDENCE_THRESHOLD, DEFAULT_GARMENT_KIND, GARMENT_KINDS, type GarmentKind } from '../lib/sam/auto-select.ts';
import { translator } from '../i18n/messages.ts';

type Tool = 'point' | 'box' | 'brush';
type Mode = 'add' | 'remove';

const CLICK_SLOP_PX = 6;
/** How long the proposal waits for the pose step's body before asking for the central object. */
const BODY_WAIT_MS = 20_000;
const KIND_KEY = 'atelier-garment-kind';
/** 'off': this device's merchant prefers to select by hand (the kind buttons still propose when tapped). */
const AUTO_KEY = 'atelier-auto-select';
type AutoState = 'idle' | 'working' | 'done' | 'check' | 'failed';

/** The garment kind last tapped on this device. */
function rememberedKind(): GarmentKind {
  const k = globalThis.localStorage?.getItem(KIND_KEY);
  return (GARMENT_KINDS as readonly string[]).includes(k ?? '') ? (k as GarmentKind) : DEFAULT_GARMENT_KIND;
}

export default function MaskEditor() {
  const studio = useStudio();
  const { data } = studio;
  const m = translator(data.lang);
  const sessionId = data.session.id;
  const photo = { url: data.session.image.url, width: data.session.image.width, height: data.session.image.height };

  const [tool, setTool] = createSignal<Tool>('point');
  const [mode, setMode] = createSignal<Mode>('add');
  const [brush, setBrush] = createSignal(24); // display px (diameter)
  const [state, setState] = createSignal<SelectionState | null>(null);
  const [loading, setLoading] = createSignal<{ decoder: number; embedding: number } | null>({ decoder: 0, embedding: 0 });
  /** A press on the photo before the tool was ready: kept, shown where it was made, and answered once ready. */
  const [earlyPress, setEarlyPress] = createSignal<{ x: number; y: number; mode: 'add' | 'remove' } | null>(null);
  /** A click on its way to the decoder (shown as a ripple at its point). */
  const [clickAt, setClickAt] = createSignal<{ x: number; y: number } | null>(null);
  const [problem, setProblem] = createSignal<string | null>(data.modelsProblem);
  const [busy, setBusy] = createSignal(false);
  const [lastDecodeMs, setLastDecodeMs] = createSignal<number | null>(null);
  /** Index in OVERLAY_COLOURS of the selection's colour: the one contrasting with the photo, or the merchant's. */
  const [overlayColour, setOverlayColour] = createSignal(0);
  /** Phones: the secondary tools (brush size, redo, invert, colour, clear, other shapes, save) in a sheet above the bar. */
  const [moreOpen, setMoreOpen] = createSignal(false);
  /** Opened straight from an upload in this tab: the loading bar continues the upload's stages. */
  const [justUploaded, setJustUploaded] = createSignal(false); // read once the island runs here (SSR has no tab)
  const secondary = () => ({ 'max-md:hidden': !moreOpen() });
  let photoImg!: HTMLImageElement;
  /** Whether the merchant changed the selection in this visit: "Saved" is said only then. */
  const [touched, setTouched] = createSignal(false);
  // Set after hydration: the server renders without it.
  const [debug, setDebug] = createSignal(false);
  // The server renders the default; the device's remembered kind is read once the island runs here.
  const [kind, setKind] = createSignal<GarmentKind>(DEFAULT_GARMENT_KIND);
  const [autoState, setAutoState] = createSignal<AutoState>('idle');
  const [autoOn, setAutoOn] = createSignal(true);

  let stage!: HTMLDivElement;
  let overlay!: HTMLCanvasElement;
  let input!: HTMLCanvasElement;
  let client: SamClient | null = null;

  const doc = createSyncedDocument({
    kind: 'mask',
    sessionId,
    lang: data.lang,
    state: () => studio.state.documents.mask,
    setState: (next) => studio.setDocument('mask', next),
    canSave: () => client !== null,
    snapshot: async () => (await client!.exportPng()).png,
    accepted: (answer) => studio.maskSaved(answer.session),
  });
  const saveState = () => studio.state.documents.mask;

  // ---- worker lifecycle ---------------------------------------------------------------------
  // Marching ants while the photo is on screen (not on another step, not in a hidden tab); a still outline for
  // reduced motion.
  let photoInView = false;
  const marchAnts = () => {
    const on = photoInView && document.visibilityState === 'visible' && !matchMedia('(prefers-reduced-motion: reduce)').matches;
    if (ready()) void client?.edit({ type: 'ants', on }).catch(() => {});
  };
  onMount(() => {
    const seen = new IntersectionObserver(([entry]) => {
      photoInView = !!entry?.isIntersecting;
      marchAnts();
    });
    seen.observe(stage);
    document.addEventListener('visibilitychange', marchAnts);
    onCleanup(() => {
      seen.disconnect();
      document.removeEventListener('visibilitychange', marchAnts);
    });
  });

  onMount(async () => {
    setJustUploaded(takeJustUploaded(sessionId));
    setDebug(debugReadouts());
    setKind(rememberedKind());
    setAutoOn(globalThis.localStorage?.getItem(AUTO_KEY) !== 'off');
    // Other steps (pose detection) wait for this so they don't compete for the CPU meanwhile.
    if (problem() || !data.decoderUrl) return studio.selectionSettled();
    client = new SamClient();
    client.on((r) => {
      if (r.type === 'settled') setState(r.state);
      if (r.type === 'progress' && (r.stage === 'decoder' || r.stage === 'embedding')) {
        const pct = r.total ? r.loaded / r.total : 0;
        setLoading((l) => (l ? { ...l, [r.stage]: pct } : l));
      }
    });
    // An edit kept on this device (made offline, not yet synced) is newer than the server's mask.
    const kept = await doc.keptEdit();
    const keptUrl = kept instanceof Blob ? URL.createObjectURL(kept) : null;
    if (keptUrl) doc.showingKept();
    try {
      const ready = await client.init({
        decoderUrl: data.decoderUrl,
        multiDecoderUrl: data.multiDecoderUrl,
        embeddingUrl: data.session.embedding.url,
        maskUrl: keptUrl ?? data.session.mask?.url ?? null,
        photo: { width: photo.width, height: photo.height },
        overlay: overlay.transferControlToOffscreen(),
      });
      setState(ready.state);
      setLoading(null);
      stage.dataset.ready = 'true';
      studio.selectionSettled();
      stage.dataset.threads = String(ready.threads);
      void photoCentreColour().then((c) => showOverlayColour(contrastingOverlay(c)));
      marchAnts();
      const early = earlyPress();
      setEarlyPress(null);
      // A press made while loading is the merchant's choice: it is answered instead of a proposal.
      if (early) void run({ type: 'click', x: early.x, y: early.y, mode: early.mode });
      // Nothing selected yet: the studio proposes the garment itself, from the body the pose step finds.
      else if (!ready.state.area && !keptUrl && autoOn()) void propose();
    } catch (err) {
      setLoading(null);
      setProblem(m('editor.failed', { message: (err as Error).message }));
      studio.selectionSettled();
    }
  });

  onCleanup(() => client?.terminate());

  /** Mean colour of the photo's central region, where the garment usually is (a 32 px copy is enough). */
  async function photoCentreColour(): Promise<Rgb> {
    await photoImg.decode().catch(() => {});
    const canvas = new OffscreenCanvas(32, 32);
    const c = canvas.getContext('2d', { willReadFrequently: true })!;
    try {
      c.drawImage(photoImg, 0, 0, 32, 32);
    } catch {
      return [128, 128, 128];
    }
    return meanColour(c.getImageData(8, 8, 16, 16).data);
  }

  function showOverlayColour(i: number) {
    setOverlayColour(i);
    stage.dataset.overlayColour = OVERLAY_COLOURS[i]!.id;
    void client?.edit({ type: 'style', fill: OVERLAY_COLOURS[i]!.rgb }).catch(() => {});
  }

  /** The garment proposed for the chosen kind (replacing the selection as one undoable step). */
  /** Edits the merchant made: a proposal waiting for the body does not replace a selection begun meanwhile. */
  let editsMade = 0;
  async function propose() {
    if (!client) return;
    const editsBefore = editsMade;
    setAutoState('working');
    try {
      const body = studio.state.savedPose?.pose ?? (await studio.untilBody(BODY_WAIT_MS));
      if (editsMade !== editsBefore) {
        setAutoState('idle');
        return;
      }
      const started = performance.now();
      const r = await client.autoSelect(autoPrompt(body, kind(), photo));
      // The proposal's own time (prompt, decoder runs, choice, clean-up, drawing), read by bench/auto-select.ts.
      stage.dataset.autoMs = (performance.now() - started).toFixed(1);
      setState(r.state);
      setLastDecodeMs(r.decodeMs);
      stage.dataset.autoConfidence = r.confidence.toFixed(3);
      stage.dataset.autoRuns = String(Number(stage.dataset.autoRuns ?? 0) + 1);
      setAutoState(r.state.area > 0 && r.confidence >= CONFIDENCE_THRESHOLD ? 'done' : 'check');
      if (r.state.area > 0) doc.edited();
    } catch {
      setAutoState('failed');
    }
  }

  function chooseKind(next: GarmentKind) {
    setKind(next);
    globalThis.localStorage?.setItem(KIND_KEY, next);
    if (ready() && autoState() !== 'working') void propose();
  }

  const ready = () => state() !== null && !problem();

  async function run(req: Parameters<SamClient['edit']>[0]) {
    if (!client || !ready()) return;
    editsMade++;
    setTouched(true);
    setBusy(true);
    // A ripple where the merchant clicked until the mask is there: the click was heard.
    if (req.type === 'click') setClickAt({ x: req.x, y: req.y });
    try {
      const r = await client.edit(req);
      setState(r.state);
      if (r.decodeMs !== null) setLastDecodeMs(r.decodeMs);
      doc.edited();
    } catch (err) {
      setProblem(m('editor.failed', { message: (err as Error).message }));
    } finally {
      setBusy(false);
      setClickAt(null);
    }
  }

  // ---- pointer input ------------------------------------------------------------------------
  const toPhoto = (e: PointerEvent | MouseEvent) => {
    const r = input.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * photo.width;
    const y = ((e.clientY - r.top) / r.height) * photo.height;
    return { x: Math.min(photo.width - 1, Math.max(0, x)), y: Math.min(photo.height - 1, Math.max(0, y)) };
  };
  const displayScale = () => photo.width / input.getBoundingClientRect().width;

  let drag: { start: PointerEvent; points: { x: number; y: number }[]; mode: Mode; moved: boolean } | null = null;
  let hoverFrame = 0;

  function sizeInputCanvas() {
    const r = input.getBoundingClientRect();
    input.width = Math.max(1, Math.round(r.width * devicePixelRatio));
    input.height = Math.max(1, Math.round(r.height * devicePixelRatio));
  }

  function drawInteraction() {
    const c = input.getContext('2d')!;
    c.clearRect(0, 0, input.width, input.height);
    if (!drag) return;
    const k = input.width / photo.width;
    c.save();
    if (tool() === 'box' && drag.points.length > 1) {
      const a = drag.points[0];
      const b = drag.points[drag.points.length - 1];
      c.strokeStyle = drag.mode === 'add' ? '#facc15' : '#dc2626';
      c.lineWidth = 2 * devicePixelRatio;
      c.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      c.strokeRect(a.x * k, a.y * k, (b.x - a.x) * k, (b.y - a.y) * k);
    } else if (tool() === 'brush') {
      c.strokeStyle = drag.mode === 'add' ? 'rgba(37,99,235,0.55)' : 'rgba(220,38,38,0.55)';
      c.lineCap = 'round';
      c.lineJoin = 'round';
      c.lineWidth = brush() * devicePixelRatio;
      c.beginPath();
      for (const [i, p] of drag.points.entries()) {
        if (i) c.lineTo(p.x * k, p.y * k);
        else c.moveTo(p.x * k, p.y * k);
      }
      if (drag.points.length === 1) c.lineTo(drag.points[0].x * k + 0.01, drag.points[0].y * k);
      c.stroke();
    }
    c.restore();
  }

  // ---- zoom and pan (src/client/zoom-gestures.ts): a second finger turns a press into a pinch -----------------------
  const zoom = createZoomGestures(
    () => stage,
    () => {
      drag = null;
      drawInteraction();
    },
  );

  const onPointerDown = (e: PointerEvent) => {
    if (zoom.pointer(e, 'down')) return;
    if (!ready()) {
      if (problem() || tool() !== 'point') return;
      e.preventDefault();
      const at = toPhoto(e);
      setEarlyPress({ x: at.x, y: at.y, mode: e.button === 2 || e.altKey || mode() === 'remove' ? 'remove' : 'add' });
      return;
    }
    e.preventDefault();
    input.setPointerCapture(e.pointerId);
    sizeInputCanvas();
    const remove = e.button === 2 || e.altKey || mode() === 'remove';
    const at = toPhoto(e);
    drag = { start: e, points: [at], mode: remove ? 'remove' : 'add', moved: false };
    client?.hint({ type: 'hover-end' });
    // Decode while the finger is down: by the release the mask is (nearly) ready.
    if (tool() === 'point' && !remove) client?.hint({ type: 'press', x: at.x, y: at.y });
    drawInteraction();
  };

  const onPointerMove = (e: PointerEvent) => {
    if (zoom.pointer(e, 'move')) return;
    if (!ready()) return;
    if (drag) {
      const d = Math.hypot(e.clientX - drag.start.clientX, e.clientY - drag.start.clientY);
      if (d > CLICK_SLOP_PX) drag.moved = true;
      if (tool() !== 'point') {
        drag.points.push(toPhoto(e));
        drawInteraction();
      }
      return;
    }
    if (e.pointerType === 'mouse' && tool() === 'point') {
      const p = toPhoto(e);
      cancelAnimationFrame(hoverFrame);
      hoverFrame = requestAnimationFrame(() => client?.hint({ type: 'hover', x: p.x, y: p.y }));
    }
  };

  const onPointerUp = (e: PointerEvent) => {
    if (zoom.pointer(e, 'up')) return;
    if (!drag) return;
    const d = drag;
    drag = null;
    drawInteraction();
    const end = toPhoto(e);
    if (tool() === 'brush') {
      const radius = (brush() / 2) * displayScale();
      void run({ type: 'stroke', points: d.points, radius, mode: d.mode === 'add' ? 'paint' : 'erase' });
    } else if (tool() === 'box' && d.moved) {
      const a = d.points[0];
      void run({ type: 'box', box: { x0: a.x, y0: a.y, x1: end.x, y1: end.y }, mode: d.mode });
    } else {
      void run({ type: 'click', x: d.points[0].x, y: d.points[0].y, mode: d.mode });
    }
  };

  const onPointerLeave = () => {
    cancelAnimationFrame(hoverFrame);
    if (!drag) client?.hint({ type: 'hover-end' });
  };

  // ---- keyboard -----------------------------------------------------------------------------
  const onKey = (e: KeyboardEvent) => {
    // Shortcuts belong to the visible step only (all steps live on one page).
    if (!stage.offsetParent) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'z') {
      e.preventDefault();
      void run({ type: e.shiftKey ? 'redo' : 'undo' });
    } else if (mod && key === 'y') {
      e.preventDefault();
      void run({ type: 'redo' });
    } else if (mod && key === 's') {
      e.preventDefault();
      void doc.save();
    } else if (mod) {
      return;
    } else if (key === '[') setBrush((b) => Math.max(4, Math.round(b / 1.25)));
    else if (key === ']') setBrush((b) => Math.min(200, Math.round(b * 1.25)));
    else if (key === 'i') void run({ type: 'invert' });
    else if (key === 'v') setTool('point');
    else if (key === 'r') setTool('box');
    else if (key === 'b') setTool('brush');
    else if (key === 'x') setMode((v) => (v === 'add' ? 'remove' : 'add'));
  };
  onMount(() => {
    window.addEventListener('keydown', onKey);
    onCleanup(() => window.removeEventListener('keydown', onKey));
  });

  // ---- view ---------------------------------------------------------------------------------
  const pct = () => {
    const s = state();
    return s ? ((100 * s.area) / (photo.width * photo.height)).toFixed(1) : '0';
  };
  const loadPct = () => {
    const l = loading();
    return l ? Math.round(((l.decoder + l.embedding) / 2) * 100) : 100;
  };

  const ToolButton = (p: { id: Tool; label: string; icon: string; testid: string }) => (
    <button
      type="button"
      class="btn whitespace-nowrap md:px-2"
      classList={{ 'btn-on': tool() === p.id }}
      aria-pressed={tool() === p.id}
      data-testid={p.testid}
      onClick={() => setTool(p.id)}
      title={p.label}
    >
      <span aria-hidden="true">{p.icon}</span>
      <span class="sr-only sm:not-sr-only">{p.label}</span>
    </button>
  );

  const Action = (p: {
    label: string;
    testid: string;
    disabled?: boolean;
    /** In the phone's sheet (More) rather than in its bar. */
    secondary?: boolean;
    onClick: () => void;
    children?: JSX.Element;
  }) => (
    <button
      type="button"
      class="btn"
      classList={p.secondary ? secondary() : {}}
      data-testid={p.testid}
      disabled={p.disabled}
      onClick={p.onClick}
      title={p.label}
    >
      <span aria-hidden="true">{p.children}</span>
      <span class="sr-only sm:not-sr-only">{p.label}</span>
    </button>
  );

  const autoMessage = () => {
    switch (autoState()) {
      case 'working':
        return m('auto.working');
      case 'done':
        return m('auto.done');
      case 'check':
        return m('auto.check');
      case 'failed':
        return m('auto.failed');
      default:
        return '';
    }
  };

  // Phones: the photo first, the garment kind under it, the tools in a bar along the bottom edge (one scrolling row of
  // 44 px targets). Tablets and desktops: the kind and the tools in a side panel, the photo beside it where the pose
  // step puts it too (same column, same top, same height).
  return (
    <div
      class={
        'flex flex-col gap-3 md:grid md:grid-cols-[16rem_minmax(0,1fr)] md:grid-rows-[auto_1fr] md:items-start ' +
        'lg:grid-cols-[18rem_minmax(0,1fr)]'
      }
    >
      <fieldset
        class={
          'panel order-2 !flex-row flex-wrap items-center gap-2 md:order-none md:col-start-1 md:row-start-1 md:!grid ' + 'md:grid-cols-2'
        }
      >
        <legend class="sr-only">{m('auto.kind')}</legend>
        <span class="text-sm text-stone-600 md:col-span-2" aria-hidden="true">
          {m('auto.kind')}
        </span>
        <For each={GARMENT_KINDS}>
          {(k) => (
            <button
              type="button"
              class="btn md:px-2 md:text-sm"
              classList={{ 'btn-on': kind() === k }}
              aria-pressed={kind() === k}
              data-testid={`garment-kind-${k}`}
              disabled={!ready() || autoState() === 'working'}
              onClick={() => chooseKind(k)}
            >
              {m(`auto.kind.${k}`)}
            </button>
          )}
        </For>
        <p
          class="text-sm md:col-span-2 md:empty:hidden"
          classList={{ 'text-amber-800': autoState() === 'check' || autoState() === 'failed', 'text-stone-600': autoState() !== 'check' }}
          role="status"
          data-testid="auto-select-status"
          data-state={autoState() === 'idle' ? undefined : autoState()}
        >
          {autoMessage()}
        </p>
        <label class="ml-auto flex items-center gap-2 text-sm text-stone-600 md:col-span-2 md:ml-0">
          <input
            type="checkbox"
            checked={autoOn()}
            data-testid="auto-select-on"
            onChange={(e) => {
              setAutoOn(e.currentTarget.checked);
              globalThis.localStorage?.setItem(AUTO_KEY, e.currentTarget.checked ? 'on' : 'off');
            }}
          />
          {m('auto.on')}
        </label>
      </fieldset>
      <aside
        class={
          'panel order-3 sticky bottom-0 z-20 -mx-3 !flex-row flex-nowrap items-center gap-2 overflow-x-auto rounded-none ' +
          'border-x-0 border-b-0 bg-white/95 p-2 shadow-[0_-4px_12px_rgba(0,0,0,0.08)] backdrop-blur ' +
          'md:static md:order-none md:col-start-1 md:row-start-2 md:mx-0 md:!flex-col md:items-stretch md:gap-3 ' +
          'md:overflow-visible md:rounded-xl md:border md:p-3 md:shadow-none'
        }
        classList={{
          'max-md:flex-wrap': moreOpen() || saveState().status === 'error',
          'max-md:max-h-[70dvh] max-md:overflow-y-auto': moreOpen(),
        }}
        aria-label={m('editor.tools')}
        data-sheet={moreOpen() ? 'open' : 'closed'}
      >
        <div class="flex shrink-0 gap-2 md:grid md:grid-cols-3">
          <ToolButton id="point" label={m('editor.tool.point')} icon="◉" testid="tool-point" />
          <ToolButton id="box" label={m('editor.tool.box')} icon="▭" testid="tool-box" />
          <ToolButton id="brush" label={m('editor.tool.brush')} icon="✎" testid="tool-brush" />
        </div>
        <fieldset class="m-0 flex min-w-0 shrink-0 gap-2 border-0 p-0 md:grid md:grid-cols-2">
          <button
            type="button"
            class="btn"
            classList={{ 'btn-on': mode() === 'add' }}
            aria-pressed={mode() === 'add'}
            data-testid="mode-add"
            onClick={() => setMode('add')}
          >
            <span aria-hidden="true">+</span>
            <span class="sr-only sm:not-sr-only">{m('editor.mode.add')}</span>
          </button>
          <button
            type="button"
            class="btn"
            classList={{ 'btn-on': mode() === 'remove' }}
            aria-pressed={mode() === 'remove'}
            data-testid="mode-remove"
            onClick={() => setMode('remove')}
          >
            <span aria-hidden="true">−</span>
            <span class="sr-only sm:not-sr-only">{m('editor.mode.remove')}</span>
          </button>
        </fieldset>
        <label class="flex min-w-40 shrink-0 items-center gap-2 text-sm text-stone-600 md:flex-none" classList={secondary()}>
          <span class="whitespace-nowrap">{m('editor.brushSize')}</span>
          <input
            type="range"
            min="4"
            max="200"
            value={brush()}
            onInput={(e) => setBrush(Number(e.currentTarget.value))}
            class="flex-1"
            data-testid="brush-size"
          />
          <span class="w-8 text-right tabular-nums">{brush()}</span>
        </label>
        <div class="flex shrink-0 gap-2 md:grid md:grid-cols-2">
          <Action label={m('editor.undo')} testid="undo" disabled={!state()?.canUndo} onClick={() => void run({ type: 'undo' })}>
            ↶
          </Action>
          <Action label={m('editor.redo')} secondary testid="redo" disabled={!state()?.canRedo} onClick={() => void run({ type: 'redo' })}>
            ↷
          </Action>
          <Action label={m('editor.invert')} secondary testid="invert" disabled={!ready()} onClick={() => void run({ type: 'invert' })}>
            ◑
          </Action>
          <button
            type="button"
            class="btn"
            data-testid="overlay-colour"
            classList={secondary()}
            disabled={!ready()}
            title={m('editor.overlayColour')}
            aria-label={m('editor.overlayColour')}
            onClick={() => showOverlayColour((overlayColour() + 1) % OVERLAY_COLOURS.length)}
          >
            <span
              class="inline-block h-4 w-4 rounded-full border border-white outline outline-1 outline-stone-800"
              style={{ background: `rgb(${OVERLAY_COLOURS[overlayColour()]!.rgb.join(',')})` }}
              aria-hidden="true"
            />
          </button>
          <Action
            label={m('editor.clear')}
            testid="clear"
            secondary
            disabled={!ready() || !state()?.area}
            onClick={() => void run({ type: 'clear' })}
          >
            ✕
          </Action>
        </div>
        <button
          type="button"
          class="btn relative shrink-0 md:hidden"
          classList={{ 'btn-on': moreOpen() }}
          aria-expanded={moreOpen()}
          data-testid="more-tools"
          title={m('editor.more')}
          onClick={() => setMoreOpen(!moreOpen())}
        >
          <span aria-hidden="true">{moreOpen() ? '▾' : '⋯'}</span>
          <span class="sr-only">{m('editor.more')}</span>
          <Show when={!moreOpen() && state()?.candidates}>
            <span class="absolute right-1 top-1 h-2 w-2 rounded-full bg-amber-500" data-testid="more-tools-news" aria-hidden="true" />
          </Show>
        </button>
        <div data-testid="mask-candidates" class="flex shrink-0 flex-col gap-1" classList={secondary()} aria-live="polite">
          <Show when={state()?.candidates}>
            {(c) => (
              <>
                <span class="text-sm text-stone-600">{m('editor.candidates')}</span>
                <div class="flex flex-wrap gap-2">
                  <For each={c().scores}>
                    {(_score, i) => (
                      <button
                        type="button"
                        class="btn !p-1"
                        classList={{ 'btn-on': c().active === i() }}
                        aria-pressed={c().active === i()}
                        aria-label={m('editor.candidate', { n: i() + 1 })}
                        title={m('editor.candidate', { n: i() + 1 })}
                        data-testid={`mask-candidate-${i()}`}
                        onClick={() => void run({ type: 'candidate', index: i() })}
                      >
                        <Show when={c().thumbs?.masks[i()]} fallback={m('editor.candidate', { n: i() + 1 })}>
                          {(mask) => (
                            <CandidateThumb
                              photo={photoImg}
                              mask={mask()}
                              width={c().thumbs!.width}
                              height={c().thumbs!.height}
                              colour={OVERLAY_COLOURS[overlayColour()]!.rgb}
                            />
                          )}
                        </Show>
                      </button>
                    )}
                  </For>
                </div>
              </>
            )}
          </Show>
        </div>
        <button
          type="button"
          class="btn-primary shrink-0"
          classList={secondary()}
          data-testid="save-mask"
          disabled={!ready() || saveState().status === 'saving'}
          onClick={() => void doc.save()}
        >
          {saveState().status === 'saving' ? m('editor.saving') : m('editor.save')}
        </button>
        <p
          class="shrink-0 whitespace-nowrap text-sm md:whitespace-normal"
          classList={{
            // A failed save is said in the bar too, on a row of its own.
            'max-md:hidden': !moreOpen() && saveState().status !== 'error',
            'max-md:basis-full max-md:whitespace-normal': saveState().status === 'error',
          }}
          data-testid="save-status"
          data-state={saveState().status}
          aria-live="polite"
        >
          {saveState().status === 'saved'
            ? touched()
              ? `✓ ${m('editor.saved')}`
              : ''
            : saveState().status === 'dirty'
              ? m('editor.unsaved')
              : saveState().status === 'error'
                ? m('editor.saveFailed', { message: saveState().error })
                : saveState().status === 'pending'
                  ? `⟳ ${m('pwa.savedLocally')}`
                  : m('editor.saving')}
        </p>
        <Show when={saveState().conflict}>
          {(note) => (
            <p class="text-xs text-amber-800" data-testid="sync-note">
              {m(CONFLICT_MESSAGES[note()])}
            </p>
          )}
        </Show>
        <Show when={(state()?.area ?? 0) > 0}>
          <p class="hidden text-sm text-stone-700 md:block">{m('editor.area', { pct: pct() })}</p>
        </Show>
        <Show when={debug()}>
          <p class="text-xs text-stone-600">
            <span data-testid="mask-area" class="tabular-nums">
              {state()?.area ?? 0}
            </span>{' '}
            {m('editor.pixels')}
          </p>
        </Show>
        <p class="hidden text-xs text-stone-600 md:block">{m('editor.help')}</p>
        <Show when={debug() && lastDecodeMs() !== null}>
          <p class="text-xs text-stone-600" data-testid="decode-ms">
            {Math.round(lastDecodeMs()!)} ms
          </p>
        </Show>
      </aside>

      <section class="order-1 min-w-0 md:order-none md:col-start-2 md:row-span-2 md:row-start-1">
        <Show when={problem()}>
          <p role="alert" class="panel mb-3 border-red-300 bg-red-50 text-red-800" data-testid="editor-error">
            {problem()}
          </p>
        </Show>
        <div
          ref={stage}
          class="relative mx-auto select-none overflow-hidden"
          classList={{ 'cursor-wait': busy() }}
          style={{
            'aspect-ratio': `${photo.width} / ${photo.height}`,
            'max-height': PHOTO_MAX_HEIGHT,
            'max-width': `calc(${PHOTO_MAX_HEIGHT} * ${photo.width / photo.height})`,
          }}
          data-testid="editor-stage"
          data-area={state()?.area ?? 0}
          data-zoom={zoom.view().scale.toFixed(2)}
        >
          <div class="absolute inset-0" style={{ transform: zoom.transform(), 'transform-origin': '0 0' }}>
            <img ref={photoImg} src={photo.url} alt="" class="absolute inset-0 h-full w-full" draggable={false} />
            <canvas ref={overlay} class="pointer-events-none absolute inset-0 h-full w-full" />
            <Show when={earlyPress()}>
              {(p) => (
                <span
                  class={
                    'pointer-events-none absolute h-6 w-6 -translate-x-1/2 -translate-y-1/2 ' +
                    'rounded-full border-2 border-white bg-amber-500/70 animate-pulse'
                  }
                  style={{ left: `${(100 * p().x) / photo.width}%`, top: `${(100 * p().y) / photo.height}%` }}
                  data-testid="early-press"
                  aria-hidden="true"
                />
              )}
            </Show>
            <Show when={clickAt()}>
              {(p) => (
                <span
                  class="pointer-events-none absolute h-8 w-8 -translate-x-1/2 -translate-y-1/2"
                  style={{ left: `${(100 * p().x) / photo.width}%`, top: `${(100 * p().y) / photo.height}%` }}
                  data-testid="click-feedback"
                  aria-hidden="true"
                >
                  <span class="absolute inset-0 rounded-full border-2 border-white animate-ping" />
                  <span class="absolute inset-2.5 rounded-full border-2 border-white bg-amber-500" />
                </span>
              )}
            </Show>
            <canvas
              ref={input}
              data-testid="editor-canvas"
              class="absolute inset-0 h-full w-full"
              classList={{ 'cursor-crosshair': tool() !== 'brush', 'cursor-cell': tool() === 'brush' }}
              style={{ 'touch-action': 'none' }}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerCancel={(e) => {
                zoom.pointer(e, 'cancel');
                drag = null;
                drawInteraction();
              }}
              onPointerLeave={onPointerLeave}
              onContextMenu={(e) => e.preventDefault()}
            />
          </div>
          <ZoomButtons zoom={zoom} m={m} testidPrefix="zoom-" />
          <Show when={loading() && !problem()}>
            {/* Over the photo, so that the photo does not move when it goes; a press on the photo goes through. */}
            <div class="panel pointer-events-none absolute inset-x-2 top-2 z-10 !gap-0 bg-white/95 shadow-md">
              <StagedProgress
                testid="editor-loading"
                stages={justUploaded() ? uploadStages(m) : [m('upload.stage.tool')]}
                current={justUploaded() ? 2 : 0}
                pct={loadPct()}
                text={loadPct() < 100 ? m('editor.loading') : m('editor.starting')}
              />
            </div>
          </Show>
        </div>
        <Show when={ready()}>
          <p class="mt-2 text-center text-sm text-stone-600">{m('editor.ready')}</p>
        </Show>
      </section>
    </div>
  );
}
