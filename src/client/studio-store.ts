// The studio's one store: the step shown, the session as the server last described it, the saved pose,
// each editor's document (its save state, pending edits included), and the session's jobs and results.
// The studio island (src/islands/Studio.tsx) creates it and its editors and Generate panel read and
// change it through context. No DOM here; changes reach the server through src/client/api.ts.
import { createContext, onCleanup, useContext } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import * as api from './api.ts';
import { rememberPose, rememberSession, type StudioData, type StudioSession } from './offline-store.ts';
import type { StepId } from './steps.ts';
import { galleryWith, placeJob } from '../lib/api/job-list.ts';
import type { Pose } from '../lib/pose/types.ts';
import type { JobJson, JobRequestBody, ResultJson, SavedPoseJson, SessionDetailJson } from '../lib/api/types.ts';
import { isTerminal } from '../lib/api/job-states.ts';
import { initialDocument, type DocumentState } from '../lib/sync/document.ts';

export type DocumentKind = 'mask' | 'pose';

export interface StudioState {
  step: StepId;
  session: StudioSession;
  savedPose: SavedPoseJson | null;
  /** The garment selection tool is ready, or could not start: the pose detector may load (both load models on a small CPU). */
  selectionSettled: boolean;
  documents: Record<DocumentKind, DocumentState>;
  /** Newest first. */
  jobs: JobJson[];
  /** The gallery, newest first. */
  results: ResultJson[];
}

export interface StudioStore {
  /** What the page, or this device offline, gave the studio. */
  readonly data: StudioData;
  readonly state: StudioState;
  showStep(step: StepId): void;
  /** Said once by the garment editor. */
  selectionSettled(): void;
  /** Said by the pose step when its detection ended: the body found (a pose), or none (null). */
  bodyFound(pose: Pose | null): void;
  /** The body the pose step found (null: none, or no detector), or null after `timeoutMs`. */
  untilBody(timeoutMs: number): Promise<Pose | null>;
  /** Resolves when the selection tool settled, or after `timeoutMs`. */
  untilSelectionSettled(timeoutMs?: number): Promise<void>;
  setDocument(kind: DocumentKind, next: DocumentState): void;
  /** A mask save reached the server: the session (and this device's copy of it) follow. */
  maskSaved(session: SessionDetailJson): void;
  poseSaved(saved: SavedPoseJson): void;
  /** Asks the server for the session again (a mask may have been saved elsewhere). */
  refreshSession(): Promise<void>;
  /** The gallery, and the jobs still running (watched until they end). */
  loadResults(): Promise<void>;
  generate(request: JobRequestBody): Promise<JobJson>;
  cancelJob(id: string): Promise<void>;
  /** A result's figures changed (its pose measured here). */
  resultUpdated(result: ResultJson): void;
}

export function createStudioStore(data: StudioData): StudioStore {
  const sessionId = data.session.id;
  // Copies (the data is JSON): the store changes its state in place, the data stays as recorded.
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value));
  const [state, setState] = createStore<StudioState>({
    step: 'garment',
    session: copy(data.session),
    savedPose: copy(data.savedPose),
    selectionSettled: false,
    documents: {
      mask: initialDocument(data.session.mask?.rev ?? 0),
      // A detected pose is shown (and saved) when none was saved.
      pose: initialDocument(data.savedPose?.rev ?? 0, data.savedPose ? 'saved' : 'dirty'),
    },
    jobs: [],
    results: [],
  });

  let foundBody: (pose: Pose | null) => void = () => {};
  const body = new Promise<Pose | null>((resolve) => (foundBody = resolve));
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));

  const streams = new Map<string, () => void>();
  onCleanup(() => {
    for (const stop of streams.values()) stop();
    streams.clear();
  });

  function upsertJob(job: JobJson) {
    const place = placeJob(state.jobs, job);
    if (place.kind === 'stale') return;
    // In place (reconcile keeps the item's identity), so the job's card and its Cancel button are not
    // re-created on every progress event while someone is pressing them.
    if (place.kind === 'update') setState('jobs', place.index, reconcile(job));
    else
      setState(
        'jobs',
        produce((list) => void list.unshift(job)),
      );
    const gallery = galleryWith(state.results, job);
    if (gallery) setState('results', gallery);
  }

  function watch(jobId: string) {
    if (streams.has(jobId)) return;
    streams.set(
      jobId,
      api.watchJob(jobId, (job) => {
        upsertJob(job);
        if (isTerminal(job.state)) streams.delete(jobId);
      }),
    );
  }

  return {
    data,
    state,
    showStep: (step) => setState('step', step),
    selectionSettled() {
      setState('selectionSettled', true);
      settle();
    },
    bodyFound: (pose) => foundBody(pose),
    untilBody: (timeoutMs) => Promise.race([body, new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs))]),
    untilSelectionSettled: (timeoutMs) =>
      timeoutMs === undefined ? settled : Promise.race([settled, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]),
    setDocument: (kind, next) => setState('documents', kind, next),
    maskSaved(session) {
      setState('session', session);
      void rememberSession(session).catch(() => {});
    },
    poseSaved(saved) {
      setState('savedPose', { pose: saved.pose, rev: saved.rev, updatedAt: saved.updatedAt });
      void rememberPose(sessionId, saved).catch(() => {});
    },
    async refreshSession() {
      setState('session', await api.getSession(sessionId));
    },
    async loadResults() {
      const { results, jobs } = await api.getResults(sessionId);
      setState('results', results);
      for (const job of jobs) {
        if (isTerminal(job.state)) continue;
        upsertJob(job);
        watch(job.id);
      }
    },
    async generate(request) {
      const job = await api.createJob(request);
      upsertJob(job);
      watch(job.id);
      return job;
    },
    resultUpdated(result) {
      const i = state.results.findIndex((r) => r.id === result.id);
      if (i >= 0) setState('results', i, reconcile(result));
    },
    async cancelJob(id) {
      const job = await api.cancelJob(id).catch(() => null);
      if (job) upsertJob(job);
    },
  };
}

export const StudioContext = createContext<StudioStore>();

/** The store of the studio this component is part of. */
export function useStudio(): StudioStore {
  const studio = useContext(StudioContext);
  if (!studio) throw new Error('useStudio: not inside the studio (src/islands/Studio.tsx)');
  return studio;
}
