import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AgentListResponse,
  AgentPresenceRequest,
  AgentResponse,
  AgentUpdateRequest,
  DialResponse,
  DialSchema,
  IvrFlowListResponse,
  IvrFlowResponse,
  IvrFlowSaveSchema,
  PhoneNumberCreateSchema,
  PhoneNumberListResponse,
  PhoneNumberResponse,
  PhoneNumberUpdateSchema,
  QueueDaysQuery,
  QueueDaysRecount,
  QueueDaysRecountResponse,
  QueueDaysResponse,
  QueueStatsResponse,
  ScreenPopSchema,
  WrapUpResponse,
  WrapUpSchema,
} from '../../../common/contracts/telephony';
import { actorOf } from '../../platform/http/context';
import { notFound } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { assertCalls, listAgents, queueStats, setPresence, updateAgent, wrapUp } from './agents';
import { dayRange, listQueueDays, recountQueueDays } from './queue-days';
import { screenPop } from './screen-pop';
import type { TelephonyService } from './telephony.service';

const tags = ['Telephony'];
const Id = z.object({ id: z.uuid('must be an id') }).strict();

/**
 * The contact centre's API: phone numbers and IVR flows (administrators) and click-to-call
 * (anyone who may create calls). Calls themselves are the generic record API (`/api/v1/calls`).
 */
export function telephonyRoutes(service: TelephonyService, deps: ModuleRouteDeps): FastifyPluginAsyncZod {
  const { database, records, now } = deps;
  return async (app) => {
    app.get(
      '/api/v1/telephony/agents',
      {
        schema: {
          tags,
          summary: 'The contact centre’s agents: presence, phone, skills (queues), idle since',
          response: { 200: AgentListResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await assertCalls(tx, records, actor, 'read');
          return { data: await listAgents(tx) };
        });
      },
    );

    app.put(
      '/api/v1/telephony/agents/me',
      {
        schema: {
          tags,
          summary: 'Set my presence (available, busy, wrap_up, offline), the phone routed calls ring and my queues',
          body: AgentPresenceRequest,
          response: { 200: AgentResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await assertCalls(tx, records, actor, 'update');
          return { data: await setPresence(tx, actor, req.body) };
        });
      },
    );

    app.patch(
      '/api/v1/telephony/agents/:userId',
      {
        schema: {
          tags,
          summary: 'Set an agent’s routing priority (1 first, 9 last) and queues (administrators)',
          params: z.object({ userId: z.uuid('must be an id') }).strict(),
          body: AgentUpdateRequest,
          response: { 200: AgentResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          return { data: await updateAgent(tx, actor.workspaceId, req.params.userId, req.body) };
        });
      },
    );

    app.get(
      '/api/v1/telephony/queues/stats',
      {
        schema: {
          tags,
          summary:
            'Per queue: waiting now, longest wait, agents available; today answered, abandoned, average handle time',
          response: { 200: QueueStatsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => ({
          data: await queueStats(tx, records, actor, now()),
        }));
      },
    );

    app.get(
      '/api/v1/telephony/queues/daily',
      {
        schema: {
          tags,
          summary:
            'Per day (UTC) and queue: offered, answered, abandoned, average wait and handle time (stored; for whoever reads every call)',
          querystring: QueueDaysQuery,
          response: { 200: QueueDaysResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const [from, to] = dayRange(req.query, now());
        return database.tenantRead(actor.workspaceId, async (tx) => ({
          data: await listQueueDays(tx, records, actor, from, to, { queue: req.query.queue }),
          from,
          to,
        }));
      },
    );

    app.post(
      '/api/v1/telephony/queues/daily/recount',
      {
        schema: {
          tags,
          summary: 'Count the daily queue statistics of a period again from the calls (administrators; idempotent)',
          body: QueueDaysRecount,
          response: { 200: QueueDaysRecountResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const [from, to] = dayRange(req.body, now());
        return database.tenant(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          return { data: { from, to, rows: await recountQueueDays(tx, records, actor.workspaceId, from, to) } };
        });
      },
    );

    app.get(
      '/api/v1/calls/:id/screen-pop',
      {
        schema: {
          tags,
          summary: 'The screen-pop of a call routed to me (as pushed on the notifications socket)',
          params: Id,
          response: { 200: z.object({ data: ScreenPopSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const pop = await database.tenantRead(actor.workspaceId, (tx) => screenPop(tx, records, actor, req.params.id));
        if (!pop) throw notFound('Call');
        return { data: pop };
      },
    );

    app.post(
      '/api/v1/calls/:id/wrap-up',
      {
        schema: {
          tags,
          summary:
            'Wrap up a call: disposition and notes, an optional follow-up task on the caller’s record; available again',
          params: Id,
          body: WrapUpSchema,
          response: { 200: WrapUpResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenant(actor.workspaceId, (tx) => wrapUp(tx, records, actor, req.params.id, req.body)),
        };
      },
    );

    app.get(
      '/api/v1/telephony/numbers',
      { schema: { tags, summary: 'The workspace’s phone numbers', response: { 200: PhoneNumberListResponse } } },
      async (req) => ({ data: await service.listNumbers(actorOf(req)) }),
    );

    app.post(
      '/api/v1/telephony/numbers',
      {
        schema: {
          tags,
          summary: 'Add a phone number: answers with the URLs to give the provider (the auth token is never returned)',
          body: PhoneNumberCreateSchema,
          response: { 201: PhoneNumberResponse },
        },
      },
      async (req, reply) => reply.status(201).send({ data: await service.createNumber(actorOf(req), req.body) }),
    );

    app.patch(
      '/api/v1/telephony/numbers/:id',
      {
        schema: {
          tags,
          summary: 'Rename a number, change its IVR flow or its auth token',
          params: Id,
          body: PhoneNumberUpdateSchema,
          response: { 200: PhoneNumberResponse },
        },
      },
      async (req) => ({ data: await service.updateNumber(actorOf(req), req.params.id, req.body) }),
    );

    app.delete(
      '/api/v1/telephony/numbers/:id',
      { schema: { tags, summary: 'Remove a phone number (its calls stay)', params: Id } },
      async (req, reply) => {
        await service.deleteNumber(actorOf(req), req.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/telephony/flows',
      {
        schema: {
          tags,
          summary: 'The IVR flows (the default one first made when missing)',
          response: { 200: IvrFlowListResponse },
        },
      },
      async (req) => ({ data: await service.listFlows(actorOf(req)) }),
    );

    app.post(
      '/api/v1/telephony/flows',
      {
        schema: { tags, summary: 'Create an IVR flow', body: IvrFlowSaveSchema, response: { 201: IvrFlowResponse } },
      },
      async (req, reply) => reply.status(201).send({ data: await service.createFlow(actorOf(req), req.body) }),
    );

    app.put(
      '/api/v1/telephony/flows/:id',
      {
        schema: {
          tags,
          summary: 'Save a new version of an IVR flow (calls under way keep theirs)',
          params: Id,
          body: IvrFlowSaveSchema,
          response: { 200: IvrFlowResponse },
        },
      },
      async (req) => ({ data: await service.saveFlow(actorOf(req), req.params.id, req.body) }),
    );

    app.post(
      '/api/v1/calls/dial',
      {
        schema: {
          tags,
          summary: 'Click-to-call: the agent’s phone rings, then the customer’s',
          body: DialSchema,
          response: { 201: DialResponse },
        },
      },
      async (req, reply) => reply.status(201).send({ data: await service.dial(actorOf(req), req.body) }),
    );
  };
}
