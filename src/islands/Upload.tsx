// Photo upload: drop, choose or paste. Shows upload progress, then the server's analysis step,
// then opens the new session.
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import * as api from '../client/api.ts';
import { translator, type Lang } from '../i18n/messages.ts';
import { markJustUploaded, uploadStages } from '../client/upload-stages.ts';
import StagedProgress from './StagedProgress.tsx';

export interface UploadProps {
  maxMb: number;
  /** Set when the server cannot prepare photos (segmentation model missing): shown instead of failing. */
  modelsProblem?: string | null;
  lang: Lang;
}

type Phase = { kind: 'idle' } | { kind: 'sending'; pct: number } | { kind: 'analysing' } | { kind: 'error'; message: string };

export default function Upload(props: UploadProps) {
  const m = translator(props.lang);
  const [phase, setPhase] = createSignal<Phase>({ kind: 'idle' });
  const [over, setOver] = createSignal(false);
  let fileInput!: HTMLInputElement;

  async function send(file: File) {
    if (phase().kind === 'sending' || phase().kind === 'analysing' || props.modelsProblem) return;
    if (!navigator.onLine) {
      setPhase({ kind: 'error', message: m('upload.offline') });
      return;
    }
    setPhase({ kind: 'sending', pct: 0 });
    try {
      const { session } = await api.uploadPhoto(file, {
        progress: (pct) => setPhase({ kind: 'sending', pct }),
        sent: () => setPhase({ kind: 'analysing' }),
      });
      markJustUploaded(session.id);
      location.assign(`/s/${session.id}`);
    } catch (err) {
      const message = err instanceof api.ApiRequestError ? (err.serverMessage ?? m('error.generic')) : m('error.network');
      setPhase({ kind: 'error', message });
    }
  }

  const onPaste = (e: ClipboardEvent) => {
    const file = Array.from(e.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
    if (file) {
      e.preventDefault();
      void send(file);
    }
  };
  const [hydrated, setHydrated] = createSignal(false);
  onMount(() => {
    window.addEventListener('paste', onPaste);
    onCleanup(() => window.removeEventListener('paste', onPaste));
    setHydrated(true);
  });

  const working = () => phase().kind === 'sending' || phase().kind === 'analysing';
  const blocked = () => !!props.modelsProblem;

  return (
    <section
      aria-labelledby="upload-title"
      class="panel flex flex-col items-center gap-3 border-2 border-dashed p-8 text-center transition-colors"
      classList={{ 'border-amber-500 bg-amber-50': over(), 'border-stone-300': !over() }}
      data-testid="upload-drop"
      data-ready={hydrated() ? 'true' : undefined}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const file = e.dataTransfer?.files?.[0];
        if (file) void send(file);
      }}
    >
      <h2 id="upload-title" class="text-xl font-semibold">
        {m('upload.title')}
      </h2>
      <p class="max-w-prose text-stone-600">{m('upload.hint')}</p>
      <input
        ref={fileInput}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        class="sr-only"
        data-testid="upload-input"
        id="upload-input"
        aria-labelledby="upload-title"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) void send(file);
          e.currentTarget.value = '';
        }}
      />
      <Show when={props.modelsProblem}>
        <p
          role="alert"
          class="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
          data-testid="upload-models-missing"
        >
          {props.modelsProblem}
        </p>
      </Show>
      <button type="button" class="btn-primary px-6 text-lg" disabled={working() || blocked()} onClick={() => fileInput.click()}>
        {m('upload.choose')}
      </button>
      <p class="text-sm text-stone-600">{m('upload.formats', { mb: props.maxMb })}</p>
      <Show when={working()}>
        <div class="w-full max-w-md">
          <StagedProgress
            testid="upload-progress"
            stages={uploadStages(m)}
            current={phase().kind === 'sending' ? 0 : 1}
            pct={phase().kind === 'sending' ? (phase() as { pct: number }).pct : null}
            text={phase().kind === 'sending' ? m('upload.sending', { pct: (phase() as { pct: number }).pct }) : m('upload.analysing')}
          />
        </div>
      </Show>
      <Show when={phase().kind === 'error'}>
        <p role="alert" class="text-red-700" data-testid="upload-error">
          {m('upload.failed', { message: (phase() as { message: string }).message })}
        </p>
      </Show>
    </section>
  );
}
