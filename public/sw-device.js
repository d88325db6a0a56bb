// Imported by the generated service worker (astro.config.mjs, importScripts). Signing out on a shared device empties
// the studio's runtime caches, and nothing may put a file back afterwards: neither a download that started before
// (a model file, a photo being warmed for offline use) nor one a closing page starts after. So a clear starts a new
// generation and releases the device: deviceGenerationPlugin (astro.config.mjs) refuses, or takes back, a cache
// write from an older generation or made while released, until a signed-in page claims the device again. Kept in
// memory: a worker that is stopped has no downloads left in flight.
self.atelierDevice = { generation: 0, released: false };

self.addEventListener('message', (event) => {
  const type = event.data?.type;
  if (type === 'atelier-claim-device') {
    self.atelierDevice.released = false;
    return;
  }
  if (type !== 'atelier-clear-device') return;
  self.atelierDevice.generation += 1;
  self.atelierDevice.released = true;
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('atelier-')) await caches.delete(name);
      event.ports[0]?.postMessage('cleared');
    })(),
  );
});
