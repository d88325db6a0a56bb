// Page-side PWA wiring (every page, from src/layouts/Base.astro): registers the service worker,
// shows the offline banner and the "new version" prompt, and starts syncing edits kept offline.
import { registerSW } from 'virtual:pwa-register';
import { startSync } from './sync.ts';

/** How often an open studio asks the server whether a new version was deployed. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

function wireOfflineBanner() {
  const banner = document.querySelector<HTMLElement>('[data-testid="offline-banner"]');
  if (!banner) return;
  const show = () => {
    banner.hidden = navigator.onLine;
    document.documentElement.dataset.online = String(navigator.onLine);
  };
  window.addEventListener('online', show);
  window.addEventListener('offline', show);
  show();
}

function wireUpdatePrompt(update: () => Promise<void>) {
  const prompt = document.querySelector<HTMLElement>('[data-testid="update-available"]');
  if (!prompt) return () => {};
  prompt.querySelector<HTMLButtonElement>('[data-action="update"]')?.addEventListener('click', (e) => {
    (e.currentTarget as HTMLButtonElement).disabled = true;
    // Tells the waiting service worker to take over; the page reloads when it controls it.
    void update();
  });
  prompt.querySelector<HTMLButtonElement>('[data-action="later"]')?.addEventListener('click', () => {
    prompt.hidden = true;
  });
  return () => {
    prompt.hidden = false;
  };
}

export function startPwa(): void {
  wireOfflineBanner();
  startSync();
  if (!('serviceWorker' in navigator)) return;
  let showPrompt = () => {};
  const updateSW = registerSW({
    onNeedRefresh: () => showPrompt(),
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      setInterval(() => {
        if (navigator.onLine && registration.installing === null) void registration.update().catch(() => {});
      }, UPDATE_CHECK_MS);
    },
  });
  showPrompt = wireUpdatePrompt(() => updateSW(true));
}
