// Garment selection editor: photo + overlay (drawn by the SAM worker) + an interaction layer.
// The island only turns pointer/keyboard input into worker requests and shows the state.
import { saveBeforeLeaving } from '../client/save-before-leaving.ts';
import { createSignal, onCleanup, onMount, Show, For, type JSX } from 'solid-js';
import { SamClient } from '../client/sam-client.ts';
import { clearPendingEdit, getPendingEdit, rememberSession } from '../client/offline-store.ts';
import { followSync, isNetworkError, keepForLater } from '../client/sync.ts';
import type { SelectionState } from '../lib/sam/protocol.ts';
import type { MessageKey } from '../i18n/messages.ts';

type Tool = 'point' | 'box' | 'brush';
type Mode = 'add' | 'remove';

export interface MaskEditorProps {
  sessionId: string;
  photo: { url: string; width: number; height: number };
  embeddingUrl: string;
  maskUrl: string | null;
  /** The revision of `maskUrl` (0 = none saved): an edit kept offline is sent as based on it. */
  maskRev?: number;
  decoderUrl: string | null;
  multiDecoderUrl: string | null;
  modelsProblem: string | null;
  messages: Record<MessageKey, string>;
}

const AUTOSAVE_MS = 1200;
const CLICK_SLOP_PX = 6;

export default function MaskEditor(props: MaskEditorProps) {
  const m = (key: MessageKey, vars: Record<string, string | number> = {}) =>
    props.messages[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));

  const [tool, setTool] = createSignal<Tool>('point');
  const [mode, setMode] = createSignal<Mode>('add');
  const [brush, setBrush] = createSignal(24); // display px (diameter)
  const [state, setState] = createSignal<SelectionState | null>(null);
  const [loading, setLoading] = createSignal<{ decoder: number; embedding: number } | null>({ decoder: 0, embedding: 0 });
  const [problem, setProblem] = createSignal<string | null>(props.modelsProblem);
  // 'pending': saved on this device only (offline), sent by src/client/sync.ts when the connection returns.
  const [saveState, setSaveState] = createSignal<'saved' | 'dirty' | 'saving' | 'error' | 'pending'>('saved');
  const [syncNote, setSyncNote] = createSignal('');
  const [saveError, setSaveError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [lastDecodeMs, setLastDecodeMs] = createSignal<number | null>(null);

  let stage!: HTMLDivElement;
  let overlay!: HTMLCanvasElement;
  let input!: HTMLCanvasElement;
  let client: SamClient | null = null;
  let autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  /** The server's mask revision this editor's state builds on. */
  let baseRev = props.maskRev ?? 0;

  const photo = props.photo;

  // ---- worker lifecycle ---------------------------------------------------------------------
  onMount(async () => {
    if (problem() || !props.decoderUrl) {
      window.dispatchEvent(new CustomEvent('atelier:sam-ready'));
      return;
    }
    client = new SamClient();
    client.on((r) => {
      if (r.type === 'settled') setState(r.state);
      if (r.type === 'progress' && (r.stage === 'decoder' || r.stage === 'embedding')) {
        const pct = r.total ? r.loaded / r.total : 0;
        setLoading((l) => (l ? { ...l, [r.stage]: pct } : l));
      }
    });
    // An edit kept on this device (made offline, not yet synced) is newer than the server's mask.
    const pending = await getPendingEdit(props.sessionId, 'mask').catch(() => undefined);
    const pendingUrl = pending?.body instanceof Blob ? URL.createObjectURL(pending.body) : null;
    if (pendingUrl) setSaveState('pending');
    try {
      const ready = await client.init({
        decoderUrl: props.decoderUrl,
        multiDecoderUrl: props.multiDecoderUrl,
        embeddingUrl: props.embeddingUrl,
        maskUrl: pendingUrl ?? props.maskUrl,
        photo: { width: photo.width, height: photo.height },
        overlay: overlay.transferControlToOffscreen(),
      });
      setState(ready.state);
      setLoading(null);
      stage.dataset.ready = 'true';
      // Other steps (pose detection) wait for this so they don't compete for the CPU meanwhile.
      window.dispatchEvent(new CustomEvent('atelier:sam-ready'));
      stage.dataset.threads = String(ready.threads);
    } catch (err) {
      setLoading(null);
      setProblem(m('editor.failed', { message: (err as Error).message }));
      window.dispatchEvent(new CustomEvent('atelier:sam-ready'));
    }
  });

  onCleanup(() => {
    client?.terminate();
    clearTimeout(autosaveTimer);
  });

  const ready = () => state() !== null && !problem();

  async function run(req: Parameters<SamClient['edit']>[0]) {
    if (!client || !ready()) return;
    setBusy(true);
    try {
      const r = await client.edit(req);
      setState(r.state);
      if (r.decodeMs !== null) setLastDecodeMs(r.decodeMs);
      markDirty();
    } catch (err) {
      setProblem(m('editor.failed', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  }

  // ---- saving -------------------------------------------------------------------------------
  function markDirty() {
    setSaveState('dirty');
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(() => void save(), AUTOSAVE_MS);
  }

  function save(): Promise<void> {
    clearTimeout(autosaveTimer);
    saving = saving.then(async () => {
      if (!client || saveState() === 'saved' || saveState() === 'pending') return;
      setSaveState('saving');
      setSyncNote('');
      let png: Blob | null = null;
      try {
        png = (await client.exportPng()).png;
        const started = new Date().toISOString();
        if (!navigator.onLine) throw new TypeError('offline');
        // x-base-rev: if the mask moved on elsewhere meanwhile, the server keeps that version as a copy.
        const res = await fetch(`/api/sessions/${props.sessionId}/mask`, {
          method: 'PUT',
          headers: { 'content-type': 'image/png', 'x-base-rev': String(baseRev) },
          body: png,
        });
        const body = await res.json().catch(() => null);
        if (!res.ok) throw new Error(body?.error?.message ?? m('error.generic'));
        baseRev = body.session?.mask?.rev ?? baseRev;
        // This save contains any edit kept offline before it.
        void clearPendingEdit(props.sessionId, 'mask', started).catch(() => {});
        void rememberSession(body.session).catch(() => {});
        // A change made while saving keeps the state dirty.
        setSaveState((s) => (s === 'saving' ? 'saved' : s));
        window.dispatchEvent(new CustomEvent('atelier:mask', { detail: { sessionId: props.sessionId } }));
      } catch (err) {
        if (png && isNetworkError(err)) {
          // Offline: keep the edit on this device; src/client/sync.ts sends it when the connection returns.
          try {
            await keepForLater(props.sessionId, 'mask', png, 'image/png', baseRev);
            setSaveState((s) => (s === 'saving' ? 'pending' : s));
            return;
          } catch {
            /* no IndexedDB: report the failure below */
          }
        }
        setSaveState('error');
        setSaveError(err instanceof TypeError ? m('error.network') : (err as Error).message);
      }
    });
    return saving;
  }

  // A kept edit reached the server (this tab or another): the editor's state is the server's again.
  onMount(() =>
    onCleanup(
      followSync(props.sessionId, 'mask', {
        setRev: (rev) => {
          baseRev = rev;
        },
        settle: (o) => {
          setSaveState((s) => (s === 'pending' ? (o.ok ? 'saved' : 'error') : s));
          if (!o.ok) setSaveError(o.error);
        },
        note: (n) => setSyncNote(n === 'lost' ? m('pwa.conflictLost') : n === 'kept' ? m('pwa.conflictKept') : ''),
      }),
    ),
  );

  const beforeUnload = (e: BeforeUnloadEvent) => {
    if (saveState() === 'dirty' || saveState() === 'saving' || saveState() === 'error') e.preventDefault();
  };
  onMount(() => {
    window.addEventListener('beforeunload', beforeUnload);
    onCleanup(() => window.removeEventListener('beforeunload', beforeUnload));
    onCleanup(saveBeforeLeaving(() => saveState() === 'dirty' || saveState() === 'saving' || saveState() === 'error', save));
  });

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
      drag.points.forEach((p, i) => (i ? c.lineTo(p.x * k, p.y * k) : c.moveTo(p.x * k, p.y * k)));
      if (drag.points.length === 1) c.lineTo(drag.points[0].x * k + 0.01, drag.points[0].y * k);
      c.stroke();
    }
    c.restore();
  }

  const onPointerDown = (e: PointerEvent) => {
    if (!ready()) return;
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
      void save();
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
      class="btn"
      classList={{ 'btn-on': tool() === p.id }}
      aria-pressed={tool() === p.id}
      data-testid={p.testid}
      onClick={() => setTool(p.id)}
      title={p.label}
    >
      <span aria-hidden="true">{p.icon}</span>
      {p.label}
    </button>
  );

  const Action = (p: { label: string; testid: string; disabled?: boolean; onClick: () => void; children?: JSX.Element }) => (
    <button type="button" class="btn" data-testid={p.testid} disabled={p.disabled} onClick={p.onClick} title={p.label}>
      {p.children}
      {p.label}
    </button>
  );

  return (
    <div class="flex flex-col gap-3 lg:flex-row">
      <aside class="panel flex flex-wrap items-center gap-2 lg:w-72 lg:shrink-0 lg:flex-col lg:flex-nowrap lg:items-stretch lg:gap-3" aria-label="tools">
        <div class="flex gap-2 lg:grid lg:grid-cols-3">
          <ToolButton id="point" label={m('editor.tool.point')} icon="◉" testid="tool-point" />
          <ToolButton id="box" label={m('editor.tool.box')} icon="▭" testid="tool-box" />
          <ToolButton id="brush" label={m('editor.tool.brush')} icon="✎" testid="tool-brush" />
        </div>
        <div class="flex gap-2 lg:grid lg:grid-cols-2" role="group">
          <button type="button" class="btn" classList={{ 'btn-on': mode() === 'add' }} aria-pressed={mode() === 'add'} data-testid="mode-add" onClick={() => setMode('add')}>
            + {m('editor.mode.add')}
          </button>
          <button type="button" class="btn" classList={{ 'btn-on': mode() === 'remove' }} aria-pressed={mode() === 'remove'} data-testid="mode-remove" onClick={() => setMode('remove')}>
            − {m('editor.mode.remove')}
          </button>
        </div>
        <label class="flex min-w-48 flex-1 items-center gap-2 text-sm text-stone-600 lg:flex-none">
          {m('editor.brushSize')}
          <input type="range" min="4" max="200" value={brush()} onInput={(e) => setBrush(Number(e.currentTarget.value))} class="flex-1" data-testid="brush-size" />
          <span class="w-8 text-right tabular-nums">{brush()}</span>
        </label>
        <div class="flex flex-wrap gap-2 lg:grid lg:grid-cols-2">
          <Action label={m('editor.undo')} testid="undo" disabled={!state()?.canUndo} onClick={() => void run({ type: 'undo' })}>↶</Action>
          <Action label={m('editor.redo')} testid="redo" disabled={!state()?.canRedo} onClick={() => void run({ type: 'redo' })}>↷</Action>
          <Action label={m('editor.invert')} testid="invert" disabled={!ready()} onClick={() => void run({ type: 'invert' })}>◑</Action>
          <Action label={m('editor.clear')} testid="clear" disabled={!ready() || !state()?.area} onClick={() => void run({ type: 'clear' })}>✕</Action>
        </div>
        <div data-testid="mask-candidates" class="flex flex-col gap-1" aria-live="polite">
          <Show when={state()?.candidates}>
            {(c) => (
              <>
                <span class="text-sm text-stone-600">{m('editor.candidates')}</span>
                <div class="flex flex-wrap gap-2">
                  <For each={c().scores}>
                    {(score, i) => (
                      <button
                        type="button"
                        class="btn"
                        classList={{ 'btn-on': c().active === i() }}
                        aria-pressed={c().active === i()}
                        data-testid={`mask-candidate-${i()}`}
                        title={`${Math.round(score * 100)}%`}
                        onClick={() => void run({ type: 'candidate', index: i() })}
                      >
                        {m('editor.candidate', { n: i() + 1 })}
                      </button>
                    )}
                  </For>
                </div>
              </>
            )}
          </Show>
        </div>
        <button type="button" class="btn-primary" data-testid="save-mask" disabled={!ready() || saveState() === 'saving'} onClick={() => void save()}>
          {saveState() === 'saving' ? m('editor.saving') : m('editor.save')}
        </button>
        <p class="text-sm" data-testid="save-status" data-state={saveState()} aria-live="polite">
          {saveState() === 'saved'
            ? `✓ ${m('editor.saved')}`
            : saveState() === 'dirty'
              ? m('editor.unsaved')
              : saveState() === 'error'
                ? m('editor.saveFailed', { message: saveError() })
                : saveState() === 'pending'
                  ? `⟳ ${m('pwa.savedLocally')}`
                  : m('editor.saving')}
        </p>
        <Show when={syncNote()}>
          <p class="text-xs text-amber-800" data-testid="sync-note">{syncNote()}</p>
        </Show>
        <p class="text-sm text-stone-700">
          {m('editor.area', { pct: pct() })} · <span data-testid="mask-area" class="tabular-nums">{state()?.area ?? 0}</span> {m('editor.pixels')}
        </p>
        <p class="hidden text-xs text-stone-500 lg:block">{m('editor.help')}</p>
        <Show when={lastDecodeMs() !== null}>
          <p class="text-xs text-stone-400" data-testid="decode-ms">{Math.round(lastDecodeMs()!)} ms</p>
        </Show>
      </aside>

      <section class="flex-1 min-w-0">
        <Show when={problem()}>
          <p role="alert" class="panel mb-3 border-red-300 bg-red-50 text-red-800" data-testid="editor-error">{problem()}</p>
        </Show>
        <Show when={loading() && !problem()}>
          <div class="panel mb-3" role="status" data-testid="editor-loading">
            <p class="mb-2 text-sm">{m('editor.loading')}</p>
            <div class="h-2 w-full overflow-hidden rounded bg-stone-200">
              <div class="h-full bg-amber-500 transition-all" style={{ width: `${loadPct()}%` }} />
            </div>
          </div>
        </Show>
        <div
          ref={stage}
          class="relative mx-auto select-none"
          classList={{ 'cursor-wait': busy() }}
          style={{ 'aspect-ratio': `${photo.width} / ${photo.height}`, 'max-height': '80vh', 'max-width': `calc(80vh * ${photo.width / photo.height})` }}
          data-testid="editor-stage"
        >
          <img src={photo.url} alt="" class="absolute inset-0 h-full w-full" draggable={false} />
          <canvas ref={overlay} class="pointer-events-none absolute inset-0 h-full w-full" />
          <canvas
            ref={input}
            data-testid="editor-canvas"
            class="absolute inset-0 h-full w-full"
            classList={{ 'cursor-crosshair': tool() !== 'brush', 'cursor-cell': tool() === 'brush' }}
            style={{ 'touch-action': 'none' }}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={() => {
              drag = null;
              drawInteraction();
            }}
            onPointerLeave={onPointerLeave}
            onContextMenu={(e) => e.preventDefault()}
          />
        </div>
        <Show when={ready()}>
          <p class="mt-2 text-center text-sm text-stone-500">{m('editor.ready')}</p>
        </Show>
      </section>
    </div>
  );
}
