// Step 3: choose a recipe, a model look and a scene, generate as a job, watch its progress,
// and browse the session's results. Jobs live on the server: closing the tab loses nothing.
import { createEffect, createSignal, For, onCleanup, onMount, Show, createMemo } from 'solid-js';
import { createPoseChecker } from '../client/pose-check.ts';
import { createStore } from 'solid-js/store';
import BeforeAfter from './BeforeAfter.tsx';
import Lightbox from './Lightbox.tsx';
import PictureChoices, { lookGroups, sceneGroups, type PictureOption } from './PictureChoices.tsx';
import * as api from '../client/api.ts';
import { useStudio } from '../client/studio-store.ts';
import { translator } from '../i18n/messages.ts';
import { BACKEND_MESSAGES, type BackendErrorCode } from '../lib/sd/errors.ts';
import type { CheckpointStatus, JobRequestBody } from '../lib/api/types.ts';
import { isTerminal } from '../lib/api/job-states.ts';
import { moreLikeThisRequest } from '../lib/api/job-request.ts';
import { RECIPES, recipeSpec, type Recipe } from '../lib/recipes/table.ts';

type PresetOption = PictureOption;

export interface GeneratePanelProps {
  sessionId: string;
  photo: { url: string; width: number; height: number };
  lang: 'en' | 'zh-CN';
  looks: PresetOption[];
  scenes: PresetOption[];
  defaultLook: string;
  defaultScene: string;
  backendConfigured: boolean;
}

interface BackendInfo {
  reachable: boolean;
  loras: { name: string; alias: string }[];
  checkpoints: CheckpointStatus[];
  /** The checkpoint the server has loaded (used when none is chosen). */
  current: string | null;
}

export default function GeneratePanel(props: GeneratePanelProps) {
  const m = translator(props.lang);
  // The session's jobs and gallery live in the studio store.
  const studio = useStudio();

  const [recipe, setRecipe] = createSignal<Recipe>('model-shot');
  const [look, setLook] = createSignal(props.defaultLook);
  const [scene, setScene] = createSignal(props.defaultScene);
  const [prompt, setPrompt] = createSignal('');
  const [negative, setNegative] = createSignal('');
  const [count, setCount] = createSignal(2);
  const [seed, setSeed] = createSignal('');
  /** The result shown full screen (index in the gallery), or null. */
  const [lightbox, setLightbox] = createSignal<number | null>(null);
  const [reroll, setReroll] = createSignal(false);
  const [checkpoint, setCheckpoint] = createSignal('');
  const [loras, setLoras] = createStore<{ name: string; weight: number }[]>([]);
  const [backend, setBackend] = createSignal<BackendInfo | null>(null);
  const [online, setOnline] = createSignal(true);
  const [sending, setSending] = createSignal(false);
  const [formError, setFormError] = createSignal('');
  const results = () => studio.state.results;
  // Each new posed result is measured against the saved pose here, with the browser's pose model.
  const modelUrl = studio.data.poseModelUrl;
  const checker = modelUrl ? createPoseChecker(modelUrl, (r) => studio.resultUpdated(r)) : null;
  onCleanup(() => checker?.dispose());
  createEffect(() => {
    const target = studio.state.savedPose?.pose;
    if (checker && target && navigator.onLine) checker.check(results(), target);
  });

  const errorText = (e: { code: string; message: string }) => {
    const known = BACKEND_MESSAGES[e.code as BackendErrorCode];
    // The backend's own reason (after the first sentence) stays in the message for validation errors.
    return props.lang === 'zh-CN' && known && e.code !== 'validation' ? known['zh-CN'] : e.message;
  };

  async function loadBackend() {
    if (!props.backendConfigured) return;
    try {
      const body = await api.getBackendStatus();
      const reachable = body.backends?.filter((b) => b.reachable) ?? [];
      setBackend({
        reachable: reachable.length > 0,
        loras: reachable[0]?.loras ?? [],
        checkpoints: reachable[0]?.checkpoints ?? [],
        current: reachable[0]?.checkpoint ?? null,
      });
    } catch {
      setBackend({ reachable: false, loras: [], checkpoints: [], current: null });
    }
  }

  onMount(async () => {
    setOnline(navigator.onLine);
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    onCleanup(() => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    });
    void loadBackend();
    try {
      await studio.loadResults();
    } catch {
      /* offline: the gallery stays as the service worker cached it */
    }
  });

  /** The checkpoint a job would run on: the chosen one, else the one the server has loaded. */
  const activeCheckpoint = createMemo(() => {
    const list = backend()?.checkpoints ?? [];
    const title = checkpoint() || backend()?.current || '';
    return list.find((c) => c.title === title) ?? null;
  });
  /** Why a pose-guided recipe cannot run on that checkpoint (null: it can). */
  const poseBlock = createMemo(() => {
    const c = activeCheckpoint();
    if (!c || c.poseGuide) return null;
    return c.family === 'flux' || c.family === 'sd3'
      ? m('gen.family.noPose', { family: c.familyLabel })
      : m('gen.family.noPoseModel', { family: c.familyLabel });
  });
  const recipeBlocked = (id: Recipe) => recipeSpec(id).poseGuide !== 'none' && poseBlock() !== null;
  const needs = () => recipeSpec(recipe()).needs;

  const canGenerate = () =>
    props.backendConfigured && online() && !sending() && !recipeBlocked(recipe()) && (!needs().lora || loras.length > 0);

  async function generate() {
    const body: JobRequestBody = { sessionId: props.sessionId, recipe: recipe(), count: count() };
    if (needs().look) body.modelPreset = look();
    body.scenePreset = scene();
    if (prompt().trim()) body.prompt = prompt().trim();
    if (negative().trim()) body.negativePrompt = negative().trim();
    if (loras.length) body.loras = loras.map((l) => ({ name: l.name, weight: l.weight }));
    if (seed().trim() !== '') body.seed = Number(seed());
    if (checkpoint()) body.checkpoint = checkpoint();
    if (reroll()) body.reroll = true;
    await send(body);
  }

  /** "Surprise me": a model look and a scene picked at random. */
  function surprise() {
    const pick = <T,>(list: T[]) => list[Math.floor(Math.random() * list.length)];
    if (needs().look && props.looks.length) setLook(pick(props.looks)!.id);
    if (props.scenes.length) setScene(pick(props.scenes)!.id);
  }

  /** Queues a job (the form's, or "Make more like this") and brings its progress card into view. */
  async function send(body: JobRequestBody) {
    setFormError('');
    setSending(true);
    try {
      const job = await studio.generate(body);
      // The progress card is in the other column (or below, on a tablet): bring it into view.
      const card = () => document.querySelector(`[data-job-id="${job.id}"]`);
      requestAnimationFrame(() => card()?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
    } catch (err) {
      const message = err instanceof api.ApiRequestError ? (err.serverMessage ?? m('error.generic')) : (err as Error).message;
      setFormError(err instanceof TypeError ? m('error.network') : message);
    } finally {
      setSending(false);
    }
  }

  const activeJobs = createMemo(() =>
    studio.state.jobs.filter((j) => !isTerminal(j.state) || j.state === 'failed' || j.state === 'canceled'),
  );

  const Choice = (p: { testid: string; on: boolean; onClick: () => void; label: string; hint?: string; disabled?: boolean }) => (
    <button
      type="button"
      class="btn flex-col items-start text-left disabled:opacity-50"
      classList={{ 'btn-on': p.on }}
      aria-pressed={p.on}
      data-testid={p.testid}
      onClick={p.onClick}
      title={p.hint}
      disabled={p.disabled}
    >
      <span class="font-medium">{p.label}</span>
      <Show when={p.hint}>
        <span class="text-xs text-stone-600">{p.hint}</span>
      </Show>
    </button>
  );

  return (
    <div class="flex flex-col gap-4 lg:flex-row">
      <form
        class="panel flex flex-col gap-4 lg:w-96 lg:shrink-0"
        onSubmit={(e) => {
          e.preventDefault();
          void generate();
        }}
      >
        <Show when={!props.backendConfigured}>
          <p class="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="status" data-testid="no-backend">
            {m('gen.noBackend')}
          </p>
        </Show>
        {/* Offline, the server's state is unknown: "you are offline" alone says it. */}
        <Show when={props.backendConfigured && online() && backend() && !backend()!.reachable}>
          <p class="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="status" data-testid="backend-down">
            {m('gen.backendDown')}
          </p>
        </Show>
        <Show when={!online()}>
          <p class="rounded-lg border border-stone-300 bg-stone-50 p-3 text-sm" role="status" data-testid="generate-offline">
            {m('gen.offline')}
          </p>
        </Show>

        <fieldset class="flex flex-col gap-2">
          <legend class="mb-1 font-semibold">{m('gen.recipe')}</legend>
          <For each={RECIPES}>
            {(id) => (
              <Choice
                testid={`recipe-${id}`}
                on={recipe() === id}
                onClick={() => setRecipe(id)}
                label={m(`gen.recipe.${id}`)}
                hint={m(`gen.recipe.${id}.hint`)}
                disabled={recipeBlocked(id)}
              />
            )}
          </For>
          <Show when={poseBlock()}>
            <p class="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="status" data-testid="family-note">
              {poseBlock()}
            </p>
          </Show>
        </fieldset>

        <button type="button" class="btn self-start" data-testid="surprise-me" onClick={surprise}>
          ↻ {m('gen.surprise')}
        </button>
        <Show when={needs().look}>
          <PictureChoices
            legend={m('gen.look')}
            options={props.looks}
            value={look()}
            onChange={setLook}
            testidPrefix="preset-model-"
            allLabel={m('gen.filter.all')}
            groups={lookGroups(m)}
          />
        </Show>
        <PictureChoices
          legend={m('gen.scene')}
          options={props.scenes}
          value={scene()}
          onChange={setScene}
          testidPrefix="preset-scene-"
          allLabel={m('gen.filter.all')}
          groups={sceneGroups(m)}
        />

        <Show when={needs().lora || loras.length > 0}>
          <fieldset class="flex flex-col gap-2" data-testid="loras">
            <legend class="mb-1 font-semibold">{m('gen.loras')}</legend>
            <Show when={(backend()?.loras.length ?? 0) > 0} fallback={<p class="text-sm text-stone-600">{m('gen.lorasNone')}</p>}>
              <For each={loras}>
                {(l, i) => (
                  <div class="flex items-center gap-2">
                    <select
                      class="min-h-11 flex-1 rounded-lg border border-stone-300 px-2"
                      value={l.name}
                      onChange={(e) => setLoras(i(), 'name', e.currentTarget.value)}
                      aria-label="LoRA"
                    >
                      <For each={backend()!.loras}>{(o) => <option value={o.name}>{o.alias}</option>}</For>
                    </select>
                    <input
                      type="number"
                      min="-2"
                      max="2"
                      step="0.05"
                      value={l.weight}
                      class="min-h-11 w-20 rounded-lg border border-stone-300 px-2"
                      aria-label={m('gen.weight')}
                      onInput={(e) => setLoras(i(), 'weight', Number(e.currentTarget.value))}
                    />
                    <button type="button" class="btn" onClick={() => setLoras((ls) => ls.filter((_, k) => k !== i()))}>
                      {m('gen.removeLora')}
                    </button>
                  </div>
                )}
              </For>
              <button
                type="button"
                class="btn"
                data-testid="add-lora"
                onClick={() => setLoras(loras.length, { name: backend()!.loras[0].name, weight: 0.8 })}
              >
                + {m('gen.addLora')}
              </button>
            </Show>
          </fieldset>
        </Show>

        <label class="flex items-center justify-between gap-2">
          <span class="font-semibold">{m('gen.count')}</span>
          <span class="flex items-center gap-1">
            <button type="button" class="btn" aria-label="−" onClick={() => setCount((c) => Math.max(1, c - 1))}>
              −
            </button>
            <input
              type="number"
              min="1"
              max="8"
              value={count()}
              data-testid="count"
              class="min-h-11 w-14 rounded-lg border border-stone-300 text-center"
              onInput={(e) => setCount(Math.min(8, Math.max(1, Number(e.currentTarget.value) || 1)))}
            />
            <button type="button" class="btn" aria-label="+" onClick={() => setCount((c) => Math.min(8, c + 1))}>
              +
            </button>
          </span>
        </label>

        <details class="flex flex-col gap-2">
          <summary class="cursor-pointer font-semibold">{m('gen.advanced')}</summary>
          <label class="mt-2 flex flex-col gap-1 text-sm">
            {m('gen.prompt')}
            <textarea
              rows="2"
              maxLength={1000}
              class="rounded-lg border border-stone-300 p-2"
              placeholder={m('gen.promptPlaceholder')}
              value={prompt()}
              onInput={(e) => setPrompt(e.currentTarget.value)}
              data-testid="prompt"
            />
          </label>
          <label class="mt-2 flex flex-col gap-1 text-sm">
            {m('gen.negative')}
            <textarea
              rows="2"
              maxLength={1000}
              class="rounded-lg border border-stone-300 p-2"
              value={negative()}
              onInput={(e) => setNegative(e.currentTarget.value)}
            />
          </label>
          <label class="mt-2 flex min-h-11 items-center gap-2 text-sm">
            <input type="checkbox" checked={reroll()} onChange={(e) => setReroll(e.currentTarget.checked)} data-testid="reroll" />
            {m('gen.reroll')}
          </label>
          <label class="mt-2 flex flex-col gap-1 text-sm">
            {m('gen.seed')}
            <input
              type="number"
              min="-1"
              step="1"
              placeholder={m('gen.seedRandom')}
              class="min-h-11 rounded-lg border border-stone-300 px-2"
              value={seed()}
              onInput={(e) => setSeed(e.currentTarget.value)}
              data-testid="seed"
            />
          </label>
          <Show when={(backend()?.checkpoints.length ?? 0) > 0}>
            <label class="mt-2 flex flex-col gap-1 text-sm">
              {m('gen.checkpoint')}
              <select
                class="min-h-11 rounded-lg border border-stone-300 px-2"
                value={checkpoint()}
                onChange={(e) => setCheckpoint(e.currentTarget.value)}
                data-testid="checkpoint"
              >
                <option value="">{m('gen.checkpointDefault')}</option>
                <For each={backend()!.checkpoints}>
                  {(c) => (
                    <option value={c.title}>
                      {c.title} · {c.familyLabel}
                    </option>
                  )}
                </For>
              </select>
            </label>
            <Show when={activeCheckpoint()}>
              <p class="text-sm text-stone-600" data-testid="checkpoint-family" data-family={activeCheckpoint()!.family}>
                {m('gen.family', { family: activeCheckpoint()!.familyLabel })}
              </p>
            </Show>
          </Show>
        </details>

        {/* On a phone the garment and the button stay in view at the bottom while choosing. */}
        <div
          class={
            'sticky bottom-0 z-10 -mx-3 -mb-3 flex items-center gap-3 rounded-b-xl border-t border-stone-200 bg-white/95 p-3 ' +
            'backdrop-blur lg:static lg:mx-0 lg:mb-0 lg:border-0 lg:p-0'
          }
        >
          <img
            src={props.photo.url}
            alt={m('gen.yourGarment')}
            class="h-14 w-11 shrink-0 rounded-md border border-stone-200 object-cover"
            data-testid="generate-garment"
          />
          <button type="submit" class="btn-primary min-h-12 flex-1 text-lg" data-testid="generate" disabled={!canGenerate()}>
            {sending() ? m('gen.sending') : m('gen.generate')}
          </button>
        </div>
        <Show when={formError()}>
          <p role="alert" class="text-sm text-red-700" data-testid="generate-error">
            {formError()}
          </p>
        </Show>
      </form>

      <section class="flex min-w-0 flex-1 flex-col gap-4 lg:sticky lg:top-3 lg:self-start">
        <For each={activeJobs()}>
          {(job) => (
            <div class="panel flex flex-col gap-2" data-testid="job" data-job-id={job.id} data-state={job.state}>
              <div class="flex items-center justify-between gap-2">
                <span class="font-medium">
                  {m(`gen.recipe.${job.recipe}`)} ·{' '}
                  {job.state === 'queued'
                    ? job.attempts > 0
                      ? m('gen.retrying', { n: job.attempts + 1 })
                      : m('gen.queued')
                    : job.state === 'running'
                      ? job.cancelRequested
                        ? m('gen.canceling')
                        : job.serverQueue
                          ? m('gen.waitingServer', { n: job.serverQueue })
                          : m('gen.running')
                      : job.state === 'canceled'
                        ? m('gen.canceled')
                        : m('gen.failed', { message: job.error ? errorText(job.error) : '' })}
                </span>
                <Show when={!isTerminal(job.state) && !job.cancelRequested}>
                  <button type="button" class="btn" data-testid="cancel-job" onClick={() => void studio.cancelJob(job.id)}>
                    {m('gen.cancel')}
                  </button>
                </Show>
              </div>
              <Show when={!isTerminal(job.state)}>
                <div
                  class="h-3 w-full overflow-hidden rounded bg-stone-200"
                  role="progressbar"
                  aria-label={m('gen.progress')}
                  aria-valuemin="0"
                  aria-valuemax="100"
                  aria-valuenow={Math.round(job.progress.fraction * 100)}
                  data-testid="job-progress"
                >
                  <div
                    class="h-full bg-amber-500 transition-all"
                    classList={{ 'animate-pulse': job.state === 'queued' || !!job.serverQueue }}
                    style={{
                      width: `${job.state === 'queued' || job.serverQueue ? 100 : Math.max(2, job.progress.fraction * 100)}%`,
                      opacity: job.state === 'queued' || job.serverQueue ? 0.3 : 1,
                    }}
                  />
                </div>
                <p class="text-sm text-stone-600">
                  <Show when={job.progress.step !== null}>
                    {m('gen.step', { step: job.progress.step ?? 0, steps: job.progress.steps ?? 0 })}
                  </Show>
                  <Show when={job.progress.etaSeconds !== null}> · {m('gen.eta', { s: Math.ceil(job.progress.etaSeconds ?? 0) })}</Show>
                </p>
                <Show when={job.previewUrl}>
                  {/* The server's live preview, scaled to the card; a new one at most twice a second (runner.ts). */}
                  <img
                    src={job.previewUrl!}
                    alt=""
                    class="w-full max-h-80 rounded bg-stone-100 object-contain"
                    style={{ 'aspect-ratio': `${props.photo.width} / ${props.photo.height}` }}
                    data-testid="job-preview"
                  />
                </Show>
              </Show>
            </div>
          )}
        </For>

        <div class="flex items-center justify-between">
          <h2 class="text-lg font-semibold">{m('gen.results')}</h2>
          <Show when={results().length > 0}>
            <a class="btn" href={api.apiUrl.resultsZip(props.sessionId)} data-testid="download-all" download="">
              ⤓ {m('gen.downloadAll')}
            </a>
          </Show>
        </div>
        <Show
          when={results().length > 0}
          fallback={
            <p class="text-stone-600" data-testid="no-results">
              {m('gen.noResults')}
            </p>
          }
        >
          <ul class="grid grid-cols-1 gap-4 sm:grid-cols-2" data-testid="gallery">
            <For each={results()}>
              {(r, i) => (
                <li class="panel flex flex-col gap-2" data-testid="result" data-result-id={r.id}>
                  <BeforeAfter
                    before={props.photo.url}
                    after={r.url}
                    width={r.width}
                    height={r.height}
                    label={m('gen.compare')}
                    beforeLabel={m('gen.before')}
                    afterLabel={m('gen.after')}
                  />
                  <div class="flex flex-wrap items-center gap-2">
                    <button type="button" class="btn" data-testid="result-enlarge" onClick={() => setLightbox(i())}>
                      ⤢ {m('gen.enlarge')}
                    </button>
                    <a class="btn" href={`${r.url}?download=1`} data-testid="download-result" download="">
                      ⤓ {m('gen.download')}
                    </a>
                    <Show when={moreLikeThisRequest(props.sessionId, r)}>
                      {(body) => (
                        <button
                          type="button"
                          class="btn"
                          data-testid="more-like-this"
                          disabled={!canGenerate()}
                          onClick={() => void send(body())}
                        >
                          ✦ {m('gen.moreLikeThis')}
                        </button>
                      )}
                    </Show>
                  </div>
                  <Show when={r.checks?.check}>
                    <p class="rounded bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="result-check">
                      {m('gen.checkThis')}
                    </p>
                  </Show>
                  <Show when={r.fidelity}>
                    <p class="text-xs text-emerald-700">{m('gen.kept')}</p>
                  </Show>
                  <details class="text-xs text-stone-600">
                    <summary class="cursor-pointer">{m('gen.details')}</summary>
                    <Show when={r.checks}>
                      {(c) => (
                        <dl class="mt-1 grid grid-cols-[auto_1fr] gap-x-2" data-testid="result-checks">
                          <dt>{m('gen.check.core')}</dt>
                          <dd>{c().coreChanged === 0 ? m('gen.check.exact') : m('gen.check.changed', { n: c().coreChanged ?? 0 })}</dd>
                          <dt>{m('gen.check.seam')}</dt>
                          <dd>{c().seamColour === null || c().seamColour === undefined ? '—' : c().seamColour!.toFixed(1)}</dd>
                          <dt>{m('gen.check.sharpness')}</dt>
                          <dd>{c().sharpness === null || c().sharpness === undefined ? '—' : c().sharpness!.toFixed(2)}</dd>
                          <Show when={c().poseError !== undefined}>
                            <dt>{m('gen.check.pose')}</dt>
                            <dd data-testid="result-pose-error">{c().poseError!.toFixed(2)}</dd>
                          </Show>
                          <dt>{m('gen.check.upscaler')}</dt>
                          <dd>{c().upscaler ?? c().upscaleNote ?? '—'}</dd>
                          <Show when={c().rerolled}>
                            <dt />
                            <dd>{m('gen.check.rerolled')}</dd>
                          </Show>
                        </dl>
                      )}
                    </Show>
                    <dl class="mt-1 grid grid-cols-[auto_1fr] gap-x-2">
                      <dt>seed</dt>
                      <dd data-testid="result-seed">{r.seed}</dd>
                      <For
                        each={Object.entries(r.params).filter(
                          ([k, v]) => k !== 'seed' && v !== null && v !== undefined && String(v) !== '',
                        )}
                      >
                        {([k, v]) => (
                          <>
                            <dt>{k}</dt>
                            <dd class="break-words">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
                          </>
                        )}
                      </For>
                    </dl>
                  </details>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={lightbox() !== null && results().length > 0}>
          <Lightbox
            items={results()}
            index={Math.min(lightbox()!, results().length - 1)}
            onIndex={setLightbox}
            onClose={() => setLightbox(null)}
            labels={{
              dialog: m('lightbox.dialog'),
              close: m('lightbox.close'),
              previous: m('lightbox.previous'),
              next: m('lightbox.next'),
              zoomIn: m('lightbox.zoomIn'),
              zoomOut: m('lightbox.zoomOut'),
              download: m('gen.download'),
              position: (n, total) => m('lightbox.position', { n, total }),
            }}
          />
        </Show>
      </section>
    </div>
  );
}
