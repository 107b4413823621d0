import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PRIVACY_REQUEST_TYPES, PublicPrivacyRequest } from '../../../common/contracts/privacy';
import { registerSecretPath } from '../../platform/logging';
import { escapeHtml } from '../../platform/mail/template';
import type { ModuleRouteDeps } from '../../platform/modules';
import { publicIntake, verifyByToken } from './privacy.service';

const TYPE_LABELS: Record<(typeof PRIVACY_REQUEST_TYPES)[number], string> = {
  access: 'Send me a copy of my data',
  erasure: 'Erase my data',
  rectification: 'Correct my data',
  opt_out: 'Do not sell or share my data',
  restriction: 'Restrict how my data is used',
};

/** What every intake answers, whoever asks and whatever is known about them. */
const RECEIVED =
  'Thank you. If this address is yours, you will receive an email with a link to confirm the request; we answer within 30 days of your confirmation.';

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1b1e}
label{display:block;margin:1rem 0 .25rem;font-weight:600}input,select,textarea{width:100%;min-height:44px;font:inherit;padding:.5rem;box-sizing:border-box}
button{margin-top:1.5rem;min-height:44px;padding:0 1.5rem;font:inherit;background:#1c7ed6;color:#fff;border:0;border-radius:4px}</style>
</head><body><main>${body}</main></body></html>`;

const formPage = (workspaceId: string) =>
  page(
    'Privacy request',
    `<h1>Privacy request</h1>
<p>Ask for a copy of the personal data we hold about you, or to correct, erase, restrict or stop selling it.</p>
<form method="post" action="/privacy/${escapeHtml(workspaceId)}">
<label for="type">What would you like?</label>
<select id="type" name="type">${PRIVACY_REQUEST_TYPES.map((t) => `<option value="${t}">${escapeHtml(TYPE_LABELS[t])}</option>`).join('')}</select>
<label for="email">Your email address</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="320">
<label for="details">Anything we should know (optional)</label>
<textarea id="details" name="details" rows="4" maxlength="5000"></textarea>
<button type="submit">Send request</button>
</form>`,
  );

const wantsHtml = (headers: Record<string, string | string[] | undefined>) =>
  String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') &&
  !String(headers.accept ?? '').includes('application/json');

/**
 * The public intake: `GET /privacy/{workspaceId}` (a plain HTML form), `POST` the same
 * address (a browser form or JSON) and `GET /privacy/verify/{token}` (the emailed link).
 * Rate-limited per address; the answer to a request never depends on whether the person
 * or even the workspace is known.
 */
export function intakeRoutes({ config, database, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  registerSecretPath('/privacy/verify/:secret');
  return async (app) => {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16_384 },
      (_req, body, done) => {
        try {
          done(null, Object.fromEntries(new URLSearchParams(body as string)));
        } catch (err) {
          done(err as Error, undefined);
        }
      },
    );
    const hide = { hide: true };
    const params = z.object({ workspaceId: z.uuid() }).strict();

    app.get(
      '/privacy/:workspaceId',
      { config: { public: true, limit: 'privacy.page' }, schema: { ...hide, params } },
      async (req, reply) =>
        reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(formPage(req.params.workspaceId)),
    );

    app.post(
      '/privacy/:workspaceId',
      {
        config: { public: true, limit: 'privacy.request' },
        schema: {
          tags: ['Privacy'],
          summary: 'Public intake of a data-subject request (the person confirms it by an emailed link)',
          params,
          body: PublicPrivacyRequest,
          description: 'Answers 202 with the same text whatever is known; a browser form post gets an HTML page.',
        },
      },
      async (req, reply) => {
        await publicIntake(database, req.params.workspaceId, req.body, { now: now(), baseUrl: config.baseUrl });
        if (wantsHtml(req.headers))
          return reply
            .status(202)
            .header('content-type', 'text/html; charset=utf-8')
            .send(page('Request received', `<h1>Request received</h1><p>${escapeHtml(RECEIVED)}</p>`));
        return reply.status(202).send({ data: { message: RECEIVED } });
      },
    );

    // The mailed link opens a page with one button: mail scanners that follow links confirm nothing.
    const token = z.object({ token: z.string().max(200) }).strict();
    app.get(
      '/privacy/verify/:token',
      { config: { public: true, limit: 'privacy.page' }, schema: { ...hide, params: token } },
      async (req, reply) =>
        reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .send(
            page(
              'Confirm your request',
              `<h1>Confirm your privacy request</h1><form method="post" action="/privacy/verify/${encodeURIComponent(req.params.token)}"><button type="submit">Confirm it was me</button></form>`,
            ),
          ),
    );

    app.post(
      '/privacy/verify/:token',
      { config: { public: true, limit: 'privacy.request' }, schema: { ...hide, params: token } },
      async (req, reply) => {
        const ok = await verifyByToken(database, req.params.token, now());
        return reply
          .status(ok ? 200 : 404)
          .header('content-type', 'text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(
            ok
              ? page('Request confirmed', '<h1>Request confirmed</h1><p>Thank you. We will answer by email.</p>')
              : page('Link not valid', '<h1>This link is not valid</h1><p>It may have been used already.</p>'),
          );
      },
    );
  };
}
