// Rapport's service worker: the app opens without a network, and records the user opened
// stay readable offline. Hand-written (no library): scripts/build-web.mjs fills in the
// build version and the precache list (every hashed asset from the Vite manifest).
//
// - App shell (index.html, scripts, styles, icons): precached at install, cache-first;
//   navigations go to the network and fall back to the cached index.html offline.
// - API: only successful same-origin GETs the app needs to open (who am I, workspaces,
//   metadata, members) and single records (GET /api/v1/{object}/{id}) are kept, per
//   workspace. Network first: a record is never shown older than the server's copy while
//   online (after an edit the page must show the edit), the saved copy only when the
//   network fails, marked with `Rapport-Saved-At`. Authentication endpoints never.
// - Sign-out (a "clear-data" message, or the page deleting the caches itself) removes
//   every saved API answer: customer data must not stay on a shared device.

const VERSION = 'dev';
const PRECACHE = ['/', '/index.html'];

const SHELL = `rapport-shell-${VERSION}`;
const DATA_PREFIX = 'rapport-data-';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const RECORD = new RegExp(`^/api/v1/([a-zA-Z][a-zA-Z0-9_]*)/(${UUID})$`, 'i');
const APP_DATA = new Set(['/api/v1/me', '/api/v1/me/workspaces', '/api/v1/objects', '/api/v1/members']);
const SERVER_PATH = /^\/(api|health|ready)(\/|$)/;

// Bumped by every clear: an answer that was in flight during a sign-out is not saved after it.
let generation = 0;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('rapport-shell-') && name !== SHELL) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'clear-data') return;
  event.waitUntil(
    clearData().then(() => {
      event.ports[0]?.postMessage({ cleared: true });
    }),
  );
});

async function clearData() {
  generation++;
  for (const name of await caches.keys()) if (name.startsWith(DATA_PREFIX)) await caches.delete(name);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && !SERVER_PATH.test(url.pathname)) {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/api/')) {
    if (isCacheableApi(url)) event.respondWith(apiNetworkFirst(request, url));
  } else if (!SERVER_PATH.test(url.pathname)) {
    event.respondWith(shellFirst(request));
  }
});

/** Pages: always the server's index.html when online (new deployments), the cached one offline. */
async function navigation(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const cache = await caches.open(SHELL);
    const cached = (await cache.match('/index.html')) ?? (await cache.match('/'));
    if (cached) return cached;
    throw err;
  }
}

/** Hashed assets never change under a name: the cached copy is the right one. */
async function shellFirst(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  if (cached) return cached;
  return fetch(request);
}

function isCacheableApi(url) {
  if (url.pathname.startsWith('/api/v1/auth/')) return false;
  return APP_DATA.has(url.pathname) || RECORD.test(url.pathname);
}

/** One cache per workspace (the Rapport-Workspace header), so switching never mixes answers. */
const dataCacheName = (request) => `${DATA_PREFIX}${request.headers.get('rapport-workspace') || 'default'}`;

async function apiNetworkFirst(request, url) {
  const started = generation;
  const cacheName = dataCacheName(request);
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    const cache = await caches.open(cacheName);
    const saved = (await cache.match(request)) ?? (await cache.match(request, { ignoreSearch: true }));
    if (saved) return saved;
    throw err;
  }
  if (response.ok && response.type === 'basic' && started === generation && (await mayKeep(cacheName, url))) {
    const copy = await stamped(response.clone());
    if (started === generation) await (await caches.open(cacheName)).put(request, copy);
  }
  return response;
}

/** Records only of objects the metadata names (so /api/v1/<anything>/<uuid> is not kept blindly). */
async function mayKeep(cacheName, url) {
  if (APP_DATA.has(url.pathname)) return true;
  const object = RECORD.exec(url.pathname)?.[1];
  const meta = await (await caches.open(cacheName)).match('/api/v1/objects');
  if (!object || !meta) return false;
  try {
    const body = await meta.json();
    return body.data.some((o) => o.name === object);
  } catch {
    return false;
  }
}

/** The answer with the time it was saved, so the app can say how old an offline copy is. */
async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set('rapport-saved-at', new Date().toISOString());
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}
