import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AppliedMacroSchema,
  AssignTicketBody,
  MacroInput,
  MacroPatch,
  MacroSchema,
  PresenceBody,
  PresenceSchema,
  ServiceAgentPatch,
  ServiceAgentsResponse,
  ServiceSummarySchema,
  TicketQueueCounts,
  TicketQueueQuery,
  TicketQueueResponse,
} from '../../../common/contracts/service-desk';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import { assignRoundRobin, listAgents, setCapacity } from './ticket-assignment';
import { contentDisposition, readAttachment } from './ticket-attachments';
import {
  applyMacro,
  createMacro,
  deleteMacro,
  getMacro,
  listMacros,
  requireTicketAccess,
  updateMacro,
} from './ticket-macros.service';
import { beat, leave, others } from './ticket-presence';
import { listQueue, queueCounts, serviceSummary } from './ticket-queues';

const IdParam = z.object({ id: z.uuid() }).strict();
const tags = ['Tickets'];
const Record = z.record(z.string(), z.unknown());

/**
 * The service desk's working tools over tickets: queues, round-robin assignment and agent
 * capacity, macros, presence (collision warning), attachment downloads, and a contact's
 * or account's service summary.
 */
export function serviceDeskRoutes({ database, records, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/tickets/queue',
      {
        schema: {
          tags,
          summary: 'A working queue: my open tickets, unassigned ones, or those breaching soon',
          querystring: TicketQueueQuery,
          response: { 200: TicketQueueResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, (tx) => listQueue(tx, actor, records, req.query, now()));
      },
    );
    app.get(
      '/api/v1/tickets/queues',
      {
        schema: { tags, summary: 'How many tickets each queue holds for you', response: { 200: TicketQueueCounts } },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => queueCounts(tx, actor, records, now())) };
      },
    );

    app.post(
      '/api/v1/tickets/:id/assign',
      {
        schema: {
          tags,
          summary: 'Assign to the next agent of a team with room (round robin, capacity respected)',
          params: IdParam,
          body: AssignTicketBody,
          response: { 200: z.object({ data: Record }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          assignRoundRobin(tx, actor, records, req.params.id, req.body.teamId),
        );
        return { data };
      },
    );
    app.get(
      '/api/v1/service/agents',
      {
        schema: {
          tags,
          summary: 'Members with their capacity and open tickets (members who may read tickets)',
          response: { 200: ServiceAgentsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          await requireTicketAccess(tx, records, actor, false);
          return listAgents(tx, records, actor.workspaceId);
        });
        return { data };
      },
    );
    app.patch(
      '/api/v1/service/agents/:id',
      {
        schema: {
          tags,
          summary: 'Set how many open tickets an agent may hold (administrators); null = no limit',
          params: IdParam,
          body: ServiceAgentPatch,
          response: { 200: ServiceAgentsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await records.access.asAdmin(actor, async (tx) => {
          await setCapacity(tx, actor.workspaceId, req.params.id, req.body.capacity);
          return listAgents(tx, records, actor.workspaceId);
        });
        return { data };
      },
    );

    app.get(
      '/api/v1/ticket-macros',
      {
        schema: {
          tags,
          summary: 'Macros (canned replies), by name',
          response: { 200: z.object({ data: z.array(MacroSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          await requireTicketAccess(tx, records, actor, false);
          return listMacros(tx);
        });
        return { data };
      },
    );
    app.get(
      '/api/v1/ticket-macros/:id',
      {
        schema: { tags, summary: 'One macro', params: IdParam, response: { 200: z.object({ data: MacroSchema }) } },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          await requireTicketAccess(tx, records, actor, false);
          return getMacro(tx, req.params.id);
        });
        return { data };
      },
    );
    app.post(
      '/api/v1/ticket-macros',
      {
        schema: {
          tags,
          summary: 'Create a macro (members who work tickets); the body may use {{ variables }}',
          body: MacroInput,
          response: { 201: z.object({ data: MacroSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          await requireTicketAccess(tx, records, actor, true);
          return createMacro(tx, actor, req.body);
        });
        return reply.status(201).header('location', `/api/v1/ticket-macros/${data.id}`).send({ data });
      },
    );
    app.patch(
      '/api/v1/ticket-macros/:id',
      {
        schema: {
          tags,
          summary: 'Change a macro (members who work tickets)',
          params: IdParam,
          body: MacroPatch,
          response: { 200: z.object({ data: MacroSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          await requireTicketAccess(tx, records, actor, true);
          return updateMacro(tx, req.params.id, req.body);
        });
        return { data };
      },
    );
    app.delete(
      '/api/v1/ticket-macros/:id',
      { schema: { tags, summary: 'Delete a macro (members who work tickets)', params: IdParam } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, async (tx) => {
          await requireTicketAccess(tx, records, actor, true);
          await deleteMacro(tx, req.params.id);
        });
        return reply.status(204).send();
      },
    );
    app.post(
      '/api/v1/tickets/:id/macros/:macroId/apply',
      {
        schema: {
          tags,
          summary: 'A macro filled in with the ticket’s values, to edit and send (nothing is sent or changed)',
          params: z.object({ id: z.uuid(), macroId: z.uuid() }).strict(),
          response: { 200: AppliedMacroSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) =>
          applyMacro(tx, actor, records, req.params.id, req.params.macroId),
        );
        return { data };
      },
    );

    app.put(
      '/api/v1/tickets/:id/presence',
      {
        schema: {
          tags,
          summary: 'I am viewing / replying to this ticket (a heartbeat, every 15 s); answers who else is',
          params: IdParam,
          body: PresenceBody,
          response: { 200: PresenceSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          beat(tx, actor, records, req.params.id, req.body.state),
        );
        return { data };
      },
    );
    app.get(
      '/api/v1/tickets/:id/presence',
      {
        schema: {
          tags,
          summary: 'Who else is viewing or replying to this ticket',
          params: IdParam,
          response: { 200: PresenceSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) => others(tx, actor, records, req.params.id));
        return { data };
      },
    );
    app.delete(
      '/api/v1/tickets/:id/presence',
      { schema: { tags, summary: 'I left this ticket', params: IdParam } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => leave(tx, actor, records, req.params.id));
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/tickets/:id/attachments/:attachmentId',
      {
        schema: {
          tags,
          summary: 'Download an attachment of the ticket’s conversation (its readers)',
          params: z.object({ id: z.uuid(), attachmentId: z.uuid() }).strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const file = await database.tenantRead(actor.workspaceId, (tx) =>
          readAttachment(tx, actor, records, req.params.id, req.params.attachmentId),
        );
        return reply
          .header('content-type', file.contentType)
          .header('content-disposition', contentDisposition(file.filename))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
          .send(file.content);
      },
    );

    for (const object of ['contacts', 'accounts'] as const) {
      app.get(
        `/api/v1/${object}/:id/service-summary`,
        {
          schema: {
            tags,
            summary: `The ${object === 'contacts' ? 'contact' : 'account'}’s open tickets with their SLA state and CSAT history`,
            params: IdParam,
            response: { 200: z.object({ data: ServiceSummarySchema }) },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          const data = await database.tenantRead(actor.workspaceId, (tx) =>
            serviceSummary(tx, actor, records, object, req.params.id, now()),
          );
          return { data };
        },
      );
    }
  };
}
