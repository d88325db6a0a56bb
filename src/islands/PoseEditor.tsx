// Pose editor: the photo with the OpenPose skeleton over it. Detection and completion run in the
// pose worker as soon as the island mounts; this island only shows the pose, turns drags, presets
// and keys into new poses, and saves them (PUT /api/sessions/:id/pose).
import { saveBeforeLeaving } from '../client/save-before-leaving.ts';
import { batch, createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { PoseClient } from '../client/pose-client.ts';
import { clearPendingEdit, getPendingEdit, rememberPose } from '../client/offline-store.ts';
import { followSync, isNetworkError, keepForLater } from '../client/sync.ts';
import type { Detection } from '../lib/pose/protocol.ts';
import { applyPreset, placePreset, POSE_PRESETS } from '../lib/pose/presets.ts';
import { JOINT_COLORS, LIMBS } from '../lib/pose/skeleton.ts';
import { COORDINATE_BAND } from '../lib/pose/band.ts';
import { JOINT_NAMES, type JointName, type JointSource, type Pose } from '../lib/pose/types.ts';
import type { Lang, MessageKey } from '../i18n/messages.ts';

export interface PoseEditorProps {
  sessionId: string;
  /** The session photo: display URL and full-resolution size (the pose's pixel frame). */
  photo: { url: string; width: number; height: number };
  /** Saved garment mask (silhouette fallback when no person is detected), if any. */
  maskUrl: string | null;
  /** The PoseLandmarker .task bundle (`/models/<file>?v=<version>`), null when not installed. */
  modelUrl: string | null;
  /** Shown instead of detecting when modelUrl is null. */
  modelsProblem: string | null;
  /** The pose saved for this session (shown instead of the detected one), if any. */
  savedPose: { pose: Pose; rev: number; updatedAt: string } | null;
  lang: Lang;
  messages: Record<MessageKey, string>;
}

type Status = 'loading' | 'detecting' | 'ready' | 'none' | 'error';
type Shown = 'saved' | 'detected' | 'silhouette' | 'preset' | 'edited' | null;
/** 'pending': saved on this device only (offline), sent by src/client/sync.ts when the connection returns. */
type SaveState = 'saved' | 'dirty' | 'saving' | 'error' | 'pending';
interface Frame {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/** Longest side the photo is decoded to for detection (MediaPipe looks at 224–256 px crops). */
const DETECT_MAX_SIDE = 1024;
const AUTOSAVE_MS = 1200;
const UNDO_LIMIT = 100;
/** Margin around joints outside the photo, as a fraction of the photo's longer side. */
const FRAME_PAD = 0.05;
const HANDLE_PX = 36;

const rgb = (c: readonly number[]) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
const clone = (p: Pose): Pose => ({ ...p, keypoints: p.keypoints.map((k) => ({ ...k })) });

/** The part of the plane shown: the photo, grown to hold every joint (within the API's band). */
function viewFrame(pose: Pose | null, width: number, height: number): Frame {
  let x0 = 0;
  let y0 = 0;
  let x1 = width;
  let y1 = height;
  if (pose) {
    const pad = FRAME_PAD * Math.max(width, height);
    for (const k of pose.keypoints) {
      x0 = Math.min(x0, k.x - pad);
      y0 = Math.min(y0, k.y - pad);
      x1 = Math.max(x1, k.x + pad);
      y1 = Math.max(y1, k.y + pad);
    }
  }
  const [lo, hi] = COORDINATE_BAND;
  x0 = Math.max(x0, lo * width);
  y0 = Math.max(y0, lo * height);
  x1 = Math.min(x1, hi * width);
  y1 = Math.min(y1, hi * height);
  return { x0, y0, w: x1 - x0, h: y1 - y0 };
}

export default function PoseEditor(props: PoseEditorProps) {
  const m = (key: MessageKey, vars: Record<string, string | number> = {}) =>
    props.messages[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
  const photo = props.photo;

  const initial = props.savedPose?.pose ?? null;
  const [pose, setPose] = createSignal<Pose | null>(initial ? clone(initial) : null);
  const [frame, setFrame] = createSignal<Frame>(viewFrame(initial, photo.width, photo.height));
  const [shown, setShown] = createSignal<Shown>(initial ? 'saved' : null);
  const [detection, setDetection] = createSignal<Detection | null>(null);
  const [status, setStatus] = createSignal<Status>(props.modelUrl ? 'loading' : 'error');
  const [problem, setProblem] = createSignal<string | null>(props.modelUrl ? null : props.modelsProblem);
  const [loadPct, setLoadPct] = createSignal<number | null>(null);
  const [saveState, setSaveState] = createSignal<SaveState>(initial ? 'saved' : 'dirty');
  const [saveError, setSaveError] = createSignal('');
  const [savedRev, setSavedRev] = createSignal(props.savedPose?.rev ?? 0);
  const [syncNote, setSyncNote] = createSignal('');
  const [undoStack, setUndoStack] = createSignal<Pose[]>([]);
  const [redoStack, setRedoStack] = createSignal<Pose[]>([]);
  const [dragging, setDragging] = createSignal<number | null>(null);
  const [selected, setSelected] = createSignal<number | null>(null);
  const [timing, setTiming] = createSignal<string | null>(null);
  /** Whether the user changed the pose since it was loaded or saved (drives autosave). */
  let userChanged = false;

  let root!: HTMLDivElement;
  let stage!: HTMLDivElement;
  let client: PoseClient | null = null;
  let autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  let maskUsed = props.maskUrl;

  // ---- pose changes -------------------------------------------------------------------------
  /** Replaces the whole pose (load, preset, reset, undo): the view frame follows. */
  function replacePose(next: Pose | null, how: Shown) {
    batch(() => {
      setPose(next ? clone(next) : null);
      setFrame(viewFrame(next, photo.width, photo.height));
      setShown(how);
    });
  }

  function remember(before: Pose | null) {
    if (!before) return;
    setUndoStack((s) => [...s.slice(-(UNDO_LIMIT - 1)), clone(before)]);
    setRedoStack([]);
  }

  function changed() {
    userChanged = true;
    setSaveState('dirty');
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(() => void save(), AUTOSAVE_MS);
  }

  const describe = (p: Pose): Shown => (p.keypoints.some((k) => k.source === 'edited') ? 'edited' : p.origin === 'preset' ? 'preset' : p.origin === 'silhouette' ? 'silhouette' : 'detected');

  /** Undo (back = true) or redo: the current pose goes onto the other stack. */
  function step(back: boolean) {
    const [from, setFrom, setTo] = back ? [undoStack(), setUndoStack, setRedoStack] : [redoStack(), setRedoStack, setUndoStack];
    const current = pose();
    if (!from.length || !current) return;
    const next = from[from.length - 1]!;
    batch(() => {
      setFrom(from.slice(0, -1));
      setTo((s) => [...s, clone(current)]);
      replacePose(next, describe(next));
    });
    changed();
  }
  const undo = () => step(true);
  const redo = () => step(false);

  function pickPreset(id: string) {
    const before = pose();
    let next: Pose;
    try {
      next = before ? applyPreset(id, before) : placePreset(id, photo.width, photo.height);
    } catch {
      next = placePreset(id, photo.width, photo.height); // an anchor without a usable torso
    }
    remember(before);
    replacePose(next, 'preset');
    changed();
  }

  function reset() {
    const d = detection()?.pose;
    if (!d) return;
    remember(pose());
    replacePose(d, d.origin === 'silhouette' ? 'silhouette' : 'detected');
    changed();
  }

  // ---- detection ----------------------------------------------------------------------------
  function showDetection(d: Detection) {
    setDetection(d);
    setStatus(d.pose ? 'ready' : 'none');
    const t = d.timings;
    setTiming(`${Math.round(t.detectMs + t.completeMs)} ms`);
    root.dataset.detectMs = String(Math.round(t.detectMs + t.completeMs));
    // A saved pose, or anything the user did meanwhile, wins over the detection.
    if (!pose() && d.pose && !userChanged) {
      replacePose(d.pose, d.pose.origin === 'silhouette' ? 'silhouette' : 'detected');
      setSaveState('dirty');
      // The first detected pose is saved right away, so generating works without visiting this step.
      if (savedRev() === 0) void save();
    }
  }

  onMount(async () => {
    if (!props.modelUrl) return;
    client = new PoseClient();
    client.on((r) => {
      if (r.type === 'progress') setLoadPct(r.total ? r.loaded / r.total : null);
    });
    // Start after the garment selection tool is ready (or 3 s): both load models on a small CPU.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        window.removeEventListener('atelier:sam-ready', done);
        resolve();
      };
      const timer = setTimeout(done, 3000);
      window.addEventListener('atelier:sam-ready', done);
    });
    const ready = client.init({ modelUrl: props.modelUrl });
    const detected = client.detect({ imageUrl: photo.url, photo: { width: photo.width, height: photo.height }, maskUrl: props.maskUrl, maxSide: DETECT_MAX_SIDE });
    detected.catch(() => {}); // handled below, after ready
    try {
      const r = await ready;
      root.dataset.loadMs = String(Math.round(r.loadMs));
      setStatus('detecting');
    } catch (err) {
      setStatus('error');
      setProblem(m('pose.failed', { message: (err as Error).message }));
      return;
    }
    try {
      showDetection(await detected);
    } catch (err) {
      setStatus('error');
      setProblem(m('pose.detectFailed', { message: (err as Error).message }));
    }
  });

  /** Back on the pose step with no body found: a garment mask saved since can place one. */
  async function retryWithMask() {
    if (!client || status() !== 'none') return;
    try {
      const res = await fetch(`/api/sessions/${props.sessionId}`);
      if (!res.ok) return;
      const maskUrl: string | null = (await res.json())?.session?.mask?.url ?? null;
      if (!maskUrl || maskUrl === maskUsed) return;
      maskUsed = maskUrl;
      showDetection(await client.complete({ maskUrl }));
    } catch {
      /* keep offering presets */
    }
  }

  const onStep = (e: Event) => {
    if ((e as CustomEvent<string>).detail === 'pose') void retryWithMask();
  };
  // A garment mask saved in step 1 can place a body where no person was found.
  const onMask = () => void retryWithMask();
  onMount(() => {
    window.addEventListener('atelier:step', onStep);
    window.addEventListener('atelier:mask', onMask);
    onCleanup(() => {
      window.removeEventListener('atelier:step', onStep);
      window.removeEventListener('atelier:mask', onMask);
    });
  });

  onCleanup(() => {
    client?.terminate();
    clearTimeout(autosaveTimer);
  });

  // ---- saving -------------------------------------------------------------------------------
  // A pose edited offline and kept on this device (not yet synced) is newer than the saved one.
  onMount(async () => {
    const pending = await getPendingEdit(props.sessionId, 'pose').catch(() => undefined);
    if (typeof pending?.body !== 'string' || userChanged) return;
    try {
      const kept = JSON.parse(pending.body) as Pose;
      replacePose(kept, describe(kept));
      setSaveState('pending');
    } catch {
      /* unreadable: the server's pose stays */
    }
  });

  function save(): Promise<void> {
    clearTimeout(autosaveTimer);
    saving = saving.then(async () => {
      const current = pose();
      if (!current || saveState() === 'saved' || saveState() === 'pending') return;
      setSaveState('saving');
      setSyncNote('');
      const json = JSON.stringify(current);
      try {
        const started = new Date().toISOString();
        if (!navigator.onLine) throw new TypeError('offline');
        // x-base-rev: if the pose moved on elsewhere meanwhile, the server keeps that version as a copy.
        const res = await fetch(`/api/sessions/${props.sessionId}/pose`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-base-rev': String(savedRev()) },
          body: json,
        });
        const body = await res.json().catch(() => null);
        if (!res.ok) throw new Error(body?.error?.message ?? m('error.generic'));
        setSavedRev(body.rev);
        // This save contains any edit kept offline before it.
        void clearPendingEdit(props.sessionId, 'pose', started).catch(() => {});
        void rememberPose(props.sessionId, body).catch(() => {});
        // A change made while saving keeps the state dirty.
        if (pose() === current) {
          userChanged = false;
          setSaveState('saved');
        } else setSaveState('dirty');
        window.dispatchEvent(new CustomEvent('atelier:pose', { detail: { sessionId: props.sessionId, rev: body.rev, pose: body.pose } }));
      } catch (err) {
        if (isNetworkError(err)) {
          // Offline: keep the pose on this device; src/client/sync.ts sends it when the connection returns.
          try {
            await keepForLater(props.sessionId, 'pose', json, 'application/json', savedRev());
            if (pose() === current) {
              userChanged = false;
              setSaveState('pending');
            } else setSaveState('dirty');
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
      followSync(props.sessionId, 'pose', {
        setRev: (rev) => {
          setSavedRev(rev);
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
    if (userChanged && saveState() !== 'saved') e.preventDefault();
  };
  onMount(() => {
    window.addEventListener('beforeunload', beforeUnload);
    onCleanup(() => window.removeEventListener('beforeunload', beforeUnload));
    onCleanup(saveBeforeLeaving(() => userChanged && saveState() !== 'saved', save));
  });

  // ---- dragging -----------------------------------------------------------------------------
  /** Client (CSS px) → photo pixels, through the current view frame. */
  const toPhoto = (clientX: number, clientY: number) => {
    const r = stage.getBoundingClientRect();
    const f = frame();
    return { x: f.x0 + ((clientX - r.left) / r.width) * f.w, y: f.y0 + ((clientY - r.top) / r.height) * f.h };
  };

  function moveJoint(i: number, x: number, y: number) {
    const f = frame();
    const current = pose();
    if (!current) return;
    const cx = Math.min(f.x0 + f.w, Math.max(f.x0, x));
    const cy = Math.min(f.y0 + f.h, Math.max(f.y0, y));
    const keypoints = current.keypoints.slice();
    keypoints[i] = { ...keypoints[i]!, x: cx, y: cy, source: 'edited' };
    setPose({ ...current, keypoints });
    setShown('edited');
  }

  let drag: { index: number; pointerId: number; before: Pose; dx: number; dy: number; moved: boolean; startX: number; startY: number } | null = null;

  const onPointerDown = (i: number) => (e: PointerEvent) => {
    const current = pose();
    if (!current || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    (e.currentTarget as HTMLElement).focus({ preventScroll: true });
    const p = toPhoto(e.clientX, e.clientY);
    const k = current.keypoints[i]!;
    drag = { index: i, pointerId: e.pointerId, before: clone(current), dx: k.x - p.x, dy: k.y - p.y, moved: false, startX: e.clientX, startY: e.clientY };
    setDragging(i);
    setSelected(i);
  };

  const onPointerMove = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.pointerId) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.startX, e.clientY - drag.startY) < 2) return;
    drag.moved = true;
    const p = toPhoto(e.clientX, e.clientY);
    moveJoint(drag.index, p.x + drag.dx, p.y + drag.dy);
  };

  const endDrag = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.pointerId) return;
    const d = drag;
    drag = null;
    setDragging(null);
    if (d.moved) {
      remember(d.before);
      changed();
    }
  };

  const cancelDrag = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.pointerId) return;
    replacePose(drag.before, shown());
    drag = null;
    setDragging(null);
  };

  // ---- keyboard -----------------------------------------------------------------------------
  const visible = () => !!root && root.offsetParent !== null;

  const onKey = (e: KeyboardEvent) => {
    if (!visible()) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    let handled = true;
    if (mod && key === 'z') (e.shiftKey ? redo : undo)();
    else if (mod && key === 'y') redo();
    else if (mod && key === 's') void save();
    else handled = false;
    if (handled) {
      e.preventDefault();
      // Other islands on the page (the mask editor) listen on window too; this key was for the pose.
      e.stopPropagation();
    }
  };
  onMount(() => {
    window.addEventListener('keydown', onKey, true);
    onCleanup(() => window.removeEventListener('keydown', onKey, true));
  });

  const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  const onHandleKey = (i: number) => (e: KeyboardEvent) => {
    const dir = ARROWS[e.key];
    const current = pose();
    if (!dir || !current) return;
    e.preventDefault();
    e.stopPropagation();
    const step = (e.shiftKey ? 0.02 : 0.004) * Math.max(photo.width, photo.height);
    const k = current.keypoints[i]!;
    remember(current);
    moveJoint(i, k.x + dir[0] * step, k.y + dir[1] * step);
    changed();
  };

  // ---- view ---------------------------------------------------------------------------------
  const pct = (v: number, from: number, size: number) => `${((v - from) / size) * 100}%`;
  const completedLimb = (a: number, b: number) => {
    const k = pose()!.keypoints;
    return k[a]!.source === 'completed' || k[b]!.source === 'completed';
  };
  const seenCount = () => detection()?.detectedJoints ?? 0;

  const statusText = createMemo(() => {
    const s = status();
    if (s === 'error') return problem() ?? '';
    if (s === 'loading') return m('pose.loading');
    if (s === 'detecting' && !pose()) return m('pose.detecting');
    switch (shown()) {
      case 'saved':
        return m('pose.showingSaved');
      case 'preset':
        return m('pose.showingPreset');
      case 'edited':
        return m('pose.edited');
      case 'silhouette':
        return m('pose.foundSilhouette');
      case 'detected':
        return m('pose.found', { seen: seenCount() });
    }
    return s === 'none' ? m('pose.noPerson') : m('pose.detecting');
  });

  const markerStyle = (source: JointSource, color: string, active: boolean) => {
    const size = active ? 18 : 14;
    const base = { width: `${size}px`, height: `${size}px`, 'border-radius': '9999px', 'box-sizing': 'border-box' as const };
    if (source === 'detected') return { ...base, background: color, 'box-shadow': '0 0 0 1.5px rgba(0,0,0,0.65)' };
    if (source === 'completed') {
      return { ...base, background: 'rgba(255,255,255,0.25)', border: `2.5px dashed ${color}`, 'box-shadow': '0 0 0 1px rgba(0,0,0,0.45)' };
    }
    return { ...base, background: color, border: '3px solid #fff', 'box-shadow': '0 0 0 1.5px rgba(0,0,0,0.8)' };
  };

  const jointLabel = (name: JointName) => m(`pose.joint.${name}` as MessageKey);
  const sourceLabel = (s: JointSource) => m(`pose.legend.${s}` as MessageKey);
  const presetLabel = (p: (typeof POSE_PRESETS)[number]) => p.label[props.lang] ?? p.label.en;

  return (
    <div ref={root} class="flex flex-col gap-3 lg:flex-row" data-testid="pose-editor" data-status={status()}>
      <aside class="panel flex flex-col gap-3 lg:w-72 lg:shrink-0" aria-label="pose tools">
        <div
          class="text-sm"
          role="status"
          aria-live="polite"
          data-testid="pose-status"
          data-state={status()}
          data-shown={shown() ?? ''}
          classList={{ 'text-red-700': status() === 'error', 'font-medium text-amber-800': status() === 'none' && !pose() }}
        >
          <p>{statusText()}</p>
          <Show when={status() === 'loading' || (status() === 'detecting' && !pose())}>
            <div class="mt-2 h-2 w-full overflow-hidden rounded bg-stone-200" data-testid="pose-progress">
              <Show
                when={status() === 'loading' && loadPct() !== null && loadPct()! < 1}
                fallback={<div class="h-full w-full animate-pulse rounded bg-amber-500/70" data-indeterminate="true" />}
              >
                <div class="h-full bg-amber-500 transition-all" style={{ width: `${Math.round(loadPct()! * 100)}%` }} />
              </Show>
            </div>
          </Show>
        </div>

        <div class="flex flex-col gap-2" role="group" aria-label={m('pose.presets')}>
          <span class="text-sm text-stone-600">{m('pose.presets')}</span>
          <div class="grid grid-cols-2 gap-2">
            <For each={POSE_PRESETS}>
              {(p) => (
                <button
                  type="button"
                  class="btn text-sm"
                  classList={{ 'btn-on': pose()?.origin === 'preset' && pose()?.presetId === p.id && shown() === 'preset' }}
                  data-testid={`pose-preset-${p.id}`}
                  onClick={() => pickPreset(p.id)}
                >
                  {presetLabel(p)}
                </button>
              )}
            </For>
          </div>
        </div>

        <div class="grid grid-cols-2 gap-2">
          <button type="button" class="btn" data-testid="pose-undo" disabled={undoStack().length === 0} onClick={undo} title="Ctrl+Z">
            ↶ {m('pose.undo')}
          </button>
          <button type="button" class="btn" data-testid="pose-redo" disabled={redoStack().length === 0} onClick={redo} title="Ctrl+Shift+Z">
            ↷ {m('pose.redo')}
          </button>
          <button type="button" class="btn col-span-2" data-testid="pose-reset" disabled={!detection()?.pose} onClick={reset}>
            ⟲ {m('pose.reset')}
          </button>
        </div>

        <button type="button" class="btn-primary" data-testid="save-pose" disabled={!pose() || saveState() === 'saving'} onClick={() => void save()}>
          {saveState() === 'saving' ? m('pose.saving') : m('pose.save')}
        </button>
        <p class="text-sm" data-testid="pose-save-status" data-state={saveState()} data-rev={savedRev()} aria-live="polite">
          {saveState() === 'saved'
            ? `✓ ${m('pose.saved')}`
            : saveState() === 'saving'
              ? m('pose.saving')
              : saveState() === 'error'
                ? m('pose.saveFailed', { message: saveError() })
                : saveState() === 'pending'
                  ? `⟳ ${m('pwa.savedLocally')}`
                  : userChanged
                    ? m('pose.unsaved')
                    : m('pose.notSaved')}
        </p>
        <Show when={syncNote()}>
          <p class="text-xs text-amber-800" data-testid="pose-sync-note">{syncNote()}</p>
        </Show>

        <ul class="flex flex-wrap gap-x-3 gap-y-1 text-xs text-stone-600" aria-label="legend">
          <For each={['detected', 'completed', 'edited'] as JointSource[]}>
            {(s) => (
              <li class="flex items-center gap-1">
                <span class="inline-block" style={markerStyle(s, '#f59e0b', false)} />
                {sourceLabel(s)}
              </li>
            )}
          </For>
        </ul>
        <p class="text-xs text-stone-500">{m('pose.help')}</p>
        <Show when={timing()}>
          <p class="text-xs text-stone-400" data-testid="pose-detect-ms">{timing()}</p>
        </Show>
      </aside>

      <section class="flex-1 min-w-0">
        <div
          ref={stage}
          class="relative mx-auto select-none bg-stone-200"
          style={{
            'aspect-ratio': `${frame().w} / ${frame().h}`,
            'max-height': '80vh',
            'max-width': `calc(80vh * ${frame().w / frame().h})`,
          }}
          data-testid="pose-stage"
        >
          <img
            src={photo.url}
            alt=""
            draggable={false}
            class="absolute"
            data-testid="pose-photo"
            style={{
              left: pct(0, frame().x0, frame().w),
              top: pct(0, frame().y0, frame().h),
              width: `${(photo.width / frame().w) * 100}%`,
              height: `${(photo.height / frame().h) * 100}%`,
            }}
          />
          <div class="absolute inset-0" data-testid="pose-overlay" data-joints={pose() ? 18 : 0}>
            <Show when={pose()}>
              <svg
                class="pointer-events-none absolute inset-0 h-full w-full"
                viewBox={`${frame().x0} ${frame().y0} ${frame().w} ${frame().h}`}
                preserveAspectRatio="none"
                aria-hidden="true"
              >
                <Show when={frame().x0 < 0 || frame().y0 < 0 || frame().w > photo.width || frame().h > photo.height}>
                  <rect x="0" y="0" width={photo.width} height={photo.height} fill="none" stroke="#fff" stroke-width="1.5" stroke-dasharray="6 4" vector-effect="non-scaling-stroke" />
                </Show>
                <For each={LIMBS}>
                  {([a, b], i) => (
                    <line
                      x1={pose()!.keypoints[a]!.x}
                      y1={pose()!.keypoints[a]!.y}
                      x2={pose()!.keypoints[b]!.x}
                      y2={pose()!.keypoints[b]!.y}
                      stroke={rgb(JOINT_COLORS[i()]!)}
                      stroke-opacity="0.85"
                      stroke-width="5"
                      stroke-linecap="round"
                      stroke-dasharray={completedLimb(a, b) ? '8 6' : undefined}
                      vector-effect="non-scaling-stroke"
                    />
                  )}
                </For>
              </svg>
              <For each={JOINT_NAMES}>
                {(name, i) => {
                  const k = () => pose()!.keypoints[i()]!;
                  const color = rgb(JOINT_COLORS[i()]!);
                  return (
                    <div
                      role="button"
                      tabindex="0"
                      class="absolute flex items-center justify-center rounded-full outline-none focus-visible:ring-2 focus-visible:ring-amber-500"
                      classList={{ 'cursor-grab': dragging() !== i(), 'cursor-grabbing z-10': dragging() === i() }}
                      style={{
                        left: pct(k().x, frame().x0, frame().w),
                        top: pct(k().y, frame().y0, frame().h),
                        width: `${HANDLE_PX}px`,
                        height: `${HANDLE_PX}px`,
                        transform: 'translate(-50%, -50%)',
                        'touch-action': 'none',
                      }}
                      data-testid={`pose-joint-${name}`}
                      data-joint={name}
                      data-source={k().source}
                      data-x={k().x.toFixed(2)}
                      data-y={k().y.toFixed(2)}
                      aria-label={`${jointLabel(name)} · ${sourceLabel(k().source)}`}
                      title={`${jointLabel(name)} · ${sourceLabel(k().source)}`}
                      onPointerDown={onPointerDown(i())}
                      onPointerMove={onPointerMove}
                      onPointerUp={endDrag}
                      onPointerCancel={cancelDrag}
                      onKeyDown={onHandleKey(i())}
                      onFocus={() => setSelected(i())}
                      onBlur={() => setSelected((v) => (v === i() ? null : v))}
                    >
                      <span class="pointer-events-none" style={markerStyle(k().source, color, dragging() === i() || selected() === i())} />
                    </div>
                  );
                }}
              </For>
            </Show>
          </div>
        </div>
      </section>
    </div>
  );
}
