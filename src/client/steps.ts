// The studio's three steps are sections of one page: the address's hash names the one shown, and
// switching keeps every editor (and its worker) alive.
export const STEPS = ['garment', 'pose', 'generate'] as const;
export type StepId = (typeof STEPS)[number];

const isStep = (s: string): s is StepId => (STEPS as readonly string[]).includes(s);

/** Calls `show` with the step the hash names (the first step for anything else), now and on every change; returns the stop. */
export function followStepHash(show: (step: StepId) => void): () => void {
  const read = () => {
    const wanted = location.hash.slice(1);
    show(isStep(wanted) ? wanted : 'garment');
  };
  window.addEventListener('hashchange', read);
  read();
  return () => window.removeEventListener('hashchange', read);
}
