// Pose editor: the photo with the OpenPose skeleton over it. Detection and completion run in the
// pose worker once the garment selection tool has loaded; this editor only shows the pose, turns drags,
// presets and keys into new poses, and keeps the pose as a synced document in the studio store.
import { batch, createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import { debugReadouts } from '../client/device.ts';
import { createZoomGestures } from '../client/zoom-gestures.ts';
import ZoomButtons, { PHOTO_MAX_HEIGHT } from './ZoomButtons.tsx';
import { PoseClient } from '../client/pose-client.ts';
import { useStudio } from '../client/studio-store.ts';
import { CONFLICT_MESSAGES, createSyncedDocument } from '../client/synced-document.ts';
import type { Detection } from '../lib/pose/protocol.ts';
import { canRedo, canUndo, clonePose, EMPTY_HISTORY, recordChange, redo as redoIn, undo as undoIn } from '../lib/pose/history.ts';
import { applyPreset, placePreset, POSE_PRESETS } from '../lib/pose/presets.ts';
import { JOINT_COLORS, LIMBS } from '../lib/pose/skeleton.ts';
import { poseShown, viewFrame, withJointMoved, type PoseShown, type ViewFrame } from '../lib/pose/view.ts';
import { JOINT_NAMES, type JointName, type JointSource, type Pose } from '../lib/pose/types.ts';
import { translator, type MessageKey } from '../i18n/messages.ts';

type Status = 'loading' | 'detecting' | 'ready' | 'none' | 'error';

/** Longest side the photo is decoded to for detection (MediaPipe looks at 224–256 px crops). */
const DETECT_MAX_SIDE = 1024;
/** How long detection waits for the garment selection tool to load first. */
const SELECTION_WAIT_MS = 3000;
const HANDLE_PX = 36;
/** Joint handles are buttons without a button's own look: only the marker inside them shows. */
const HANDLE_CLASS = [
  'absolute flex items-center justify-center rounded-full outline-none focus-visible:ring-2 focus-visible:ring-amber-500',
  'm-0 appearance-none border-0 bg-transparent p-0',
].join(' ');

const rgb = (c: readonly number[]) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

export default function PoseEditor() {
  const studio = useStudio();
  const { data } = studio;
  const m = translator(data.lang);
  const sessionId = data.session.id;
  const photo = { url: data.session.image.url, width: data.session.image.width, height: data.session.image.height };
  const modelUrl = data.poseModelUrl;

  const initial = studio.state.savedPose?.pose ?? null;
  const [pose, setPose] = createSignal<Pose | null>(initial ? clonePose(initial) : null);
  const [frame, setFrame] = createSignal<ViewFrame>(viewFrame(initial, photo.width, photo.height));
  const [shown, setShown] = createSignal<PoseShown | null>(initial ? 'saved' : null);
  const [detection, setDetection] = createSignal<Detection | null>(null);
  const [status, setStatus] = createSignal<Status>(modelUrl ? 'loading' : 'error');
  const [problem, setProblem] = createSignal<string | null>(modelUrl ? null : data.poseModelsProblem);
  const [loadPct, setLoadPct] = createSignal<number | null>(null);
  const [history, setHistory] = createSignal(EMPTY_HISTORY);
  const [dragging, setDragging] = createSignal<number | null>(null);
  const [selected, setSelected] = createSignal<number | null>(null);
  const [timing, setTiming] = createSignal<string | null>(null);
  // Milliseconds are engineers' read-outs: shown with ?debug only (set after hydration).
  const [debug, setDebug] = createSignal(false);
  onMount(() => setDebug(debugReadouts()));
  /** "Saved" is said after a save in this visit, not for a pose saved long ago. */
  const [savedHere, setSavedHere] = createSignal(false);
  createEffect(() => {
    if (saveState().status === 'saving') setSavedHere(true);
  });

  let root!: HTMLDivElement;
  let stage!: HTMLDivElement;
  let client: PoseClient | null = null;
  /** The garment mask the last completion used. */
  let maskUsed = data.session.mask?.url ?? null;

  const doc = createSyncedDocument({
    kind: 'pose',
    sessionId,
    lang: data.lang,
    state: () => studio.state.documents.pose,
    setState: (next) => studio.setDocument('pose', next),
    canSave: () => pose() !== null,
    snapshot: () => JSON.stringify(pose()),
    accepted: (answer) => studio.poseSaved(answer),
  });
  const saveState = () => studio.state.documents.pose;

  // ---- pose changes -------------------------------------------------------------------------
  /** Replaces the whole pose (load, preset, reset, undo): the view frame follows. */
  function replacePose(next: Pose | null, how: PoseShown | null) {
    batch(() => {
      setPose(next ? clonePose(next) : null);
      setFrame(viewFrame(next, photo.width, photo.height));
      setShown(how);
    });
  }

  /** A change by the merchant replaced `before`: undoable, and saved after a pause. */
  function changedFrom(before: Pose | null) {
    if (before) setHistory((h) => recordChange(h, before));
    doc.edited();
  }

  /** Undo (back = true) or redo: the current pose goes onto the other side of the history. */
  function step(back: boolean) {
    const current = pose();
    const moved = current && (back ? undoIn : redoIn)(history(), current);
    if (!moved) return;
    batch(() => {
      setHistory(moved.history);
      replacePose(moved.pose, poseShown(moved.pose));
    });
    doc.edited();
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
    replacePose(next, 'preset');
    changedFrom(before);
  }

  function reset() {
    const d = detection()?.pose;
    if (!d) return;
    const before = pose();
    replacePose(d, d.origin === 'silhouette' ? 'silhouette' : 'detected');
    changedFrom(before);
  }

  // ---- detection ----------------------------------------------------------------------------
  function showDetection(d: Detection) {
    setDetection(d);
    studio.bodyFound(d.pose);
    setStatus(d.pose ? 'ready' : 'none');
    const t = d.timings;
    setTiming(`${Math.round(t.detectMs + t.completeMs)} ms`);
    root.dataset.detectMs = String(Math.round(t.detectMs + t.completeMs));
    // A saved pose, or anything the merchant did meanwhile, wins over the detection.
    if (!pose() && d.pose && !saveState().touched) {
      replacePose(d.pose, d.pose.origin === 'silhouette' ? 'silhouette' : 'detected');
      // The first detected pose is saved right away, so generating works without visiting this step.
      if (saveState().rev === 0) void doc.save();
    }
  }

  onMount(async () => {
    if (!modelUrl) return studio.bodyFound(null);
    client = new PoseClient();
    client.on((r) => {
      if (r.type === 'progress') setLoadPct(r.total ? r.loaded / r.total : null);
    });
    // Both load models on a small CPU: the garment selection tool first.
    await studio.untilSelectionSettled(SELECTION_WAIT_MS);
    const ready = client.init({ modelUrl });
    const size = { width: photo.width, height: photo.height };
    const detected = client.detect({ imageUrl: photo.url, photo: size, maskUrl: maskUsed, maxSide: DETECT_MAX_SIDE });
    detected.catch(() => {}); // handled below, after ready
    try {
      const r = await ready;
      root.dataset.loadMs = String(Math.round(r.loadMs));
      setStatus('detecting');
    } catch (err) {
      setStatus('error');
      setProblem(m('pose.failed', { message: (err as Error).message }));
      studio.bodyFound(null);
      return;
    }
    try {
      showDetection(await detected);
    } catch (err) {
      setStatus('error');
      setProblem(m('pose.detectFailed', { message: (err as Error).message }));
      studio.bodyFound(null);
    }
  });

  onCleanup(() => client?.terminate());

  /** No body found: a garment mask saved since (in step 1, or elsewhere) can place one from its silhouette. */
  function completeWithMask(maskUrl: string | null) {
    if (!client || status() !== 'none' || !maskUrl || maskUrl === maskUsed) return;
    maskUsed = maskUrl;
    client.complete({ maskUrl }).then(showDetection, () => {
      /* keep offering presets */
    });
  }
  createEffect(on(() => studio.state.session.mask?.url ?? null, completeWithMask, { defer: true }));
  // Back on the pose step with no body found: a mask may have been saved elsewhere meanwhile.
  createEffect(
    on(
      () => studio.state.step,
      (shownStep) => {
        if (shownStep !== 'pose' || !client || status() !== 'none') return;
        studio.refreshSession().then(
          () => completeWithMask(studio.state.session.mask?.url ?? null),
          () => {},
        );
      },
    ),
  );

  // A pose edited offline and kept on this device (not yet synced) is newer than the saved one.
  onMount(async () => {
    const kept = await doc.keptEdit();
    if (typeof kept !== 'string' || saveState().touched) return;
    try {
      const parsed = JSON.parse(kept) as Pose;
      replacePose(parsed, poseShown(parsed));
      doc.showingKept();
    } catch {
      /* unreadable: the server's pose stays */
    }
  });

  // ---- dragging -----------------------------------------------------------------------------
  /** Client (CSS px) → photo pixels, through the current view frame (and the zoom: the layer's box is transformed). */
  const toPhoto = (clientX: number, clientY: number) => {
    const r = layer.getBoundingClientRect();
    const f = frame();
    return { x: f.x0 + ((clientX - r.left) / r.width) * f.w, y: f.y0 + ((clientY - r.top) / r.height) * f.h };
  };

  function moveJoint(i: number, x: number, y: number) {
    const current = pose();
    if (!current) return;
    setPose(withJointMoved(current, i, x, y, frame()));
    setShown('edited');
  }

  let drag: {
    index: number;
    pointerId: number;
    before: Pose;
    dx: number;
    dy: number;
    moved: boolean;
    startX: number;
    startY: number;
  } | null = null;

  const onPointerDown = (i: number) => (e: PointerEvent) => {
    const current = pose();
    if (!current || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    (e.currentTarget as HTMLElement).focus({ preventScroll: true });
    const p = toPhoto(e.clientX, e.clientY);
    const k = current.keypoints[i]!;
    const before = clonePose(current);
    drag = { index: i, pointerId: e.pointerId, before, dx: k.x - p.x, dy: k.y - p.y, moved: false, startX: e.clientX, startY: e.clientY };
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
    if (d.moved) changedFrom(d.before);
  };

  // Zoom and pan (src/client/zoom-gestures.ts): a second finger turns a joint drag into a pinch, the joint put back.
  let layer!: HTMLDivElement;
  const zoom = createZoomGestures(
    () => stage,
    () => {
      if (!drag) return;
      replacePose(drag.before, shown());
      drag = null;
      setDragging(null);
    },
  );

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
    else if (mod && key === 's') void doc.save();
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
    moveJoint(i, k.x + dir[0] * step, k.y + dir[1] * step);
    changedFrom(current);
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
  const presetLabel = (p: (typeof POSE_PRESETS)[number]) => p.label[data.lang] ?? p.label.en;

  return (
    <div ref={root} class="flex flex-col gap-3 md:flex-row" data-testid="pose-editor" data-status={status()}>
      <aside class="panel order-2 flex flex-col gap-3 md:order-none md:w-64 lg:w-72 md:shrink-0" aria-label={m('pose.tools')}>
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

        <fieldset class="m-0 min-w-0 border-0 p-0">
          <legend class="mb-2 p-0 text-sm text-stone-600">{m('pose.presets')}</legend>
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
        </fieldset>

        <div class="grid grid-cols-2 gap-2">
          <button type="button" class="btn" data-testid="pose-undo" disabled={!canUndo(history())} onClick={undo} title="Ctrl+Z">
            ↶ {m('pose.undo')}
          </button>
          <button type="button" class="btn" data-testid="pose-redo" disabled={!canRedo(history())} onClick={redo} title="Ctrl+Shift+Z">
            ↷ {m('pose.redo')}
          </button>
          <button type="button" class="btn col-span-2" data-testid="pose-reset" disabled={!detection()?.pose} onClick={reset}>
            ⟲ {m('pose.reset')}
          </button>
        </div>

        <button
          type="button"
          class="btn-primary"
          data-testid="save-pose"
          disabled={!pose() || saveState().status === 'saving'}
          onClick={() => void doc.save()}
        >
          {saveState().status === 'saving' ? m('pose.saving') : m('pose.save')}
        </button>
        <p class="text-sm" data-testid="pose-save-status" data-state={saveState().status} data-rev={saveState().rev} aria-live="polite">
          {saveState().status === 'saved'
            ? savedHere()
              ? `✓ ${m('pose.saved')}`
              : ''
            : saveState().status === 'saving'
              ? m('pose.saving')
              : saveState().status === 'error'
                ? m('pose.saveFailed', { message: saveState().error })
                : saveState().status === 'pending'
                  ? `⟳ ${m('pwa.savedLocally')}`
                  : saveState().touched
                    ? m('pose.unsaved')
                    : m('pose.notSaved')}
        </p>
        <Show when={saveState().conflict}>
          {(note) => (
            <p class="text-xs text-amber-800" data-testid="pose-sync-note">
              {m(CONFLICT_MESSAGES[note()])}
            </p>
          )}
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
        <p class="text-xs text-stone-600">{m('pose.help')}</p>
        <Show when={debug() && timing()}>
          <p class="text-xs text-stone-600" data-testid="pose-detect-ms">
            {timing()}
          </p>
        </Show>
      </aside>

      {/* Phones: the photo first, as in the garment step. */}
      <section class="order-1 min-w-0 flex-1 md:order-none">
        <div
          ref={stage}
          class="relative mx-auto select-none overflow-hidden bg-stone-200"
          style={{
            'aspect-ratio': `${frame().w} / ${frame().h}`,
            'max-height': PHOTO_MAX_HEIGHT,
            'max-width': `calc(${PHOTO_MAX_HEIGHT} * ${frame().w / frame().h})`,
          }}
          data-testid="pose-stage"
          data-zoom={zoom.view().scale.toFixed(2)}
          onPointerDown={(e) => zoom.pointer(e, 'down')}
          onPointerMove={(e) => zoom.pointer(e, 'move')}
          onPointerUp={(e) => zoom.pointer(e, 'up')}
          onPointerCancel={(e) => zoom.pointer(e, 'cancel')}
        >
          <div ref={layer} class="absolute inset-0" style={{ transform: zoom.transform(), 'transform-origin': '0 0' }}>
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
                    <rect
                      x="0"
                      y="0"
                      width={photo.width}
                      height={photo.height}
                      fill="none"
                      stroke="#fff"
                      stroke-width="1.5"
                      stroke-dasharray="6 4"
                      vector-effect="non-scaling-stroke"
                    />
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
                      <button
                        type="button"
                        class={HANDLE_CLASS}
                        classList={{ 'cursor-grab': dragging() !== i(), 'cursor-grabbing z-10': dragging() === i() }}
                        style={{
                          left: pct(k().x, frame().x0, frame().w),
                          top: pct(k().y, frame().y0, frame().h),
                          width: `${HANDLE_PX}px`,
                          height: `${HANDLE_PX}px`,
                          // Joints keep their size on screen when the photo is zoomed.
                          transform: `translate(-50%, -50%) scale(${1 / zoom.view().scale})`,
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
                        <span
                          class="pointer-events-none"
                          style={markerStyle(k().source, color, dragging() === i() || selected() === i())}
                        />
                      </button>
                    );
                  }}
                </For>
              </Show>
            </div>
          </div>
          <ZoomButtons zoom={zoom} m={m} testidPrefix="pose-zoom-" />
        </div>
      </section>
    </div>
  );
}
