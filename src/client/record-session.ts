// The studio records the session it shows on this device (IndexedDB), with everything the offline
// shell needs to render it, keeps at most DEVICE_SESSION_LIMIT sessions, and makes sure the service
// worker holds the session's files (photo, embedding, mask, models, results) for offline use.
import { evictOldSessions, recordSession, requestPersistence, warmSession, type StudioData } from './offline-store.ts';

/** `editorLoaded` resolves when the garment editor has loaded (or gave up): caches fill after it. */
export async function recordStudio(studio: StudioData, editorLoaded: Promise<void>): Promise<void> {
  try {
    await recordSession(studio);
    void requestPersistence();
    await evictOldSessions();
  } catch (err) {
    console.warn('[offline] could not record the session on this device', err);
    return;
  }
  // Let the editors load first; then fill the caches through the service worker. On a first visit
  // the worker takes control a moment later (clientsClaim): warm then.
  const warmNow = () => void warmSession(studio).catch(() => {});
  const idle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 5000 }) : setTimeout(fn, 2000));
  await editorLoaded;
  if (navigator.serviceWorker?.controller) idle(warmNow);
  else navigator.serviceWorker?.addEventListener('controllerchange', () => idle(warmNow), { once: true });
}
