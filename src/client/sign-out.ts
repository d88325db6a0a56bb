// Signing out on a shared device: what is pending is sent first, then everything this account kept on the device
// goes (sessions, files, pending edits), then the server session ends. A page opened by another account clears
// the previous one's data first (claimDevice).
import { claimDevice, clearDevice } from './offline-store.ts';
import { flushPending } from './sync.ts';

export function wireSignOut(): void {
  const account = document.body.dataset.account;
  if (account) void claimDevice(account);
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-sign-out]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      await flushPending().catch(() => 0);
      await clearDevice();
      await fetch('/api/auth/sign-out', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ everywhere: button.dataset.signOut === 'everywhere' }),
      }).catch(() => null);
      location.assign('/sign-in');
    });
  }
}
