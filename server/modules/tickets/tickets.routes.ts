import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BusinessCalendarInput,
  BusinessCalendarPatch,
  BusinessCalendarSchema,
  MergeTicketBody,
  PostTicketMessageBody,
  ServiceSettingsPatch,
  ServiceSettingsSchema,
  SlaPolicyInput,
  SlaPolicyPatch,
  SlaPolicySchema,
  TicketMessageSchema,
  TicketMessagesSchema,
} from '../../../common/contracts/tickets';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import { csatRoutes } from './csat.routes';
import { serviceDeskRoutes } from './service-desk.routes';
import {
  createCalendar,
  createSlaPolicy,
  deleteCalendar,
  deleteSlaPolicy,
  getCalendar,
  getSlaPolicy,
  listCalendars,
  listSlaPolicies,
  serviceSettings,
  updateCalendar,
  updateServiceSettings,
  updateSlaPolicy,
} from './sla-policies.service';
import { domainOf } from './thread-text';
import { listTicketMessages, mergeTicket, postTicketMessage } from './ticket-messages.service';

const IdParam = z.object({ id: z.uuid() }).strict();
const tags = ['Tickets'];

/** A ticket's conversation and merge; SLA policies, business calendars and service settings (administrators). */
export function ticketRoutes(deps: ModuleRouteDeps): FastifyPluginAsyncZod {
  const { database, records, config } = deps;
  const mailDomain = domainOf(config.mailFrom);
  return async (app) => {
    await app.register(csatRoutes({ database, records }));
    await app.register(serviceDeskRoutes(deps));

    app.get(
      '/api/v1/tickets/:id/messages',
      {
        schema: {
          tags,
          summary: 'The ticket’s conversation in order: public replies, internal notes and inbound mail',
          params: IdParam,
          response: { 200: TicketMessagesSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) =>
          listTicketMessages(tx, actor, records, req.params.id),
        );
        return { data };
      },
    );

    app.post(
      '/api/v1/tickets/:id/messages',
      {
        // Attachments come base64 in the body: 10 MB of files is about 13.4 MB of text.
        bodyLimit: 15 * 1024 * 1024,
        schema: {
          tags,
          summary:
            'Add a public reply (emailed to the ticket’s contact, threaded with Message-ID / In-Reply-To / References, ' +
            'subject "[#n] Subject") or an internal note (never sent; @mentions notify)',
          params: IdParam,
          body: PostTicketMessageBody,
          response: { 201: z.object({ data: TicketMessageSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          postTicketMessage(tx, actor, records, req.params.id, req.body, { mailDomain }),
        );
        return reply.status(201).send({ data });
      },
    );

    app.post(
      '/api/v1/tickets/:id/merge',
      {
        schema: {
          tags,
          summary: 'Merge this ticket into another: its messages move there, it is closed with a link (mergedIntoId)',
          params: IdParam,
          body: MergeTicketBody,
          response: { 200: z.object({ data: z.record(z.string(), z.unknown()) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          mergeTicket(tx, actor, records, req.params.id, req.body.intoId),
        );
        return { data };
      },
    );

    // SLA policies and calendars: every member reads them (the ticket page shows them), administrators change them.
    app.get(
      '/api/v1/sla-policies',
      {
        schema: {
          tags,
          summary: 'SLA policies, in order',
          response: { 200: z.object({ data: z.array(SlaPolicySchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, listSlaPolicies) };
      },
    );
    app.get(
      '/api/v1/sla-policies/:id',
      {
        schema: {
          tags,
          summary: 'One SLA policy',
          params: IdParam,
          response: { 200: z.object({ data: SlaPolicySchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => getSlaPolicy(tx, req.params.id)) };
      },
    );
    app.post(
      '/api/v1/sla-policies',
      {
        schema: {
          tags,
          summary: 'Create an SLA policy (administrators); no calendar = around the clock',
          body: SlaPolicyInput,
          response: { 201: z.object({ data: SlaPolicySchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await records.access.asAdmin(actor, (tx) => createSlaPolicy(tx, actor.workspaceId, req.body));
        return reply.status(201).send({ data });
      },
    );
    app.patch(
      '/api/v1/sla-policies/:id',
      {
        schema: {
          tags,
          summary: 'Change an SLA policy (administrators); tickets take it on their next change',
          params: IdParam,
          body: SlaPolicyPatch,
          response: { 200: z.object({ data: SlaPolicySchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await records.access.asAdmin(actor, (tx) => updateSlaPolicy(tx, req.params.id, req.body)) };
      },
    );
    app.delete(
      '/api/v1/sla-policies/:id',
      { schema: { tags, summary: 'Delete an SLA policy (administrators)', params: IdParam } },
      async (req, reply) => {
        const actor = actorOf(req);
        await records.access.asAdmin(actor, (tx) => deleteSlaPolicy(tx, req.params.id));
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/business-calendars',
      {
        schema: {
          tags,
          summary: 'Business-hours calendars',
          response: { 200: z.object({ data: z.array(BusinessCalendarSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, listCalendars) };
      },
    );
    app.get(
      '/api/v1/business-calendars/:id',
      {
        schema: {
          tags,
          summary: 'One business-hours calendar',
          params: IdParam,
          response: { 200: z.object({ data: BusinessCalendarSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => getCalendar(tx, req.params.id)) };
      },
    );
    app.post(
      '/api/v1/business-calendars',
      {
        schema: {
          tags,
          summary: 'Create a business-hours calendar: time zone, weekly hours, holidays (administrators)',
          body: BusinessCalendarInput,
          response: { 201: z.object({ data: BusinessCalendarSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await records.access.asAdmin(actor, (tx) => createCalendar(tx, actor.workspaceId, req.body));
        return reply.status(201).send({ data });
      },
    );
    app.patch(
      '/api/v1/business-calendars/:id',
      {
        schema: {
          tags,
          summary: 'Change a business-hours calendar (administrators)',
          params: IdParam,
          body: BusinessCalendarPatch,
          response: { 200: z.object({ data: BusinessCalendarSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await records.access.asAdmin(actor, (tx) => updateCalendar(tx, req.params.id, req.body)) };
      },
    );
    app.delete(
      '/api/v1/business-calendars/:id',
      {
        schema: {
          tags,
          summary: 'Delete a business-hours calendar (its policies count around the clock)',
          params: IdParam,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await records.access.asAdmin(actor, (tx) => deleteCalendar(tx, req.params.id));
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/service/ticket-settings',
      {
        schema: {
          tags,
          summary: 'Ticket settings: acknowledgement of new tickets by email, satisfaction surveys',
          response: { 200: z.object({ data: ServiceSettingsSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, serviceSettings) };
      },
    );
    app.patch(
      '/api/v1/service/ticket-settings',
      {
        schema: {
          tags,
          summary: 'Change the ticket settings (administrators)',
          body: ServiceSettingsPatch,
          response: { 200: z.object({ data: ServiceSettingsSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await records.access.asAdmin(actor, (tx) => updateServiceSettings(tx, actor.workspaceId, req.body)),
        };
      },
    );
  };
}
