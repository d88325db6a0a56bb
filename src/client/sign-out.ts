// Signing out on a shared device: what is pending is sent first, the server session ends, then everything this
// account kept on the device goes (sessions, files, pending edits, and downloads still in flight). A page opened
// by another account clears the previous one's data first (claimDevice).
import { claimDevice, clearDevice } from './offline-store.ts';
import { flushPending } from './sync.ts';

export function wireSignOut(): void {
  const account = document.body.dataset.account;
  if (account) void claimDevice(account);
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-sign-out]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      await flushPending().catch(() => 0);
      // The server session ends first: from then on no answer about this shop is fit to be kept.
      await fetch('/api/auth/sign-out', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ everywhere: button.dataset.signOut === 'everywhere' }),
      }).catch(() => null);
      await clearDevice({ release: true });
      location.assign('/sign-in');
    });
  }
}
