// The studio's three steps are sections of one page: the hash picks the visible one, and switching
// keeps every island (and its worker) alive. Used by src/pages/s/[id].astro and the offline shell.
export function initSteps(): void {
  function show() {
    const wanted = location.hash.slice(1) || 'garment';
    const panels = document.querySelectorAll<HTMLElement>('.studio-panel');
    const id = Array.from(panels).some((p) => p.dataset.panel === wanted) ? wanted : 'garment';
    panels.forEach((p) => (p.hidden = p.dataset.panel !== id));
    document.querySelectorAll<HTMLElement>('.studio-step').forEach((a) => {
      const on = a.dataset.step === id;
      a.classList.toggle('btn-on', on);
      if (on) a.setAttribute('aria-current', 'step');
      else a.removeAttribute('aria-current');
    });
    window.dispatchEvent(new CustomEvent('atelier:step', { detail: id }));
  }
  window.addEventListener('hashchange', show);
  show();
}
