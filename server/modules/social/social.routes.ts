import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import {
  SocialAssignRequest,
  SocialAssignResponse,
  SocialConnectionCreated,
  SocialConnectionList,
  SocialConnectionRequest,
  SocialConnectionResponse,
  SocialConnectionUpdate,
  SocialConvertRequest,
  SocialConvertResponse,
  SocialEventList,
  SocialEventQuery,
  SocialReplyRequest,
  SocialReplyResponse,
  SocialSettingsResponse,
  SocialSettingsSchema,
  SocialStatsQuery,
  SocialStatsResponse,
  SocialWindowResponse,
} from '../../../common/contracts/social';
import { actorOf } from '../../platform/http/context';
import { notFound } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { ListQuery, objectSchemas, PageSchema } from '../../platform/records/api-schemas';
import { parseFilter } from '../../platform/records/records.routes';
import { signatureHeader } from '../../platform/webhooks/signing';
import { assignThread } from './assign';
import {
  createConnection,
  deleteConnection,
  getConnection,
  getKeywords,
  listConnections,
  openConnection,
  presentConnection,
  setKeywords,
  updateConnection,
  webhookUrl,
} from './connections.service';
import { convertMessage } from './convert';
import { PROCESS_QUEUE } from './ingest';
import { replayEvents } from './processor';
import { metaSignature, xSignature } from './providers';
import { type ReplyDeps, reply, retryReply, windowOf } from './replies';
import { socialMessagesObject } from './social-messages.object';
import { socialStats } from './stats';

const tags = ['Social'];
const params = z.object({ id: z.uuid() }).strict();
const passthrough = () => (data: unknown) => JSON.stringify(data);
const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

/** A test event in the network's own format, as the provider would send it (the "send a test event" button). */
function testDelivery(network: string, pageId: string, nowMs: number): Record<string, unknown> {
  const mid = `m_rapport_test_${nowMs}`;
  if (network === 'facebook' || network === 'instagram')
    return {
      object: network === 'facebook' ? 'page' : 'instagram',
      entry: [
        {
          id: pageId,
          time: nowMs,
          messaging: [
            {
              sender: { id: 'rapport-test-sender' },
              recipient: { id: pageId },
              timestamp: nowMs,
              message: { mid, text: 'A test event from Rapport: the connection works.' },
            },
          ],
        },
      ],
    };
  if (network === 'x')
    return {
      for_user_id: pageId,
      direct_message_events: [
        {
          type: 'message_create',
          id: mid,
          created_timestamp: String(nowMs),
          message_create: {
            target: { recipient_id: pageId },
            sender_id: 'rapport-test-sender',
            message_data: { text: 'A test event from Rapport: the connection works.' },
          },
        },
      ],
    };
  return {
    events: [
      {
        id: mid,
        kind: 'message',
        author: { id: 'rapport-test-sender' },
        text: 'A test event from Rapport: the connection works.',
      },
    ],
  };
}

/** Connections, keywords, raw events (administrators); social messages, replies and one-step actions. */
export function socialRoutes(deps: ModuleRouteDeps): FastifyPluginAsyncZod {
  const { config, database, records, secrets, jobs, now } = deps;
  const replyDeps: ReplyDeps = {
    database,
    records,
    secrets,
    now,
    urls: { metaGraphUrl: config.metaGraphUrl, xApiUrl: config.xApiUrl, timeoutMs: config.webhookTimeoutMs },
  };
  const schemas = objectSchemas(socialMessagesObject);
  return async (app) => {
    // ---- connections (administrators) --------------------------------------
    app.post(
      '/api/v1/social/connections',
      {
        schema: {
          tags,
          summary: 'Connect a Facebook Page, an Instagram account, an X account or a generic source',
          description:
            'Secrets are stored encrypted and never returned. Answers the webhook URL to paste at the provider.',
          body: SocialConnectionRequest,
          response: { 201: SocialConnectionCreated },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const id = await database.tenant(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          return createConnection(tx, secrets, actor, req.body);
        });
        return reply
          .status(201)
          .header('location', `/api/v1/social/connections/${id}`)
          .send({ data: { id, webhookUrl: webhookUrl(config.baseUrl, id) } });
      },
    );

    app.get(
      '/api/v1/social/connections',
      {
        schema: {
          tags,
          summary: 'The workspace’s social connections (token state included)',
          response: { 200: SocialConnectionList },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          return { data: (await listConnections(tx)).map((r) => presentConnection(r, config.baseUrl)) };
        });
      },
    );

    app.get(
      '/api/v1/social/connections/:id',
      { schema: { tags, summary: 'A social connection', params, response: { 200: SocialConnectionResponse } } },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          return { data: presentConnection(await getConnection(tx, req.params.id), config.baseUrl) };
        });
      },
    );

    app.patch(
      '/api/v1/social/connections/:id',
      {
        schema: {
          tags,
          summary: 'Change a connection: a new access token (clears an expired one), rotated secrets, on/off',
          params,
          body: SocialConnectionUpdate,
          response: { 200: SocialConnectionResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          await updateConnection(tx, secrets, req.params.id, req.body);
          return { data: presentConnection(await getConnection(tx, req.params.id), config.baseUrl) };
        });
      },
    );

    app.delete(
      '/api/v1/social/connections/:id',
      { schema: { tags, summary: 'Disconnect (its raw events go; its messages stay)', params } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          await deleteConnection(tx, req.params.id);
        });
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/social/connections/:id/test',
      {
        schema: {
          tags,
          summary: 'Send a test event: a signed delivery in the network’s format, through the connection’s own webhook',
          params,
          response: { 200: z.object({ data: z.object({ status: z.number(), body: z.string() }) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const conn = await database.tenantRead(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          return openConnection(secrets, await getConnection(tx, req.params.id));
        });
        const body = JSON.stringify(testDelivery(conn.network, conn.externalId, now().getTime()));
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (conn.network === 'facebook' || conn.network === 'instagram')
          headers['x-hub-signature-256'] = metaSignature(conn.appSecret, body);
        else if (conn.network === 'x') headers['x-twitter-webhooks-signature'] = xSignature(conn.appSecret, body);
        else headers['rapport-signature'] = signatureHeader(conn.appSecret, body, Math.floor(now().getTime() / 1000));
        const res = await app.inject({ method: 'POST', url: `/social/webhooks/${conn.id}`, headers, payload: body });
        return { data: { status: res.statusCode, body: res.body.slice(0, 500) } };
      },
    );

    // ---- keywords ----------------------------------------------------------
    app.get(
      '/api/v1/social/settings',
      {
        schema: {
          tags,
          summary: 'Brand names and keywords flagged in social messages',
          response: { 200: SocialSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await records.context(tx, actor, 'social_messages', 'read');
          return { data: { keywords: await getKeywords(tx) } };
        });
      },
    );

    app.put(
      '/api/v1/social/settings',
      {
        schema: {
          tags,
          summary: 'Set the flagged keywords (administrators); new messages are flagged with them',
          body: SocialSettingsSchema.strict(),
          response: { 200: SocialSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          return { data: { keywords: await setKeywords(tx, actor.workspaceId, req.body.keywords) } };
        });
      },
    );

    // ---- raw events (administrators) ---------------------------------------
    app.get(
      '/api/v1/social/events',
      {
        schema: {
          tags,
          summary: 'Webhook items as received, newest first (rejected ones with the reason)',
          querystring: SocialEventQuery,
          response: { 200: SocialEventList },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          const q = req.query;
          const { rows } = await sql<Record<string, unknown>>`
            select id, connection_id, provider_event_id, status, reason, message_id, received_at, processed_at, payload
            from social_events where workspace_id = rapport_workspace()
              and (${q.status ?? null}::text is null or status = ${q.status ?? null})
              and (${q.connectionId ?? null}::uuid is null or connection_id = ${q.connectionId ?? null}::uuid)
            order by received_at desc, id desc limit ${q.limit}`.execute(tx);
          return {
            data: rows.map((r) => ({
              id: String(r.id),
              connectionId: String(r.connection_id),
              providerEventId: String(r.provider_event_id),
              status: r.status as 'pending',
              reason: (r.reason as string | null) ?? null,
              messageId: (r.message_id as string | null) ?? null,
              receivedAt: new Date(r.received_at as Date).toISOString(),
              processedAt: r.processed_at ? new Date(r.processed_at as Date).toISOString() : null,
              payload: String(r.payload),
            })),
          };
        });
      },
    );

    app.post(
      '/api/v1/social/events/:id/replay',
      {
        schema: {
          tags,
          summary: 'Process a stored webhook item again (it creates nothing twice: messages are unique by provider id)',
          params,
          response: { 202: z.object({ data: z.object({ id: z.string(), status: z.literal('pending') }) }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, async (tx) => {
          await records.access.assertAdmin(tx, actor);
          const { rows } = await sql`select 1 from social_events
            where workspace_id = rapport_workspace() and id = ${req.params.id}::uuid`.execute(tx);
          if (!rows[0]) throw notFound('Social event');
          await replayEvents(tx, [req.params.id]);
          await jobs.enqueue(tx, {
            queue: PROCESS_QUEUE,
            workspaceId: actor.workspaceId,
            key: `${req.params.id}:replay:${now().getTime()}`,
            payload: { eventId: req.params.id },
          });
        });
        return reply.status(202).send({ data: { id: req.params.id, status: 'pending' as const } });
      },
    );

    // ---- messages ----------------------------------------------------------
    app.get(
      '/api/v1/social/messages',
      {
        schema: {
          tags,
          summary: 'The social inbox: social messages (the social_messages list, with its filters, sort and pages)',
          querystring: ListQuery,
          response: {
            200: z.object({ data: z.array(schemas.record), page: PageSchema, total: z.number().optional() }),
          },
        },
        serializerCompiler: passthrough,
      },
      async (req) => {
        const actor = actorOf(req);
        const q = req.query;
        return database.tenantRead(actor.workspaceId, (tx) =>
          records.list(tx, actor, 'social_messages', {
            filter: parseFilter(q.filter),
            sort: q.sort,
            limit: q.limit,
            cursor: q.cursor,
            offset: q.offset,
            fields: q.fields,
            include: list(q.include),
            count: q.count === 'true',
          }),
        );
      },
    );

    app.get(
      '/api/v1/social/stats',
      {
        schema: {
          tags,
          summary:
            'Brand mentions dashboard: volume by network and day, sentiment, top authors, unanswered, response time',
          querystring: SocialStatsQuery,
          response: { 200: SocialStatsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => ({
          data: await socialStats(tx, records, actor, req.query.days, now()),
        }));
      },
    );

    app.get(
      '/api/v1/social/messages/:id/window',
      {
        schema: {
          tags,
          summary: 'The reply window of the message’s conversation',
          params,
          response: { 200: SocialWindowResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => ({
          data: await windowOf(tx, records, actor, req.params.id, now()),
        }));
      },
    );

    app.post(
      '/api/v1/social/messages/:id/reply',
      {
        schema: {
          tags,
          summary: 'Reply through the network (its reply window enforced); a failed reply is kept for retry',
          params,
          body: SocialReplyRequest,
          response: { 201: SocialReplyResponse },
        },
      },
      async (req, res) => {
        const actor = actorOf(req);
        const data = await reply(replyDeps, actor, req.params.id, req.body.text);
        return res.status(201).send({ data });
      },
    );

    app.post(
      '/api/v1/social/messages/:id/retry',
      {
        schema: { tags, summary: 'Send a failed reply again', params, response: { 200: SocialReplyResponse } },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await retryReply(replyDeps, actor, req.params.id) };
      },
    );

    app.post(
      '/api/v1/social/messages/:id/assign',
      {
        schema: {
          tags,
          summary: 'Assign the message’s conversation (every message of its thread) to a person and/or a team',
          description:
            'null clears. New messages of the conversation inherit the assignment. An unknown user or team: 422 naming the field.',
          params,
          body: SocialAssignRequest,
          response: { 200: SocialAssignResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenant(actor.workspaceId, (tx) =>
            assignThread(tx, records, actor, req.params.id, req.body),
          ),
        };
      },
    );

    app.post(
      '/api/v1/social/messages/:id/convert',
      {
        schema: {
          tags,
          summary: 'Make a lead, a contact, a ticket or a task of a social message in one step',
          params,
          body: SocialConvertRequest,
          response: { 201: SocialConvertResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          convertMessage(tx, records, actor, req.params.id, req.body.to),
        );
        return reply.status(201).send({ data });
      },
    );
  };
}
