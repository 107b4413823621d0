import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  MailTemplateSchema,
  OutboxMailSchema,
  OutboxPageSchema,
  OutboxQuery,
  PreviewDraftRequest,
  PreviewTemplateRequest,
  RenderedMailSchema,
  SendTemplateRequest,
  SentMailSchema,
  TemplateRequest,
  TestSendRequest,
  UpdateTemplateRequest,
} from '../../../common/contracts/mail';
import type { AccessService } from '../access/access.service';
import type { Database } from '../db/database';
import { actorOf } from '../http/context';
import type { RecordService } from '../records/records.service';
import { getMail, listOutbox, retryMail } from './outbox.service';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  previewTemplate,
  sendTemplate,
  testSendTemplate,
  updateTemplate,
} from './templates.service';

const Id = z.object({ id: z.uuid() }).strict();
const Template = z.object({ data: MailTemplateSchema });
const Rendered = z.object({ data: RenderedMailSchema });
const Mail = z.object({ data: OutboxMailSchema });

/**
 * Mail templates (with preview and send) and the outbox, for administrators; sending needs read access to the contact.
 * The API names the record a template is sent to `contactId`: the `contact` template variable the contacts module registers.
 */
export function mailRoutes(deps: {
  database: Database;
  access: AccessService;
  records: RecordService;
}): FastifyPluginAsyncZod {
  const { database, access, records } = deps;
  return async (app) => {
    app.get(
      '/api/v1/mail/templates',
      {
        schema: {
          tags: ['mail'],
          summary: 'Mail templates',
          response: { 200: z.object({ data: z.array(MailTemplateSchema) }) },
        },
      },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), listTemplates),
      }),
    );

    app.post(
      '/api/v1/mail/templates',
      {
        schema: {
          tags: ['mail'],
          summary: 'Create a template ({{ contact.firstName | default: "there" }})',
          body: TemplateRequest,
          response: { 201: Template },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) => createTemplate(tx, actor, req.body));
        return reply.status(201).header('location', `/api/v1/mail/templates/${data.id}`).send({ data });
      },
    );

    app.get(
      '/api/v1/mail/templates/:id',
      { schema: { tags: ['mail'], summary: 'One template', params: Id, response: { 200: Template } } },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => getTemplate(tx, req.params.id)),
      }),
    );

    app.patch(
      '/api/v1/mail/templates/:id',
      {
        schema: {
          tags: ['mail'],
          summary: 'Change a template',
          params: Id,
          body: UpdateTemplateRequest,
          response: { 200: Template },
        },
      },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => updateTemplate(tx, req.params.id, req.body)),
      }),
    );

    app.delete(
      '/api/v1/mail/templates/:id',
      { schema: { tags: ['mail'], summary: 'Delete a template', params: Id } },
      async (req, reply) => {
        await access.asAdmin(actorOf(req), (tx) => deleteTemplate(tx, req.params.id));
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/mail/templates/preview',
      {
        schema: {
          tags: ['mail'],
          summary: 'Render an unsaved draft with a contact (or sample data)',
          body: PreviewDraftRequest,
          response: { 200: Rendered },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const { contactId, ...draft } = req.body;
        return {
          data: await access.asAdmin(actor, (tx) => previewTemplate(tx, records, actor, draft, { contact: contactId })),
        };
      },
    );

    app.post(
      '/api/v1/mail/templates/:id/preview',
      {
        schema: {
          tags: ['mail'],
          summary: 'Render a template with a contact (or sample data)',
          params: Id,
          body: PreviewTemplateRequest,
          response: { 200: Rendered },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await access.asAdmin(actor, (tx) =>
            previewTemplate(tx, records, actor, { id: req.params.id }, { contact: req.body?.contactId }),
          ),
        };
      },
    );

    app.post(
      '/api/v1/mail/templates/:id/send',
      {
        schema: {
          tags: ['mail'],
          summary: 'Send a template to a contact through the outbox',
          params: Id,
          body: SendTemplateRequest,
          response: { 202: z.object({ data: SentMailSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          sendTemplate(tx, records, actor, req.params.id, { variable: 'contact', id: req.body.contactId }),
        );
        return reply.status(202).send({ data });
      },
    );

    app.post(
      '/api/v1/mail/templates/:id/test-send',
      {
        schema: {
          tags: ['mail'],
          summary: 'Send a template to yourself, marked [Test] (rendered with a contact or sample data)',
          params: Id,
          body: TestSendRequest,
          response: { 202: z.object({ data: SentMailSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) =>
          testSendTemplate(tx, records, actor, req.params.id, req.body?.contactId),
        );
        return reply.status(202).send({ data });
      },
    );

    app.get(
      '/api/v1/mail/outbox',
      {
        schema: {
          tags: ['mail'],
          summary: 'Outgoing mail: queued, held (no SMTP configured), sent, failed',
          querystring: OutboxQuery,
          response: { 200: OutboxPageSchema },
        },
      },
      async (req) => access.asAdmin(actorOf(req), (tx) => listOutbox(tx, req.query)),
    );

    app.get(
      '/api/v1/mail/outbox/:id',
      { schema: { tags: ['mail'], summary: 'One mail with its bodies', params: Id, response: { 200: Mail } } },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => getMail(tx, req.params.id)),
      }),
    );

    app.post(
      '/api/v1/mail/outbox/:id/retry',
      { schema: { tags: ['mail'], summary: 'Send a failed or held mail again', params: Id, response: { 200: Mail } } },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => retryMail(tx, req.params.id)),
      }),
    );
  };
}
