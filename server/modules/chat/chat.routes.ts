import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AgentClientMessage,
  ChatDetailResponse,
  ChatListQuery,
  ChatListResponse,
  ChatMessageResponse,
  ChatResponse,
  ChatSettingsRequest,
  ChatSettingsResponse,
  PostChatMessageBody,
  PresenceRequest,
  PresenceResponse,
  type TAgentServerMessage,
} from '../../../common/contracts/chat';
import { audit } from '../../platform/access/access.service';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import { originTrust } from '../../platform/http/origins';
import type { ModuleRouteDeps } from '../../platform/modules';
import type { ChatService } from './chat.service';
import { decodeChatFile, sendChatFile } from './chat-files';
import type { ChatHub } from './chat-hub';
import { assertChatAdmin, getChatSettings, updateChatSettings } from './chat-settings.service';

const tags = ['chat'];
const Id = z.object({ id: z.uuid('must be a chat id') }).strict();

/**
 * The agents' side of live chat: the settings (administrators), presence and capacity, the
 * queue and conversations, replies, read receipts, ending a chat, and the agent console's
 * WebSocket (`/api/v1/chat/stream`). Working chats needs update permission on tickets
 * (customer service representatives); reading them, read permission.
 */
export function chatRoutes(
  { config, database, records, secrets, callers }: ModuleRouteDeps,
  chat: ChatService,
  hub: ChatHub,
): FastifyPluginAsyncZod {
  const trusted = originTrust([config.baseUrl, ...config.corsOrigins]);
  return async (app) => {
    app.get(
      '/api/v1/chat/settings',
      {
        schema: {
          tags,
          summary: 'The live chat settings and the widget’s script tag',
          response: { 200: ChatSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await assertChatAdmin(tx, records, actor);
          return { data: await getChatSettings(tx, actor.workspaceId, config.baseUrl) };
        });
      },
    );

    app.post(
      '/api/v1/chat/settings',
      {
        schema: {
          tags,
          summary: 'Change the live chat settings (rotateIdentitySecret: true answers the new secret once)',
          body: ChatSettingsRequest,
          response: { 200: ChatSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await assertChatAdmin(tx, records, actor);
          const data = await updateChatSettings(tx, secrets, actor.workspaceId, config.baseUrl, req.body);
          const { rotateIdentitySecret, ...detail } = req.body;
          await audit(tx, actor, {
            action: 'chat.settings_changed',
            detail: { ...detail, rotatedIdentitySecret: rotateIdentitySecret === true },
          });
          return { data };
        });
      },
    );

    app.get(
      '/api/v1/chat/presence',
      { schema: { tags, summary: 'My chat presence, capacity and active chats', response: { 200: PresenceResponse } } },
      async (req) => ({ data: await chat.presence(actorOf(req)) }),
    );

    app.put(
      '/api/v1/chat/presence',
      {
        schema: {
          tags,
          summary: 'Go online, away or offline; change how many chats I take at once',
          body: PresenceRequest,
          response: { 200: PresenceResponse },
        },
      },
      async (req) => ({ data: await chat.setPresence(actorOf(req), req.body) }),
    );

    app.get(
      '/api/v1/chats',
      {
        schema: {
          tags,
          summary: 'Chats, newest first: the queue (status=waiting), mine, active, ended or turned into tickets',
          querystring: ChatListQuery,
          response: { 200: ChatListResponse },
        },
      },
      async (req) => ({ data: await chat.list(actorOf(req), req.query.status, req.query.interactionId) }),
    );

    app.get(
      '/api/v1/chats/:id',
      { schema: { tags, summary: 'A chat with its messages', params: Id, response: { 200: ChatDetailResponse } } },
      async (req) => ({ data: await chat.detail(actorOf(req), req.params.id) }),
    );

    app.post(
      '/api/v1/chats/:id/accept',
      { schema: { tags, summary: 'Take a waiting chat from the queue', params: Id, response: { 200: ChatResponse } } },
      async (req) => ({ data: await chat.accept(actorOf(req), req.params.id) }),
    );

    app.post(
      '/api/v1/chats/:id/messages',
      {
        schema: {
          tags,
          summary: 'Reply to the visitor, with files if any (a waiting chat is taken by whoever answers first)',
          params: Id,
          body: PostChatMessageBody,
          response: { 201: ChatMessageResponse },
        },
        // Three files of 5 MB, as base64.
        bodyLimit: 21 * 1024 * 1024,
      },
      async (req, reply) => {
        const files = (req.body.attachments ?? []).map((a, i) =>
          decodeChatFile(a.filename, a.contentBase64, `attachments.${i}.contentBase64`),
        );
        return reply.status(201).send({ data: await chat.reply(actorOf(req), req.params.id, req.body.body, files) });
      },
    );

    app.get(
      '/api/v1/chats/:id/attachments/:attachmentId',
      {
        schema: {
          tags,
          summary: 'Download a file sent in the chat (by the visitor or an agent)',
          params: z.object({ id: z.uuid('must be a chat id'), attachmentId: z.uuid('must be a file id') }).strict(),
        },
      },
      async (req, reply) =>
        sendChatFile(reply, await chat.agentDownload(actorOf(req), req.params.id, req.params.attachmentId)),
    );

    app.post(
      '/api/v1/chats/:id/read',
      { schema: { tags, summary: 'Mark the visitor’s messages read (a read receipt)', params: Id } },
      async (req, reply) => {
        await chat.agentRead(actorOf(req), req.params.id);
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/chats/:id/end',
      {
        schema: {
          tags,
          summary: 'End the chat: the transcript goes on the contact’s timeline',
          params: Id,
          response: { 200: ChatResponse },
        },
      },
      async (req) => ({ data: await chat.agentEnd(actorOf(req), req.params.id) }),
    );

    app.get(
      '/api/v1/chat/stream',
      {
        websocket: true,
        schema: { tags, summary: 'WebSocket: the agent console’s live chats (messages, typing, read receipts, queue)' },
        preValidation: async (req) => {
          const origin = req.headers.origin;
          if (req.headers.cookie && !req.headers.authorization && origin && !trusted(origin, req.headers.host)) {
            throw new AppError('csrf_rejected', 'WebSocket connections with cookies must come from this site');
          }
          const actor = actorOf(req);
          if (!actor.userId) throw new AppError('forbidden', 'Chats are answered by people; this API key has none');
          if (!(await chat.mayRead(actor))) throw new AppError('forbidden', 'Your role may not read chats');
        },
      },
      async (socket, req) => {
        const actor = actorOf(req);
        const credentials = {
          cookie: req.headers.cookie,
          authorization: req.headers.authorization,
          'rapport-workspace': req.headers['rapport-workspace'],
        };
        hub.addAgent(socket, actor, async () => {
          if (!callers) return true;
          const now = await callers.resolve(credentials);
          return now?.userId === actor.userId && now.workspaceId === actor.workspaceId;
        });
        socket.on('message', (raw) => {
          let parsed: ReturnType<typeof AgentClientMessage.safeParse>;
          try {
            parsed = AgentClientMessage.safeParse(JSON.parse(String(raw)));
          } catch {
            return;
          }
          if (!parsed.success) return;
          const m = parsed.data;
          void chat.typing(actor.workspaceId, m.conversationId, 'agent', m.typing).catch(() => {});
        });
        const presence = await chat.presence(actor).catch(() => null);
        if (presence && socket.readyState === socket.OPEN)
          socket.send(JSON.stringify({ type: 'hello', presence } satisfies TAgentServerMessage));
      },
    );
  };
}
