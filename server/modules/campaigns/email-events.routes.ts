import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registerSecretPath } from '../../platform/logging';
import type { ModuleRouteDeps } from '../../platform/modules';
import { gpcSignal } from '../consents';
import {
  changePreferences,
  type Hit,
  honourGpc,
  invalidLinkPage,
  preferencesOf,
  preferencesPage,
  trackClick,
  trackOpen,
} from './email-events.service';

const tags = ['Campaigns'];
const TokenParam = z.object({ token: z.string().min(1).max(200) }).strict();
// A transparent 1×1 GIF.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * The public side of campaign mail (no login, rate-limited, telling nothing about a bad
 * token): the open pixel, click redirects (only to the URL a token was minted for), and
 * the List-Unsubscribe URL (RFC 8058: POST `List-Unsubscribe=One-Click` unsubscribes;
 * GET shows the preferences page).
 */
export function emailEventRoutes({ database, records, config, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  // The tokens are credentials: never in a log line.
  registerSecretPath('/e/o/:secret.gif');
  registerSecretPath('/e/c/:secret');
  registerSecretPath('/e/u/:secret');
  return async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      const params = new URLSearchParams(body as string);
      done(null, { values: Object.fromEntries(params), purposes: params.getAll('purpose') });
    });
    // RFC 8058 allows the one-click POST as multipart/form-data too: its simple text fields only.
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      const values: Record<string, string> = {};
      const purposes: string[] = [];
      for (const m of String(body).matchAll(/name="([^"]{1,100})"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]{0,200})/g)) {
        const [, name = '', value = ''] = m;
        if (name === 'purpose') purposes.push(value);
        else values[name] = value;
      }
      done(null, { values, purposes });
    });
    const hitOf = (req: { ip: string; headers: Record<string, unknown> }): Hit => ({
      ip: req.ip,
      userAgent: String(req.headers['user-agent'] ?? ''),
      now: now(),
      gpc: gpcSignal(req.headers as Record<string, string | undefined>),
    });

    app.get(
      '/e/o/:token',
      {
        config: { public: true, limit: 'campaigns.track' },
        schema: { tags, summary: 'Open pixel of a campaign mail (a 1×1 GIF)', params: TokenParam, hide: true },
      },
      async (req, reply) => {
        await trackOpen(database, req.params.token.replace(/\.gif$/, ''), hitOf(req));
        return reply
          .header('cache-control', 'no-store, private')
          .header('referrer-policy', 'no-referrer')
          .type('image/gif')
          .send(GIF);
      },
    );

    app.get(
      '/e/c/:token',
      {
        config: { public: true, limit: 'campaigns.track' },
        schema: {
          tags,
          summary: 'Click redirect of a campaign mail: 302 to the URL the token was minted for, else 404',
          params: TokenParam,
          querystring: z.object({ u: z.string().min(1).max(4000) }).strict(),
          hide: true,
        },
      },
      async (req, reply) => {
        const target = await trackClick(database, config.baseUrl, req.params.token, req.query.u, hitOf(req));
        reply.header('cache-control', 'no-store, private').header('referrer-policy', 'no-referrer');
        if (!target) return reply.status(404).type('text/html').send(invalidLinkPage());
        return reply.redirect(target, 302);
      },
    );

    app.get(
      '/e/u/:token',
      {
        config: { public: true, limit: 'campaigns.preferences' },
        schema: {
          tags,
          summary: 'Email preferences page (the List-Unsubscribe URL): unsubscribe, or choose per purpose; HTML',
          params: TokenParam,
          produces: ['text/html'],
        },
      },
      async (req, reply) => {
        const hit = hitOf(req);
        if (hit.gpc) await honourGpc(database, records, req.params.token, hit);
        const prefs = await preferencesOf(database, req.params.token);
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html');
        if (!prefs) return reply.status(404).send(invalidLinkPage());
        return reply.send(preferencesPage(req.params.token, prefs));
      },
    );

    app.post(
      '/e/u/:token',
      {
        config: { public: true, limit: 'campaigns.preferences' },
        schema: {
          tags,
          summary:
            'RFC 8058 one-click unsubscribe (form body List-Unsubscribe=One-Click, no login) or the preferences form',
          params: TokenParam,
          produces: ['text/html'],
        },
      },
      async (req, reply) => {
        const body = (req.body ?? { values: {}, purposes: [] }) as {
          values?: Record<string, string>;
          purposes?: string[];
        };
        const values = body.values ?? {};
        const oneClick = values['List-Unsubscribe'] === 'One-Click';
        const prefs = !oneClick && values.preferences === '1';
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html');
        if (!oneClick && !prefs) return reply.status(400).send(invalidLinkPage());
        const ok = await changePreferences(
          database,
          records,
          req.params.token,
          oneClick ? { unsubscribe: true } : { granted: body.purposes ?? [] },
          hitOf(req),
        );
        if (!ok) return reply.status(404).send(invalidLinkPage());
        const after = await preferencesOf(database, req.params.token);
        return reply.send(
          after
            ? preferencesPage(req.params.token, after, oneClick ? 'unsubscribed' : 'saved')
            : '<p>You are unsubscribed.</p>',
        );
      },
    );
  };
}
