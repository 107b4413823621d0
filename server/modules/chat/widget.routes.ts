import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import {
  type TChatPublicConfig,
  type TVisitorServerMessage,
  VisitorClientMessage,
  VisitorFileUpload,
} from '../../../common/contracts/chat';
import { AppError } from '../../platform/http/errors';
import { hit } from '../../platform/http/rate-limits';
import type { ModuleRouteDeps } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import type { ChatService } from './chat.service';
import { decodeChatFile, sendChatFile } from './chat-files';
import type { ChatHub } from './chat-hub';
import { originAllowed, siteOfKey, type WidgetSite } from './chat-settings.service';
import { CHAT_WIDGET_ETAG, CHAT_WIDGET_SCRIPT } from './chat-widget';

/** Frames a visitor's socket may send per window before it is closed (typing included). */
export const SOCKET_FRAMES = { max: 60, windowMs: 10_000 };
/** Offline-form tickets one socket may open (each is a ticket and a contact). */
const OFFLINE_PER_SOCKET = 2;
/** Offline-form tickets per address (counted in the database, so every app server agrees). */
export const OFFLINE_LIMIT = { max: 5, windowSeconds: 3600 };

/** The visitor's resume token when downloading a file (a header: never in a URL that logs keep). */
export const TOKEN_HEADER = 'x-rapport-chat-token';

const KeyQuery = z.object({ key: z.string().max(64).optional().default('') });

/** What an unknown or disabled key, or a site not allowed, learns: the same as a chat that is off. */
const OFF: TChatPublicConfig = { enabled: false, online: false, colour: '#1864ab', greeting: '' };

const send = (socket: WebSocket, m: TVisitorServerMessage) => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
};

/**
 * The public side of live chat: the widget script (`GET /chat/widget.js`), its settings
 * (`GET /chat/config`), the visitor's WebSocket (`GET /chat/socket`), the visitor's files
 * (`POST /chat/files`, `GET /chat/files/{id}`, with the conversation's token) and a demo page
 * (`GET /chat/demo`). Each is rate-limited per address; an unknown key, a chat that is off
 * and a site not in the allowed origins are answered alike.
 */
export function widgetRoutes(
  { config, database, secrets }: ModuleRouteDeps,
  chat: ChatService,
  hub: ChatHub,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/chat/widget.js',
      { config: { public: true }, schema: { hide: true } },
      async (req: FastifyRequest, reply: FastifyReply) => {
        reply
          .header('content-type', 'application/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .header('etag', CHAT_WIDGET_ETAG)
          // Loaded by other sites' pages: helmet's same-origin default would block it.
          .header('cross-origin-resource-policy', 'cross-origin');
        const inm = req.headers['if-none-match'];
        if (inm?.split(',').some((t) => t.trim() === CHAT_WIDGET_ETAG)) return reply.status(304).send();
        return reply.send(CHAT_WIDGET_SCRIPT);
      },
    );

    app.get(
      '/chat/config',
      { config: { public: true, cors: false, limit: 'chat.config' }, schema: { hide: true, querystring: KeyQuery } },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        const origin = req.headers.origin;
        const site = await siteOfKey(database.db, secrets, req.query.key);
        if (!site?.enabled || !originAllowed(site, origin)) return { data: OFF };
        if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
        const online = await database.tenantRead(site.workspaceId, (tx) => chat.available(tx, site));
        return {
          data: { enabled: true, online, colour: site.colour, greeting: site.greeting } satisfies TChatPublicConfig,
        };
      },
    );

    app.get(
      '/chat/socket',
      {
        websocket: true,
        config: { public: true, limit: 'chat.connect' },
        schema: { hide: true, querystring: KeyQuery },
        preValidation: async (req) => {
          const site = await siteOfKey(database.db, secrets, (req.query as { key: string }).key);
          if (!site?.enabled || !originAllowed(site, req.headers.origin)) {
            throw new AppError('not_found', 'No chat here');
          }
          (req as FastifyRequest & { chatSite?: WidgetSite }).chatSite = site;
        },
      },
      (socket, req) => {
        const site = (req as FastifyRequest & { chatSite?: WidgetSite }).chatSite as WidgetSite;
        const ws = site.workspaceId;
        let conversationId: string | null = null;
        let frames = 0;
        let windowStart = Date.now();
        let offlineSent = 0;
        // One frame at a time, in order (a message must not overtake the start before it).
        let queue: Promise<void> = Promise.resolve();
        const fail = (err: unknown) => {
          if (err instanceof AppError) {
            send(socket, { type: 'error', message: err.message, field: err.errors[0]?.path });
          } else {
            req.log.warn({ err }, 'chat visitor frame failed');
            send(socket, { type: 'error', message: 'Something went wrong; please try again' });
          }
        };
        socket.on('message', (raw) => {
          const now = Date.now();
          if (now - windowStart > SOCKET_FRAMES.windowMs) {
            windowStart = now;
            frames = 0;
          }
          if (++frames > SOCKET_FRAMES.max) {
            socket.close(4429, 'too many messages');
            return;
          }
          let parsed: ReturnType<typeof VisitorClientMessage.safeParse>;
          try {
            parsed = VisitorClientMessage.safeParse(JSON.parse(String(raw)));
          } catch {
            send(socket, { type: 'error', message: 'Messages must be JSON' });
            return;
          }
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            const field = issue?.path.join('.') || 'type';
            send(socket, { type: 'error', message: `${field}: ${issue?.message ?? 'is not valid'}`, field });
            return;
          }
          const m = parsed.data;
          queue = queue
            .then(async () => {
              switch (m.type) {
                case 'start': {
                  if (conversationId) return;
                  const r = await chat.start(site, {
                    token: m.token,
                    name: m.name,
                    identity: m.identity,
                    pageUrl: m.pageUrl,
                    origin: req.headers.origin,
                  });
                  if (r.kind === 'offline') return send(socket, { type: 'offline' });
                  conversationId = r.conversationId;
                  hub.addVisitor(ws, r.conversationId, socket);
                  return send(socket, {
                    type: 'started',
                    token: r.token,
                    status: r.status,
                    agentName: r.agentName,
                    messages: r.messages,
                  });
                }
                case 'offline': {
                  if (++offlineSent > OFFLINE_PER_SOCKET)
                    throw new AppError('rate_limited', 'Your message was already sent');
                  if (config.publicRateLimits) {
                    const h = await hit(database.db, 'chat.offline', req.ip, OFFLINE_LIMIT.windowSeconds);
                    if (h.hits > OFFLINE_LIMIT.max)
                      throw new AppError('rate_limited', `Too many messages; try again in ${h.resetSeconds} seconds`);
                  }
                  const number = await chat.offline(site, m);
                  return send(socket, { type: 'ticket', number });
                }
              }
              if (!conversationId) throw new AppError('conflict', 'Start the chat first');
              switch (m.type) {
                case 'message':
                  return chat.visitorMessage(site, conversationId, m.body);
                case 'typing':
                  return chat.typing(ws, conversationId, 'visitor', m.typing);
                case 'read':
                  return chat.visitorRead(ws, conversationId);
                case 'end':
                  return chat.visitorEnd(ws, conversationId);
                case 'csat':
                  await chat.rate(ws, conversationId, m.rating, m.comment);
                  return send(socket, { type: 'thanks' });
              }
            })
            .catch(fail);
        });
      },
    );

    // widget.js posts files as JSON and downloads them with the token in a header: both are preflighted.
    const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
      const site = await siteOfKey(database.db, secrets, (req.query as { key: string }).key);
      const origin = req.headers.origin;
      if (site?.enabled && origin && originAllowed(site, origin)) {
        reply
          .header('access-control-allow-origin', origin)
          .header('vary', 'Origin')
          .header('access-control-allow-methods', 'GET, POST')
          .header('access-control-allow-headers', `content-type, ${TOKEN_HEADER}`)
          .header('access-control-max-age', '600');
      }
      return reply.status(204).send();
    };
    app.options(
      '/chat/files',
      { config: { public: true, cors: false, limit: 'chat.files' }, schema: { hide: true, querystring: KeyQuery } },
      preflight,
    );
    app.options(
      '/chat/files/:id',
      {
        config: { public: true, cors: false, limit: 'chat.files' },
        schema: { hide: true, querystring: KeyQuery, params: z.object({ id: z.string().max(64) }) },
      },
      preflight,
    );

    /** The widget's site, answering CORS for it; an unknown key, chat off or a site not allowed: 404. */
    const siteFor = async (req: FastifyRequest, reply: FastifyReply) => {
      const site = await siteOfKey(database.db, secrets, (req.query as { key: string }).key);
      const origin = req.headers.origin;
      if (!site?.enabled || !originAllowed(site, origin)) throw new AppError('not_found', 'No chat here');
      if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      reply.header('cache-control', 'no-store');
      return site;
    };

    app.post(
      '/chat/files',
      {
        config: { public: true, cors: false, limit: 'chat.files' },
        bodyLimit: 8 * 1024 * 1024,
        schema: { hide: true, querystring: KeyQuery, body: VisitorFileUpload },
      },
      async (req, reply) => {
        const site = await siteFor(req, reply);
        const file = decodeChatFile(req.body.filename, req.body.contentBase64, 'contentBase64');
        const message = await chat.visitorFile(site, req.body.token, file);
        return reply.status(201).send({ data: message });
      },
    );

    app.get(
      '/chat/files/:id',
      {
        config: { public: true, cors: false, limit: 'chat.files' },
        schema: { hide: true, querystring: KeyQuery, params: z.object({ id: z.uuid('must be a file id') }) },
      },
      async (req, reply) => {
        const site = await siteFor(req, reply);
        const token = req.headers[TOKEN_HEADER];
        if (typeof token !== 'string' || !token || token.length > 100)
          throw new AppError('not_found', 'File not found');
        return sendChatFile(reply, await chat.visitorDownload(site, token, req.params.id));
      },
    );

    app.get(
      '/chat/demo',
      { config: { public: true, limit: 'chat.config' }, schema: { hide: true } },
      async (_req, reply) => {
        const { rows } = await sql<{ widget_key: string }>`select s.widget_key from chat_settings s
        join workspace_members m on m.workspace_id = s.workspace_id join users u on u.id = m.user_id
        where u.email = ${DEMO_EMAIL} and s.enabled limit 1`.execute(database.db);
        const key = rows[0]?.widget_key;
        if (!key) throw new AppError('not_found', 'No demo chat here');
        return reply.header('content-type', 'text/html; charset=utf-8').send(demoPage(key));
      },
    );
  };
}

/** A pretend company site with the demo workspace's widget on it. */
const demoPage = (key: string) => {
  // Relative: the page is served by this Rapport, whatever address it is reached at.
  const snippet = `<script src="/chat/widget.js" data-key="${key}" async></script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Northwind Outfitters — live chat demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.5}</style>
</head><body><main><h1>Northwind Outfitters</h1>
<p>This page stands for a customer's website with the Rapport live chat widget on it. Open the chat
with the button at the bottom right; sign in to Rapport as a customer service representative and go
online in <strong>Chat</strong> to answer it.</p>
<p>The widget is one line on the site:</p><pre>${snippet.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>
</main>${snippet}</body></html>`;
};
