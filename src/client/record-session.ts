// The studio page records the session it shows on this device (IndexedDB), with everything the
// offline shell needs to render it, keeps at most DEVICE_SESSION_LIMIT sessions, and makes sure the
// service worker holds the session's files (photo, embedding, mask, models, results) for offline use.
import { evictOldSessions, recordSession, requestPersistence, warmSession, type StudioData } from './offline-store.ts';

export async function recordStudio(studio: StudioData): Promise<void> {
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
  const afterEditor = new Promise<void>((resolve) => {
    const done = () => resolve();
    if (document.querySelector<HTMLElement>('[data-testid="editor-stage"]')?.dataset.ready === 'true') return done();
    window.addEventListener('atelier:sam-ready', done, { once: true });
    setTimeout(done, 8000);
  });
  await afterEditor;
  if (navigator.serviceWorker?.controller) idle(warmNow);
  else navigator.serviceWorker?.addEventListener('controllerchange', () => idle(warmNow), { once: true });
}
