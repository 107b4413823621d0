import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleRouteDeps } from '../../platform/modules';
import {
  articlePage,
  categoryPage,
  homePage,
  notFoundPage,
  type PageLinks,
  searchPage,
  sitemap,
} from './help-centre.html';
import { type HelpCentre, loadArticle, loadCategory, loadHome, searchArticles, vote } from './help-centre.service';
import { helpCentreBySlug, helpCentreUrl } from './service-settings';

const VISITOR_COOKIE = 'rapport_hc_visitor';
const VISITOR = /^[A-Za-z0-9_-]{32}$/;
const slugParam = z.string().max(200);

/**
 * The public help centre of each workspace: server-rendered HTML without scripts, no
 * login, rate-limited per address, with ETags. Anything unknown (help centre switched
 * off, category, article, draft, internal) is the same 404 page.
 */
export function helpCentreRoutes({ config, database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  const linksFor = (hc: HelpCentre): PageLinks => ({ base: helpCentreUrl(config.baseUrl, hc.slug) });

  const notFound = (reply: FastifyReply) =>
    reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(notFoundPage());

  /** Sends a page with a strong ETag; 304 when the client has it. */
  const send = (req: FastifyRequest, reply: FastifyReply, body: string, type = 'text/html; charset=utf-8') => {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    reply.header('etag', etag).header('cache-control', 'public, max-age=60, must-revalidate').type(type);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(body);
  };

  return async (app) => {
    // The vote form posts application/x-www-form-urlencoded (only in this plugin's routes).
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 2048 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    const page = { public: true, limit: 'help.page' } as const;
    const hide = { hide: true };

    app.get(
      '/help/:slug',
      { config: page, schema: { ...hide, params: z.object({ slug: slugParam }) } },
      async (req, reply) => {
        const hc = await helpCentreBySlug(database, req.params.slug);
        if (!hc) return notFound(reply);
        return send(req, reply, homePage(hc, linksFor(hc), await loadHome(database, records, hc)));
      },
    );

    app.get(
      '/help/:slug/categories/:category',
      { config: page, schema: { ...hide, params: z.object({ slug: slugParam, category: slugParam }) } },
      async (req, reply) => {
        const hc = await helpCentreBySlug(database, req.params.slug);
        const data = hc && (await loadCategory(database, records, hc, req.params.category));
        if (!hc || !data) return notFound(reply);
        return send(req, reply, categoryPage(hc, linksFor(hc), data));
      },
    );

    app.get(
      '/help/:slug/articles/:article',
      {
        config: page,
        schema: {
          ...hide,
          params: z.object({ slug: slugParam, article: slugParam }),
          querystring: z.object({ lang: z.string().max(20).optional(), voted: z.string().max(10).optional() }),
        },
      },
      async (req, reply) => {
        const hc = await helpCentreBySlug(database, req.params.slug);
        const data = hc && (await loadArticle(database, records, hc, req.params.article, req.query.lang));
        if (!hc || !data) return notFound(reply);
        return send(req, reply, articlePage(hc, linksFor(hc), data, { voted: req.query.voted === '1' }));
      },
    );

    app.get(
      '/help/:slug/search',
      {
        config: page,
        schema: { ...hide, params: z.object({ slug: slugParam }), querystring: z.object({ q: z.string().optional() }) },
      },
      async (req, reply) => {
        const hc = await helpCentreBySlug(database, req.params.slug);
        if (!hc) return notFound(reply);
        const q = (req.query.q ?? '').trim().slice(0, 200);
        const results = q ? await searchArticles(database, records, hc, q) : [];
        return send(req, reply, searchPage(hc, linksFor(hc), q, results));
      },
    );

    app.get(
      '/help/:slug/sitemap.xml',
      { config: page, schema: { ...hide, params: z.object({ slug: slugParam }) } },
      async (req, reply) => {
        const hc = await helpCentreBySlug(database, req.params.slug);
        if (!hc) return notFound(reply);
        const home = await loadHome(database, records, hc);
        return send(
          req,
          reply,
          sitemap(linksFor(hc), home.categories, home.articles),
          'application/xml; charset=utf-8',
        );
      },
    );

    app.post(
      '/help/:slug/articles/:article/vote',
      {
        config: { public: true, limit: 'help.vote' },
        schema: {
          ...hide,
          params: z.object({ slug: slugParam, article: slugParam }),
          body: z.object({ id: z.uuid(), helpful: z.enum(['yes', 'no']) }),
        },
      },
      async (req, reply) => {
        const hc = await helpCentreBySlug(database, req.params.slug);
        if (!hc) return notFound(reply);
        const links = linksFor(hc);
        // One vote per visitor and article: an anonymous random id in a cookie for this help centre.
        let visitor = readCookie(req.headers.cookie, VISITOR_COOKIE);
        if (!visitor || !VISITOR.test(visitor)) {
          visitor = randomBytes(24).toString('base64url');
          const secure = config.baseUrl.startsWith('https://') ? '; Secure' : '';
          reply.header(
            'set-cookie',
            `${VISITOR_COOKIE}=${visitor}; Path=/help/${hc.slug}; Max-Age=31536000; HttpOnly; SameSite=Lax${secure}`,
          );
        }
        const ok = await vote(database, records, hc, req.body.id, visitor, req.body.helpful === 'yes');
        if (!ok) return notFound(reply);
        const target = new URL(`${links.base}/articles/${encodeURIComponent(req.params.article)}`);
        target.searchParams.set('voted', '1');
        return reply.header('cache-control', 'no-store').redirect(target.pathname + target.search, 303);
      },
    );
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
