// The device's copy of sessions (IndexedDB through idb-keyval) and of their files (Cache Storage,
// filled by the service worker). A session is recorded when its studio page opens, with everything
// the studio needs to render it offline (src/islands/Studio.tsx in the offline shell); edits that could
// not reach the server wait here as pending edits until src/client/sync.ts sends them.
import { clear, createStore, del, get, keys, set, values, type UseStore } from 'idb-keyval';
import type { Lang } from '../i18n/messages.ts';
import type { ConflictJson, SavedPoseJson, SessionJson } from '../lib/api/types.ts';
import { SAM_MODEL } from '../lib/sam/model.ts';
import { usesOneDecoder } from '../lib/sam/single-from-multi.ts';
import { createEmitter } from '../lib/sync/emitter.ts';
import { apiUrl } from './api.ts';

/** Sessions kept for offline use; older ones lose their cached files (server data is untouched). */
export const DEVICE_SESSION_LIMIT = 30;
/** Runtime caches of the service worker (astro.config.mjs); the precache is never touched here. */
const CACHE_PREFIX = 'atelier-';

/** Records made before conflicts were listed lack them. */
export type StudioSession = SessionJson & { conflicts?: ConflictJson[] };
interface Option {
  id: string;
  label: string;
  /** A picture for the card (absent in copies recorded before there were pictures). */
  picture?: string;
  /** What the filter groups it by (women/men, studio/indoor/outdoor). */
  group?: string;
}

/** What src/pages/s/[id].astro gives the studio island: enough to render the studio without the server. */
export interface StudioData {
  lang: Lang;
  session: StudioSession;
  savedPose: SavedPoseJson | null;
  decoderUrl: string | null;
  multiDecoderUrl: string | null;
  /** The full pose model (else whichever is installed); the studio picks per device between it and the lite one. */
  poseModelUrl: string | null;
  /** Absent in copies recorded before it existed. */
  poseModelLiteUrl?: string | null;
  modelsProblem: string | null;
  poseModelsProblem: string | null;
  looks: Option[];
  scenes: Option[];
  defaultLook: string;
  defaultScene: string;
  backendConfigured: boolean;
}

export interface SessionSummary {
  id: string;
  title: string;
  createdAt: string;
  thumbUrl: string;
  masked: boolean;
}

export interface DeviceSession extends SessionSummary {
  /** When it was last opened on this device (ms): eviction keeps the most recent. */
  openedAt: number;
  studio: StudioData;
}

export type EditKind = 'mask' | 'pose' | 'delete';
export interface PendingEdit {
  sessionId: string;
  kind: EditKind;
  /** The mask PNG, the pose JSON, or null for a delete. */
  body: Blob | string | null;
  contentType: string | null;
  /** The server revision the edit was made on. */
  baseRev: number;
  /** When it was made on this device (ISO). */
  editedAt: string;
}

// Created on first use: islands are also rendered on the server, where there is no IndexedDB.
let sessionsDb: UseStore | null = null;
let pendingDb: UseStore | null = null;
const sessionsStore = () => (sessionsDb ??= createStore('atelier-sessions', 'sessions'));
const pendingStore = () => (pendingDb ??= createStore('atelier-pending', 'edits'));

export const summaryOf = (s: StudioSession): SessionSummary => ({
  id: s.id,
  title: s.title,
  createdAt: s.createdAt,
  thumbUrl: s.image.thumbUrl,
  masked: !!s.mask,
});

// ---- sessions ----------------------------------------------------------------------------------

export async function recordSession(studio: StudioData): Promise<void> {
  if (released) return;
  await set(studio.session.id, { ...summaryOf(studio.session), openedAt: Date.now(), studio } satisfies DeviceSession, sessionsStore());
}

export const getDeviceSession = (id: string) => get<DeviceSession>(id, sessionsStore());

/** Newest opened first. */
export async function listDeviceSessions(): Promise<DeviceSession[]> {
  return ((await values<DeviceSession>(sessionsStore())) ?? []).sort((a, b) => b.openedAt - a.openedAt);
}

async function patchDeviceSession(id: string, patch: (rec: DeviceSession) => DeviceSession): Promise<void> {
  const rec = await getDeviceSession(id);
  if (rec && !released) await set(id, patch(rec), sessionsStore());
}

/** After a mask save reached the server: the record (and the files cache) follow the new state. */
export async function rememberSession(session: StudioSession): Promise<void> {
  await patchDeviceSession(session.id, (r) => ({
    ...r,
    ...summaryOf(session),
    studio: { ...r.studio, session: { ...session, conflicts: session.conflicts ?? r.studio.session.conflicts } },
  }));
  await warm([session.mask?.url]);
}

/** After a pose save reached the server. */
export async function rememberPose(sessionId: string, saved: SavedPoseJson): Promise<void> {
  await patchDeviceSession(sessionId, (r) => ({
    ...r,
    studio: { ...r.studio, savedPose: { pose: saved.pose, rev: saved.rev, updatedAt: saved.updatedAt } },
  }));
}

/** Fetches files through the service worker so that it caches them (skipped when already cached). */
export async function warm(urls: (string | null | undefined)[]): Promise<void> {
  if (typeof caches === 'undefined' || !navigator.serviceWorker?.controller) return;
  for (const url of urls) {
    if (released) return;
    if (!url || (await caches.match(url))) continue;
    await fetch(url)
      .then((r) => r.arrayBuffer())
      .catch(() => {});
  }
}

/** Everything the studio of this session loads, so that it opens offline. */
export async function warmSession(studio: StudioData): Promise<void> {
  const s = studio.session;
  // The decoder files the editor loads: the multi file alone where it serves both (src/workers/sam.worker.ts).
  const decoders = usesOneDecoder(SAM_MODEL, studio.multiDecoderUrl)
    ? [studio.multiDecoderUrl]
    : [studio.decoderUrl, studio.multiDecoderUrl];
  await warm([s.image.url, s.image.thumbUrl, s.embedding.url, s.mask?.url, ...decoders, studio.poseModelUrl]);
  // Results: the JSON (NetworkFirst; the generate step has usually fetched it already) and each image.
  try {
    const url = apiUrl.results(s.id);
    const res = (await caches.match(url)) ?? (await fetch(url));
    if (res.ok) await warm(((await res.json()).results ?? []).map((r: { url: string }) => r.url));
  } catch {
    /* offline */
  }
}

/** Result image URLs of a session, from the cached results JSON. */
async function cachedResultUrls(sessionId: string): Promise<string[]> {
  try {
    const res = await caches.match(apiUrl.results(sessionId), { ignoreSearch: true });
    return res ? ((await res.json()).results ?? []).map((r: { url: string }) => new URL(r.url, location.origin).pathname) : [];
  } catch {
    return [];
  }
}

/**
 * Removes a session's entries from the service worker's runtime caches: its JSON, mask, results,
 * and its photo/embedding unless `keepImages` (images of sessions still kept) holds the image.
 */
export async function dropCachedFiles(sessionId: string, imageId: string | null, keepImages: Set<string> = new Set()): Promise<void> {
  if (typeof caches === 'undefined') return;
  const results = new Set(await cachedResultUrls(sessionId));
  const dropImage = imageId !== null && !keepImages.has(imageId);
  for (const name of await caches.keys()) {
    if (!name.startsWith(CACHE_PREFIX)) continue;
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const p = new URL(req.url).pathname;
      const own = p === `/api/sessions/${sessionId}` || p.startsWith(`/api/sessions/${sessionId}/`);
      if (own || results.has(p) || (dropImage && p.startsWith(`/api/images/${imageId}/`))) {
        await cache.delete(req);
      }
    }
  }
}

/** Forgets a session on this device: its record, pending edits (unless told to keep them) and cached files. */
export async function forgetDeviceSession(id: string, opts: { keepPending?: boolean } = {}): Promise<void> {
  const rec = await getDeviceSession(id);
  const others = (await listDeviceSessions()).filter((r) => r.id !== id);
  await dropCachedFiles(id, rec?.studio.session.image.id ?? null, new Set(others.map((r) => r.studio.session.image.id)));
  await del(id, sessionsStore());
  if (!opts.keepPending) await Promise.all((['mask', 'pose'] as const).map((k) => del(pendingKey(id, k), pendingStore())));
}

/**
 * Keeps the newest `limit` opened sessions offline; older ones are dropped from the device (their
 * cached files and record), except sessions with edits still waiting to sync. Returns the dropped ids.
 */
export async function evictOldSessions(limit = DEVICE_SESSION_LIMIT): Promise<string[]> {
  const all = await listDeviceSessions();
  if (all.length <= limit) return [];
  const waiting = new Set((await listPendingEdits()).map((e) => e.sessionId));
  const kept = all.slice(0, limit);
  const dropped: string[] = [];
  for (const rec of all.slice(limit)) {
    if (waiting.has(rec.id)) continue;
    const keepImages = new Set(kept.map((r) => r.studio.session.image.id));
    await dropCachedFiles(rec.id, rec.studio.session.image.id, keepImages);
    await del(rec.id, sessionsStore());
    dropped.push(rec.id);
  }
  return dropped;
}

// ---- pending edits -----------------------------------------------------------------------------

const pendingKey = (sessionId: string, kind: EditKind) => `${sessionId}:${kind}`;

const pendingKept = createEmitter<{ sessionId: string; kind: EditKind }>();

/** Follows edits kept for later (the sync retries soon after one); returns the unsubscribe. */
export const onPendingKept = pendingKept.on;

/** Stores an edit to send later; a newer edit of the same kind replaces the older one (it contains it). */
export async function keepPendingEdit(edit: PendingEdit): Promise<void> {
  const key = pendingKey(edit.sessionId, edit.kind);
  const older = await get<PendingEdit>(key, pendingStore());
  // The base revision stays the one the first offline edit was made on.
  await set(key, older && edit.kind !== 'delete' ? { ...edit, baseRev: Math.min(older.baseRev, edit.baseRev) } : edit, pendingStore());
  pendingKept.emit({ sessionId: edit.sessionId, kind: edit.kind });
}

export const getPendingEdit = (sessionId: string, kind: EditKind) => get<PendingEdit>(pendingKey(sessionId, kind), pendingStore());

/** Oldest first. */
export async function listPendingEdits(): Promise<PendingEdit[]> {
  return ((await values<PendingEdit>(pendingStore())) ?? []).filter(Boolean).sort((a, b) => a.editedAt.localeCompare(b.editedAt));
}

export async function pendingCount(): Promise<number> {
  return (await keys(pendingStore())).length;
}

/** Removes a pending edit, unless a newer one (edited after `upTo`) replaced it meanwhile. */
export async function clearPendingEdit(sessionId: string, kind: EditKind, upTo?: string): Promise<void> {
  const key = pendingKey(sessionId, kind);
  if (upTo !== undefined) {
    const current = await get<PendingEdit>(key, pendingStore());
    if (current && current.editedAt > upTo) return;
  }
  await del(key, pendingStore());
}

// ---- storage -----------------------------------------------------------------------------------

export async function storageInfo(): Promise<{ used: number; quota: number; persisted: boolean } | null> {
  if (!navigator.storage?.estimate) return null;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  const persisted = (await navigator.storage.persisted?.()) ?? false;
  return { used: usage, quota, persisted };
}

/** Asks the browser not to clear the device's sessions under storage pressure (it may say no). */
export async function requestPersistence(): Promise<boolean> {
  try {
    if (!navigator.storage?.persist) return false;
    if (await navigator.storage.persisted()) return true;
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}

// ---- the device's owner -------------------------------------------------------------------------

const ACCOUNT_KEY = 'atelier-account';

/** Set while signing out: a write still in progress on this page (a session record, an edit) keeps nothing. */
let released = false;

/**
 * Removes everything the studio keeps on this device: sessions, pending edits and cached files. `release`
 * (signing out) also stops this page from recording anything after.
 */
export async function clearDevice({ release = false } = {}): Promise<void> {
  if (release) released = true;
  await Promise.all([clear(sessionsStore()), clear(pendingStore())]);
  await clearCachedFiles();
  localStorage.removeItem(ACCOUNT_KEY);
}

/**
 * The service worker clears its caches itself, so that a download it has in flight (public/sw-device.js)
 * does not put a file back after; the page clears them too (no worker yet, or one from an older build).
 */
async function clearCachedFiles(): Promise<void> {
  if (!('caches' in globalThis)) return;
  const worker = navigator.serviceWorker?.controller;
  if (worker) {
    await new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      worker.postMessage({ type: 'atelier-clear-device' }, [channel.port2]);
      setTimeout(resolve, 3000); // a worker that does not answer (an older build) must not block signing out
    });
  }
  for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX)) await caches.delete(name);
}

/**
 * What this device keeps belongs to the account and the shop that kept it (`user:workspace`): when another account
 * signs in on it (a shared tablet), or the account switches shop, the previous one's sessions, files and pending
 * edits are removed before anything is shown. A record of the user alone (kept by earlier versions) is this user's.
 */
export async function claimDevice(accountId: string): Promise<void> {
  const previous = localStorage.getItem(ACCOUNT_KEY);
  if (previous && previous !== accountId && !accountId.startsWith(`${previous}:`)) await clearDevice();
  localStorage.setItem(ACCOUNT_KEY, accountId);
  // A service worker released by a sign-out keeps files again (public/sw-device.js).
  navigator.serviceWorker?.controller?.postMessage({ type: 'atelier-claim-device' });
}
