import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import {
  FormListResponse,
  FormRequest,
  FormResponse,
  FormSubmissionsResponse,
} from '../../../common/contracts/audience';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { AppError, notFound } from '../../platform/http/errors';
import { checkJson } from '../../platform/http/input-guard';
import { hit, setRateLimitHeaders } from '../../platform/http/rate-limits';
import type { ModuleRouteDeps } from '../../platform/modules';
import { loadSchemas } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import type { FieldDef } from '../../platform/records/types';
import { gpcSignal } from '../consents';
import { PAGE_URL, renderFormPage, renderMessage, renderThankYou, STAMP } from './form-page';
import { confirmSubmission, looksLikeBot, storeSubmission } from './form-submitter';
import { formsSecret, hashIp, readConfirmToken, renderStamp, stampTime } from './form-tokens';
import {
  assertFormManager,
  createForm,
  deleteForm,
  formUrl,
  getForm,
  type LoadedForm,
  listForms,
  listSubmissions,
  loadForm,
  updateForm,
} from './forms.service';

const tags = ['Forms'];
const params = z.object({ id: z.uuid() }).strict();
/** Submissions one form takes per hour, from everywhere together (each address also has forms.submit). */
export const FORM_SUBMIT_LIMIT = { max: 500, windowSeconds: 3600 };
/** Largest submission body (a form has at most 50 fields). */
const SUBMIT_BODY_LIMIT = 64 * 1024;
const VISITOR = /(?:^|;\s*)rapport_vid=([A-Za-z0-9_-]{8,64})(?:;|$)/;
const VISITOR_ID = /^[A-Za-z0-9_-]{8,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A live form with its fields' definitions, found by id alone (the hosted page knows no workspace). */
async function publicForm(
  database: Database,
  records: RecordService,
  id: string,
): Promise<{ form: LoadedForm; defs: Map<string, FieldDef> } | null> {
  if (!UUID.test(id)) return null;
  const ws = await database.system(async (tx) => {
    const { rows } = await sql<{ workspace_id: string }>`
      select workspace_id from forms where id = ${id}::uuid and deleted_at is null`.execute(tx);
    return rows[0]?.workspace_id;
  });
  if (!ws) return null;
  return database.tenantRead(ws, async (tx) => {
    const form = await loadForm(tx, id);
    if (!form) return null;
    const schema = (await loadSchemas(tx, records.registry)).get(form.object);
    const defs = new Map<string, FieldDef>();
    for (const f of form.fields) {
      const def = schema?.field(f.field)?.def;
      if (def) defs.set(f.field, def);
    }
    return { form, defs };
  });
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** Whether a post came from a browser form (answered with a page) rather than a script (answered with JSON). */
function wantsPage(req: FastifyRequest): boolean {
  const type = String(req.headers['content-type'] ?? '');
  const accept = String(req.headers.accept ?? '');
  return type.startsWith('application/x-www-form-urlencoded') && !accept.includes('application/json');
}

/** CORS for a form's allowed origins (and the server's): scripts on those sites may post to it. */
function allowOrigin(req: FastifyRequest, reply: FastifyReply, form: LoadedForm, serverOrigins: string[]): void {
  const origin = req.headers.origin;
  reply.header('vary', 'origin');
  if (!origin || !(form.allowedOrigins.includes(origin) || serverOrigins.includes(origin))) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-methods', 'POST');
  reply.header('access-control-allow-headers', 'content-type, accept');
  reply.header('access-control-max-age', '600');
}

/** Form management (`/api/v1/forms`), the hosted page and submissions (`/f/{id}`), double opt-in links. */
export function formRoutes({ config, database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  const serverOrigins = config.corsOrigins.map((o) => new URL(o).origin);
  return async (app) => {
    // Browser forms post urlencoded; only this module's routes read it (multi-valued inputs: the last wins).
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: SUBMIT_BODY_LIMIT },
      (_req, body, done) => {
        try {
          const parsed = Object.fromEntries(new URLSearchParams(body as string));
          checkJson(parsed);
          done(null, parsed);
        } catch (err) {
          done(err as Error, undefined);
        }
      },
    );

    // ---- management -------------------------------------------------------
    app.get(
      '/api/v1/forms',
      { schema: { tags, summary: 'The workspace’s web forms', response: { 200: FormListResponse } } },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await assertFormManager(tx, records.access, actor);
          return { data: await listForms(tx, config.baseUrl) };
        });
      },
    );

    app.post(
      '/api/v1/forms',
      {
        schema: {
          tags,
          summary: 'Create a web form (administrators and marketing managers)',
          description: 'Fields map to fields of the object, custom fields included. Answers the hosted page URL.',
          body: FormRequest,
          response: { 201: z.object({ data: z.object({ id: z.string(), url: z.string() }) }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const id = await database.tenant(actor.workspaceId, async (tx) => {
          await assertFormManager(tx, records.access, actor);
          return createForm(tx, actor, records, req.body);
        });
        return reply
          .status(201)
          .header('location', `/api/v1/forms/${id}`)
          .send({ data: { id, url: formUrl(config.baseUrl, id) } });
      },
    );

    app.get(
      '/api/v1/forms/:id',
      { schema: { tags, summary: 'A web form at its current version', params, response: { 200: FormResponse } } },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await assertFormManager(tx, records.access, actor);
          return { data: await getForm(tx, config.baseUrl, req.params.id) };
        });
      },
    );

    app.put(
      '/api/v1/forms/:id',
      {
        schema: {
          tags,
          summary: 'Edit a web form: saved as its next version (submissions keep theirs)',
          params,
          body: FormRequest,
          response: { 200: FormResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await assertFormManager(tx, records.access, actor);
          await updateForm(tx, actor, records, req.params.id, req.body);
          return { data: await getForm(tx, config.baseUrl, req.params.id) };
        });
      },
    );

    app.delete(
      '/api/v1/forms/:id',
      { schema: { tags, summary: 'Take a web form down (its submissions stay)', params } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, async (tx) => {
          await assertFormManager(tx, records.access, actor);
          await deleteForm(tx, req.params.id);
        });
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/forms/:id/submissions',
      {
        schema: {
          tags,
          summary: 'A web form’s submissions, newest first (the latest 100)',
          params,
          response: { 200: FormSubmissionsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await assertFormManager(tx, records.access, actor);
          await getForm(tx, config.baseUrl, req.params.id);
          return { data: await listSubmissions(tx, req.params.id) };
        });
      },
    );

    // ---- public: the hosted page and submissions ----------------------------
    app.get(
      '/f/confirm/:token',
      {
        config: { public: true, limit: 'forms.page' },
        schema: { hide: true, params: z.object({ token: z.string().max(300) }).strict() },
      },
      async (req, reply) => {
        const secret = await formsSecret(database);
        const submissionId = readConfirmToken(secret, req.params.token);
        const ws = submissionId
          ? await database.system(async (tx) => {
              const { rows } = await sql<{ workspace_id: string }>`
                select workspace_id from form_submissions where id = ${submissionId}::uuid`.execute(tx);
              return rows[0]?.workspace_id;
            })
          : undefined;
        const ok =
          ws && submissionId ? await database.tenant(ws, (tx) => confirmSubmission(tx, records, submissionId)) : false;
        if (!ok)
          return html(reply, 404, renderMessage('Link not valid', 'This confirmation link is invalid or has expired.'));
        return html(reply, 200, renderMessage('Confirmed', 'Thank you: your choices are confirmed.'));
      },
    );

    app.get(
      '/f/:id',
      {
        config: { public: true, limit: 'forms.page' },
        schema: { hide: true, params: z.object({ id: z.string().max(64) }) },
      },
      async (req, reply) => {
        const found = await publicForm(database, records, req.params.id);
        if (!found)
          return html(reply, 404, renderMessage('Form not found', 'This form does not exist or was taken down.'));
        const secret = await formsSecret(database);
        const referer = typeof req.headers.referer === 'string' ? req.headers.referer.slice(0, 2000) : undefined;
        return html(
          reply,
          200,
          renderFormPage(found.form, found.defs, `/f/${found.form.id}`, {
            stamp: renderStamp(secret, found.form.id),
            pageUrl: referer,
          }),
        );
      },
    );

    app.options(
      '/f/:id',
      { config: { public: true, cors: false }, schema: { hide: true, params: z.object({ id: z.string().max(64) }) } },
      async (req, reply) => {
        const found = await publicForm(database, records, req.params.id);
        if (found) allowOrigin(req, reply, found.form, serverOrigins);
        return reply.status(204).send();
      },
    );

    app.post(
      '/f/:id',
      {
        bodyLimit: SUBMIT_BODY_LIMIT,
        config: { public: true, limit: 'forms.submit', cors: false },
        schema: { hide: true, params: z.object({ id: z.string().max(64) }) },
      },
      async (req, reply) => {
        const page = wantsPage(req);
        const found = await publicForm(database, records, req.params.id);
        if (!found) {
          if (page)
            return html(reply, 404, renderMessage('Form not found', 'This form does not exist or was taken down.'));
          throw notFound('Form');
        }
        const { form, defs } = found;
        allowOrigin(req, reply, form, serverOrigins);
        if (config.publicRateLimits) {
          const h = await hit(database.db, 'forms.submit.form', form.id, FORM_SUBMIT_LIMIT.windowSeconds);
          if (h.hits > FORM_SUBMIT_LIMIT.max) {
            setRateLimitHeaders(reply, FORM_SUBMIT_LIMIT.max, h);
            throw new AppError(
              'rate_limited',
              `This form takes no more submissions now; retry in ${h.resetSeconds} seconds`,
              {
                retryAfterSeconds: h.resetSeconds,
              },
            );
          }
        }
        const body = req.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new AppError('validation_failed', 'The body must be the form’s fields by name', {
            errors: [{ path: 'body', message: 'must be an object of the form’s fields by name' }],
          });
        // t.js adds the site visitor's id as `rapport_vid` to forms posting here (the cookie is the site's,
        // not this server's); a hosted page on this server may carry it as a cookie. Not a form field.
        const { rapport_vid: postedVisitor, ...values } = body as Record<string, unknown>;
        const secret = await formsSecret(database);
        const done = () =>
          form.redirectUrl && page
            ? reply.status(303).header('location', form.redirectUrl).send()
            : page
              ? html(reply, 200, renderThankYou(form))
              : reply.status(201).send({
                  data: { message: form.thankYouMessage ?? 'Thank you!', redirectUrl: form.redirectUrl },
                });
        // Bots get the answer a person gets, and nothing is stored.
        if (looksLikeBot(values, form.id, secret, config.formMinFillMs)) {
          return page ? html(reply, 200, renderThankYou(form)) : done();
        }
        const cookie = String(req.headers.cookie ?? '');
        // Global Privacy Control: the person opts out of sale/sharing and tracking, and this browser is not linked.
        const gpc = gpcSignal(req.headers);
        const referrer = typeof req.headers.referer === 'string' ? req.headers.referer.slice(0, 2000) : null;
        try {
          await database.tenant(form.workspaceId, (tx) =>
            storeSubmission(tx, { records, secret, baseUrl: config.baseUrl }, form, defs, {
              values,
              ipHash: hashIp(secret, req.ip),
              referrer,
              visitorId: gpc
                ? null
                : ((typeof postedVisitor === 'string' && VISITOR_ID.test(postedVisitor) ? postedVisitor : null) ??
                  VISITOR.exec(cookie)?.[1] ??
                  null),
              gpc,
            }),
          );
        } catch (err) {
          if (!(page && err instanceof AppError && err.code === 'validation_failed')) throw err;
          const errors = Object.fromEntries(err.errors.map((e) => [e.path, e.message]));
          const stamp = String(values[STAMP] ?? '');
          const shown = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v ?? '')]));
          return html(
            reply,
            422,
            renderFormPage(form, defs, `/f/${form.id}`, {
              values: shown,
              errors,
              stamp: stampTime(secret, form.id, stamp) !== null ? stamp : renderStamp(secret, form.id),
              pageUrl: String(values[PAGE_URL] ?? ''),
            }),
          );
        }
        return done();
      },
    );
  };
}
