import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppRoutes } from './static';

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/app-1.js"></script></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;
const SW = "self.addEventListener('fetch', () => {});";
const MANIFEST = '{"name":"Rapport","start_url":"/"}';

async function appWith(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ code: 'route_not_found', url: req.url }));
  app.get('/api/v1/me', async () => ({ data: 'me' }));
  await app.register(webAppRoutes({ root }));
  await app.ready();
  return app;
}

describe('web app serving (http/static.ts)', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rapport-web-'));
    mkdirSync(path.join(dir, 'assets'));
    mkdirSync(path.join(dir, '.vite'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'color-scheme.js'), '/* theme */');
    writeFileSync(path.join(dir, 'sw.js'), SW);
    writeFileSync(path.join(dir, 'manifest.webmanifest'), MANIFEST);
    writeFileSync(path.join(dir, 'assets/app-1.js'), SCRIPT);
    writeFileSync(path.join(dir, 'assets/app-1.js.gz'), gzipSync(SCRIPT));
    writeFileSync(path.join(dir, '.vite/manifest.json'), '{}');
    writeFileSync(path.join(dir, '.build-hash'), 'abc');
    app = await appWith(dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes, never cached', async () => {
    for (const url of ['/', '/contacts', '/accounts/0190a1b2-0000-7000-8000-000000000000/edit?x=1', '/sign-in']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
    }
  });

  it('serves hashed assets immutable, compressed when the browser accepts it', async () => {
    const plain = await app.inject({ method: 'GET', url: '/assets/app-1.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe(SCRIPT);

    const gz = await app.inject({ method: 'GET', url: '/assets/app-1.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.statusCode).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);

    const small = await app.inject({
      method: 'GET',
      url: '/color-scheme.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(small.statusCode).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['cache-control']).toBe('no-cache');
  });

  it('serves the service worker revalidated on every load, allowed to control the whole app', async () => {
    const res = await app.inject({ method: 'GET', url: '/sw.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['service-worker-allowed']).toBe('/');
    expect(res.body).toBe(SW);
    // Only the worker gets that header.
    expect((await app.inject({ method: 'GET', url: '/color-scheme.js' })).headers['service-worker-allowed']).toBe(
      undefined,
    );
  });

  it('serves the web app manifest as application/manifest+json', async () => {
    const res = await app.inject({ method: 'GET', url: '/manifest.webmanifest' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/manifest+json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(res.body)).toEqual({ name: 'Rapport', start_url: '/' });
  });

  it('leaves server paths, missing files and dotfiles to the 404 handler', async () => {
    for (const url of [
      '/api/v1/nope',
      '/api',
      '/health',
      '/ready',
      '/assets/missing.js',
      '/.vite/manifest.json',
      '/.build-hash',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code, url).toBe('route_not_found');
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/me' })).json()).toEqual({ data: 'me' });
    expect((await app.inject({ method: 'POST', url: '/contacts' })).statusCode).toBe(404);
  });

  it('serves nothing when the web app is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'rapport-noweb-'));
    const bare = await appWith(empty);
    try {
      expect((await bare.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
      expect((await bare.inject({ method: 'GET', url: '/contacts' })).statusCode).toBe(404);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
