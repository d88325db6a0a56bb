// The account forms (setup, sign-in, invite, workspace): each `form[data-endpoint]` posts its fields as JSON,
// shows the server's message when refused, and goes to `data-next` (or reloads) when done.

export function wireAccountForms(
  root: ParentNode = document,
  /** Runs before a form is sent; a message it returns is shown instead of sending. */
  before: (form: HTMLFormElement) => Promise<string | null> = async () => null,
): void {
  for (const form of root.querySelectorAll<HTMLFormElement>('form[data-endpoint]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const error = form.querySelector<HTMLElement>('[data-error]');
      const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
      if (error) error.hidden = true;
      if (button) button.disabled = true;
      try {
        const refused = await before(form);
        if (refused) throw new Error(refused);
        const body: Record<string, unknown> = {};
        for (const [name, value] of new FormData(form)) body[name] = value === 'true' ? true : value;
        const res = await fetch(form.dataset.endpoint!, {
          method: form.dataset.method ?? 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (!res.ok) {
          const answer = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
          throw new Error(answer?.error?.message ?? `HTTP ${res.status}`);
        }
        const done = form.dataset.next;
        if (form.dataset.show) {
          const out = document.querySelector<HTMLElement>(form.dataset.show);
          if (out) {
            const data = (await res.json()) as Record<string, string>;
            out.querySelector('[data-value]')!.textContent = data[out.dataset.field ?? 'url'] ?? '';
            out.hidden = false;
          }
        } else if (done) location.assign(done);
        else location.reload();
      } catch (err) {
        if (error) {
          error.textContent = (err as Error).message;
          error.hidden = false;
        }
      } finally {
        if (button) button.disabled = false;
      }
    });
  }
}
