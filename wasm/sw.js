// likelab's service worker: keeps the site's files so the page works offline
// after the first visit. Network first, so a rebuilt site is picked up at
// once; the cached copy when the network (or the server) is gone.
const CACHE = 'likelab-v1';
const FILES = ['./', 'index.html', 'wasm_exec.js', 'likelab.wasm', 'worker.js', 'likelab-worker.wasm'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  e.respondWith(fetch(req).then((resp) => {
    if (resp.ok) {
      const copy = resp.clone();
      caches.open(CACHE).then((c) => c.put(req, copy));
    }
    return resp;
  }).catch(() => caches.match(req, { ignoreSearch: true })
    .then((hit) => hit || Promise.reject(new Error('offline and not cached: ' + req.url)))));
});
