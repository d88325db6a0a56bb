// Imported by the generated service worker (astro.config.mjs, importScripts). Signing out on a shared
// device empties the studio's runtime caches; a download that started before (a model file, a photo being
// warmed for offline use) must not put its file back afterwards. Each clear starts a new generation, and
// deviceGenerationPlugin (astro.config.mjs) refuses, or takes back, a cache write from an older one. The
// generation lives in memory: a worker that is stopped has no downloads left in flight.
self.atelierDevice = { generation: 0 };

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'atelier-clear-device') return;
  self.atelierDevice.generation += 1;
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('atelier-')) await caches.delete(name);
      event.ports[0]?.postMessage('cleared');
    })(),
  );
});
