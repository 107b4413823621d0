import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { ROOT } from '../root';

/** Where `npm run build:web` (and `npm start`) put the built web app. */
export const WEB_DIST = path.join(ROOT, 'dist/web');

/** Paths that belong to the server: never answered with the web app. */
const SERVER_PATH = /^\/(api|health|ready)(\/|$)/;

/**
 * Serves the built single-page app from `root` (dist/web): hashed assets with a
 * year-long immutable cache and precompressed (.br/.gz) when the browser accepts it,
 * and index.html for every other GET that is not a server path, so the client-side
 * router can handle deep links (/contacts/…). Without a build it serves nothing and
 * says how to build.
 */
export function webAppRoutes(opts: { root?: string } = {}): FastifyPluginAsync {
  const root = opts.root ?? WEB_DIST;
  return async (app) => {
    if (!existsSync(path.join(root, 'index.html'))) {
      app.log.warn({ root }, 'the web app is not built: run `npm run build:web` (npm start does it for you)');
      return;
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      dotfiles: 'ignore',
      globIgnore: ['**/.*', '**/.*/**', '**/*.gz', '**/*.br'],
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        const immutable = filePath.startsWith(path.join(root, 'assets') + path.sep);
        reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        // The service worker (always revalidated, so a new build takes over) controls the whole app.
        if (filePath === path.join(root, 'sw.js')) reply.header('service-worker-allowed', '/');
        if (filePath.endsWith('.webmanifest')) reply.header('content-type', 'application/manifest+json; charset=utf-8');
      },
    });
    app.get('/*', { schema: { hide: true } }, (req, reply) => {
      const pathname = req.url.split('?')[0] ?? '/';
      // Server paths keep their problem+json 404; a missing file or dotfile is a 404, not the app.
      if (SERVER_PATH.test(pathname) || path.extname(pathname) !== '' || pathname.includes('/.')) {
        return reply.callNotFound();
      }
      return reply.sendFile('index.html');
    });
  };
}
