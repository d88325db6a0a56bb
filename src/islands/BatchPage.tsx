// The Batch page: many photos in, a catalogue out. A thin view over src/client/batch-runner.ts (uploads, pose and
// garment proposal in this browser's workers) and the batch API; the grid shows what needs a look first.
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import {
  BATCH_KEY,
  eachLimited,
  type ItemState,
  LEDGER_KEY,
  loadLedger,
  selectAndSave,
  detectBody,
  type DetectedBody,
  type UploadedPhoto,
  saveLedger,
  skipReason,
  UPLOADS_AT_ONCE,
  upload,
} from '../client/batch-runner.ts';
import { poseModelForDevice } from '../client/device.ts';
import { PoseClient } from '../client/pose-client.ts';
import { SamClient } from '../client/sam-client.ts';
import { type Lang, translator } from '../i18n/messages.ts';
import type { SessionDetailJson } from '../lib/api/types.ts';
import {
  addPending,
  EMPTY_LEDGER,
  freshest,
  fileSignature,
  forget,
  type Ledger,
  markPrepared,
  markUploaded,
  sortChosen,
  unfinished,
} from '../lib/batch/ledger.ts';
import { DEFAULT_GARMENT_KIND, GARMENT_KINDS, type GarmentKind } from '../lib/sam/auto-select.ts';
import PictureChoices, { lookGroups, sceneGroups, type PictureOption } from './PictureChoices.tsx';

type Option = PictureOption;

export interface BatchPageProps {
  lang: Lang;
  maxMb: number;
  decoderUrl: string | null;
  multiDecoderUrl: string | null;
  poseModelUrl: string | null;
  poseModelLiteUrl: string | null;
  looks: Option[];
  scenes: Option[];
  defaultLook: string;
  defaultScene: string;
}

interface Item {
  key: string;
  name: string;
  state: ItemState;
  pct: number;
  sessionId: string | null;
  thumbUrl: string | null;
  reason: string | null;
  excluded: boolean;
  results: number;
}

interface BatchPhotoJson {
  sessionId: string;
  title: string;
  thumbUrl: string;
  masked: boolean;
  posed: boolean;
  excluded: boolean;
  jobs: Record<string, number>;
  results: number;
}

const NEEDS_LOOK: ItemState[] = ['check', 'failed', 'skipped'];

export default function BatchPage(props: BatchPageProps) {
  const m = translator(props.lang);
  const [s, set] = createStore({
    batchId: null as string | null,
    items: [] as Item[],
    message: null as string | null,
    generating: false,
    kind: DEFAULT_GARMENT_KIND as GarmentKind,
    look: props.defaultLook,
    scene: props.defaultScene,
    count: 1,
  });
  let pose: PoseClient | null = null;
  let sam: SamClient | null = null;
  let ledger: Ledger = EMPTY_LEDGER;
  /**
   * Records a change to this device's record of the batch, made on its freshest copy: another tab on the same batch
   * may have written since (its uploads stay recorded).
   */
  const keep = (change: (record: Ledger) => Ledger) => {
    ledger = change(freshest(loadLedger(), ledger));
    saveLedger(ledger);
  };
  let poll: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => {
    pose?.terminate();
    sam?.terminate();
    clearInterval(poll);
  });

  const update = (key: string, patch: Partial<Item>) =>
    set(
      'items',
      (i) => i.key === key,
      produce((i) => Object.assign(i, patch)),
    );
  const sorted = createMemo(() => [...s.items].sort((a, b) => Number(NEEDS_LOOK.includes(b.state)) - Number(NEEDS_LOOK.includes(a.state))));
  const prepared = () => s.items.filter((i) => i.state !== 'uploading' && i.state !== 'preparing').length;

  async function api<T>(url: string, init?: RequestInit): Promise<T> {
    const res = await fetch(url, init);
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
    return body as T;
  }
  const postJson = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  /** Items from the server's batch (on coming back, and while generating). */
  function fromBatch(photos: BatchPhotoJson[]) {
    const byId = new Map(s.items.map((i) => [i.sessionId, i]));
    const next: Item[] = photos.map((p) => {
      const running = (p.jobs.queued ?? 0) + (p.jobs.running ?? 0) > 0;
      const failed = (p.jobs.failed ?? 0) > 0 && !running && p.results === 0;
      const state: ItemState = running
        ? 'generating'
        : p.results > 0
          ? 'done'
          : failed
            ? 'failed'
            : p.masked && p.posed
              ? 'ready'
              : 'check';
      const known = byId.get(p.sessionId);
      const keep = known && (known.state === 'preparing' || (known.state === 'check' && state === 'ready' && !running));
      return {
        key: known?.key ?? p.sessionId,
        name: p.title,
        state: keep ? known.state : state,
        pct: 100,
        sessionId: p.sessionId,
        thumbUrl: p.thumbUrl,
        reason: known?.reason ?? null,
        excluded: p.excluded,
        results: p.results,
      };
    });
    const others = s.items.filter((i) => !i.sessionId);
    set('items', [...next, ...others]);
  }

  async function refresh() {
    if (!s.batchId) return;
    const { batch } = await api<{ batch: { photos: BatchPhotoJson[]; counts: Record<string, number> } }>(`/api/batches/${s.batchId}`);
    fromBatch(batch.photos);
    if (batch.counts.queued + batch.counts.running === 0) {
      set('generating', false);
      clearInterval(poll);
    }
  }

  const [hydrated, setHydrated] = createSignal(false);
  onMount(async () => {
    setHydrated(true);
    const saved = localStorage.getItem(BATCH_KEY);
    ledger = loadLedger();
    if (ledger.batchId && ledger.batchId !== saved) keep(() => EMPTY_LEDGER);
    if (saved) {
      try {
        set('batchId', saved);
        await refresh();
        if (s.items.some((i) => i.state === 'generating')) watch();
      } catch {
        localStorage.removeItem(BATCH_KEY);
        keep(() => EMPTY_LEDGER);
        set({ batchId: null, items: [] });
      }
    }
    await resume();
  });

  /**
   * After the tab was closed: photos uploaded but not yet in the batch join it, files that never reached the server
   * are named, uploaded photos are prepared.
   */
  async function resume() {
    const inBatch = new Set(s.items.map((i) => i.sessionId));
    const outside = ledger.entries.filter((e) => e.sessionId && !inBatch.has(e.sessionId)).map((e) => e.sessionId!);
    if (outside.length) {
      for (const id of outside) await joinBatch(id).catch(() => {});
      await refresh().catch(() => {});
    }
    const { notUploaded, toPrepare: waiting } = unfinished(ledger);
    set('items', (list) => [
      ...list,
      ...notUploaded.map(
        (e): Item => ({
          key: `pending:${e.sig}`,
          name: e.name,
          state: 'failed',
          pct: 0,
          sessionId: null,
          thumbUrl: null,
          reason: m('batch.notUploaded'),
          excluded: false,
          results: 0,
        }),
      ),
    ]);
    for (const sessionId of waiting) {
      const item = s.items.find((i) => i.sessionId === sessionId);
      // Generated or left out since: nothing to prepare.
      if (!item || item.excluded || item.state === 'generating' || item.state === 'done') continue;
      update(item.key, { state: 'preparing' });
      void api<{ session: SessionDetailJson }>(`/api/sessions/${sessionId}`)
        .then(({ session }) => {
          toPrepare.push({ key: item.key, up: uploadedPhoto(session) });
          void prepareNext();
        })
        .catch((err) => update(item.key, { state: 'check', reason: m('batch.prepareFailed', { message: (err as Error).message }) }));
    }
  }

  function watch() {
    set('generating', true);
    clearInterval(poll);
    poll = setInterval(() => void refresh().catch(() => {}), 1500);
  }

  /**
   * Queue of uploaded photos waiting for their pose and garment proposal, worked one after another in two stages:
   * the next photo's pose is detected (pose worker) while this one's garment is proposed (SAM worker).
   */
  const toPrepare: { key: string; up: UploadedPhoto }[] = [];
  const uploadedPhoto = (session: SessionDetailJson) => ({
    sessionId: session.id,
    photoUrl: session.image.url,
    embeddingUrl: session.embedding.url,
    width: session.image.width,
    height: session.image.height,
  });
  let preparing = false;
  async function prepareNext() {
    if (preparing) return;
    preparing = true;
    try {
      const poseModelUrl = poseModelForDevice({ full: props.poseModelUrl, lite: props.poseModelLiteUrl });
      if (!pose && poseModelUrl) {
        pose = new PoseClient();
        await pose.init({ modelUrl: poseModelUrl }).catch(() => {
          pose = null;
        });
      }
      let detecting: Promise<DetectedBody> | null = null;
      for (let job = toPrepare.shift(); job; job = toPrepare.shift()) {
        const { key, up } = job;
        if (!props.decoderUrl) {
          update(key, { state: 'check', reason: m('batch.noModels') });
          continue;
        }
        try {
          const detected = await (detecting ?? detectBody(up, pose));
          // The next photo's pose starts now, beside this one's proposal.
          const following = toPrepare[0];
          detecting = following ? detectBody(following.up, pose) : null;
          sam ??= new SamClient();
          const r = await selectAndSave(up, detected, {
            pose,
            sam,
            decoderUrl: props.decoderUrl,
            multiDecoderUrl: props.multiDecoderUrl,
            kind: s.kind,
          });
          update(key, { state: r.state, reason: r.state === 'check' ? (r.person ? m('batch.lowConfidence') : m('batch.noPerson')) : null });
        } catch (err) {
          // A worker that failed on one photo is not trusted with the next.
          sam?.terminate();
          sam = null;
          update(key, { state: 'check', reason: m('batch.prepareFailed', { message: (err as Error).message }) });
        }
        keep((l) => markPrepared(l, up.sessionId));
      }
    } finally {
      preparing = false;
    }
  }

  async function addFiles(chosen: File[]) {
    set('message', null);
    const maxBytes = props.maxMb * 1024 * 1024;
    // Files already uploaded to this batch (the same folder dropped again after the tab was closed) are left out.
    const { upload: files, alreadyIn } = sortChosen(ledger, chosen, (f) => (skipReason(f, maxBytes) ? `skip:${f.name}` : fileSignature(f)));
    const again = new Set(files.map((f) => `pending:${fileSignature(f)}`));
    set('items', (list) => list.filter((i) => !again.has(i.key)));
    if (alreadyIn > 0) set('message', m('batch.alreadyIn', { n: alreadyIn }));
    const fresh: Item[] = files.map((f, i) => {
      const reason = skipReason(f, maxBytes);
      return {
        key: `${Date.now()}-${i}-${f.name}`,
        name: f.name,
        state: reason ? 'skipped' : 'uploading',
        pct: 0,
        sessionId: null,
        thumbUrl: null,
        reason,
        excluded: false,
        results: 0,
      };
    });
    set('items', (list) => [...list, ...fresh]);
    const valid = fresh.map((item, i) => ({ item, file: files[i]! })).filter((x) => x.item.state === 'uploading');
    if (valid.length === 0) {
      if (alreadyIn === 0) set('message', m('batch.noValid'));
      return;
    }
    keep((l) =>
      addPending(
        l,
        valid.map(({ file }) => ({ sig: fileSignature(file), name: file.name })),
      ),
    );
    await eachLimited(valid, UPLOADS_AT_ONCE, async ({ item, file }) => {
      try {
        const up = await upload(
          file,
          (pct) => update(item.key, { pct }),
          (seconds) => update(item.key, { reason: seconds == null ? null : m('batch.uploadWait', { s: seconds }) }),
        );
        // Recorded at once: a tab closed from here on finds the photo on the server (and joins it to the batch).
        keep((l) => markUploaded(l, fileSignature(file), up.session.id));
        update(item.key, { state: 'preparing', sessionId: up.session.id, thumbUrl: up.image.thumbUrl, pct: 100 });
        await joinBatch(up.session.id);
        toPrepare.push({ key: item.key, up: uploadedPhoto(up.session) });
        void prepareNext();
      } catch (err) {
        keep((l) => forget(l, fileSignature(file)));
        update(item.key, { state: 'failed', reason: (err as Error).message });
      }
    });
  }

  // One membership change at a time: the first photo creates the batch, the others join it.
  let membership: Promise<unknown> = Promise.resolve();
  function joinBatch(sessionId: string): Promise<unknown> {
    const run = membership.then(async () => {
      if (s.batchId) return api(`/api/batches/${s.batchId}/sessions`, postJson({ sessionIds: [sessionId] }));
      const { batch } = await api<{ batch: { id: string } }>(
        '/api/batches',
        postJson({ name: new Date().toLocaleDateString(props.lang), sessionIds: [sessionId] }),
      );
      set('batchId', batch.id);
      localStorage.setItem(BATCH_KEY, batch.id);
      keep((l) => ({ ...l, batchId: batch.id }));
    });
    membership = run.catch(() => {});
    return run;
  }

  async function generateAll() {
    if (!s.batchId) return;
    set('message', null);
    try {
      const r = await api<{ queued: number; skipped: { title: string; reason: string }[] }>(
        `/api/batches/${s.batchId}/jobs`,
        postJson({ recipe: 'model-shot', modelPresets: [s.look], scenePresets: [s.scene], count: s.count }),
      );
      set('message', m('batch.queued', { n: r.queued, skipped: r.skipped.length }));
      await refresh();
      watch();
    } catch (err) {
      set('message', (err as Error).message);
    }
  }

  async function toggleExcluded(item: Item) {
    if (!s.batchId || !item.sessionId) return;
    await api(`/api/batches/${s.batchId}/sessions/${item.sessionId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ excluded: !item.excluded }),
    });
    update(item.key, { excluded: !item.excluded });
  }

  function newBatch() {
    localStorage.removeItem(BATCH_KEY);
    localStorage.removeItem(LEDGER_KEY);
    ledger = EMPTY_LEDGER;
    clearInterval(poll);
    set({ batchId: null, items: [], message: null, generating: false });
  }

  /** Files or a whole folder; what is not a photo is listed as skipped. */
  const FilePicker = (p: { label: string; testid: string; primary?: boolean; folder?: boolean }) => (
    <label class={`${p.primary ? 'btn-primary' : 'btn'} cursor-pointer`}>
      {p.label}
      <input
        type="file"
        class="sr-only"
        multiple
        accept={p.folder ? undefined : 'image/jpeg,image/png,image/webp'}
        ref={(el) => p.folder && el.setAttribute('webkitdirectory', '')}
        data-testid={p.testid}
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          void addFiles(files);
        }}
      />
    </label>
  );

  const Choice = (p: { label: string; value: string; options: Option[]; onChange: (id: string) => void }) => (
    <label class="flex flex-col text-sm">
      {p.label}
      <select class="input" value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)}>
        <For each={p.options}>
          {(o) => (
            <option value={o.id} selected={p.value === o.id}>
              {o.label}
            </option>
          )}
        </For>
      </select>
    </label>
  );

  const total = () => s.items.filter((i) => i.state !== 'skipped').length;
  const busy = () => s.items.some((i) => i.state === 'uploading' || i.state === 'preparing');
  const results = () => s.items.reduce((a, i) => a + i.results, 0);

  return (
    <div class="flex flex-col gap-4" data-testid="batch-page" data-ready={hydrated() ? 'true' : undefined}>
      <section class="panel">
        <h1 class="text-xl font-bold">{m('batch.title')}</h1>
        <p class="text-sm text-stone-600">{m('batch.hint', { mb: props.maxMb })}</p>
        <div class="flex flex-wrap items-center gap-2">
          <FilePicker label={m('batch.choose')} primary testid="batch-input" />
          <FilePicker label={m('batch.chooseFolder')} folder testid="batch-folder" />
          <Choice
            label={m('auto.kind')}
            value={s.kind}
            options={GARMENT_KINDS.map((k) => ({ id: k, label: m(`auto.kind.${k}`) }))}
            onChange={(v) => set('kind', v as GarmentKind)}
          />
          <Show when={s.batchId}>
            <button type="button" class="btn" onClick={newBatch}>
              {m('batch.new')}
            </button>
          </Show>
        </div>
        <Show when={s.items.length > 0}>
          <div class="flex items-center gap-2 text-sm" data-testid="batch-progress">
            <progress class="h-2 flex-1" max={Math.max(1, s.items.length)} value={prepared()} aria-label={m('batch.title')} />
            <span class="tabular-nums">{m('batch.progress', { done: prepared(), total: s.items.length })}</span>
          </div>
        </Show>
        <Show when={s.message}>
          <p class="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status">
            {s.message}
          </p>
        </Show>
      </section>

      <Show when={s.batchId}>
        <section class="panel gap-3">
          <PictureChoices
            legend={m('gen.look')}
            options={props.looks}
            value={s.look}
            onChange={(v) => set('look', v)}
            testidPrefix="batch-look-"
            allLabel={m('gen.filter.all')}
            groups={lookGroups(m)}
          />
          <PictureChoices
            legend={m('gen.scene')}
            options={props.scenes}
            value={s.scene}
            onChange={(v) => set('scene', v)}
            testidPrefix="batch-scene-"
            allLabel={m('gen.filter.all')}
            groups={sceneGroups(m)}
          />
          <div class="flex flex-wrap items-end gap-3">
            <label class="flex flex-col text-sm">
              {m('batch.count')}
              <input
                class="input w-20"
                type="number"
                min="1"
                max="8"
                value={s.count}
                onInput={(e) => set('count', Number(e.currentTarget.value) || 1)}
              />
            </label>
            <button
              type="button"
              class="btn-primary"
              data-testid="generate-all"
              disabled={busy() || s.generating || total() === 0}
              onClick={() => void generateAll()}
            >
              {s.generating ? m('batch.generating') : m('batch.generateAll')}
            </button>
            <a
              class="btn"
              classList={{ 'pointer-events-none opacity-40': results() === 0 }}
              href={`/api/batches/${s.batchId}/results.zip`}
              data-testid="download-catalogue"
              aria-disabled={results() === 0}
            >
              {m('batch.download', { n: results() })}
            </a>
          </div>
        </section>
      </Show>

      <ul class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
        <For each={sorted()}>
          {(item) => (
            <li class="panel !gap-2 !p-2" data-testid="batch-item" data-state={item.state} data-session={item.sessionId ?? undefined}>
              <div class="relative aspect-[3/4] overflow-hidden rounded-lg bg-stone-200">
                <Show when={item.thumbUrl}>
                  <img src={item.thumbUrl!} alt="" class="h-full w-full object-cover" classList={{ 'opacity-40': item.excluded }} />
                </Show>
                <Show when={item.state === 'uploading'}>
                  <progress class="absolute inset-x-2 bottom-2 h-2" max="100" value={item.pct} aria-label={item.name} />
                </Show>
              </div>
              <p class="truncate text-sm" title={item.name}>
                {item.name}
              </p>
              <p
                class="text-xs"
                classList={{ 'text-amber-800': NEEDS_LOOK.includes(item.state), 'text-stone-600': !NEEDS_LOOK.includes(item.state) }}
              >
                {m(`batch.state.${item.state}`)}
                {item.results ? ` · ${item.results}` : ''}
                {item.reason ? ` — ${item.reason}` : ''}
              </p>
              <Show when={item.sessionId}>
                <div class="flex gap-1">
                  <a class="btn flex-1 !min-h-9 text-sm" href={`/s/${item.sessionId}`} data-testid="batch-open">
                    {m('batch.open')}
                  </a>
                  <button type="button" class="btn !min-h-9 text-sm" aria-pressed={item.excluded} onClick={() => void toggleExcluded(item)}>
                    {item.excluded ? m('batch.include') : m('batch.exclude')}
                  </button>
                </div>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
