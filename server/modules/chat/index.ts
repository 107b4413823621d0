import { defineModule } from '../../platform/modules';
import { registerCsatSource } from '../tickets';
import { seedChatDemo } from './chat.demo';
import { chatRoutes } from './chat.routes';
import { ChatService } from './chat.service';
import { ChatHub } from './chat-hub';
import { chatCsatSource } from './chat-ratings';
import { widgetRoutes } from './widget.routes';

/**
 * Live chat: the embeddable widget (`/chat/widget.js`) and the visitor's WebSocket, the agent
 * console's API and WebSocket, presence and capacity with routing to the next available agent
 * of the chat's team, offline chats as tickets (channel chat), transcripts on the contact's
 * timeline, the visitor's rating, and fan-out between app processes (LISTEN/NOTIFY).
 */
export const chatModule = defineModule({
  name: 'chat',
  routes: (deps) => async (app) => {
    registerCsatSource(chatCsatSource);
    const hub: ChatHub = new ChatHub({
      database: deps.database,
      log: app.log,
      conversation: (workspaceId, id) => service.conversation(workspaceId, id),
      message: (workspaceId, id) => service.message(workspaceId, id),
    });
    const service = new ChatService({ database: deps.database, records: deps.records, hub, now: deps.now });
    await hub.start();
    // Before the server waits for connections to end: open sockets would keep it waiting.
    app.addHook('preClose', async () => hub.stop());
    await app.register(widgetRoutes(deps, service, hub));
    await app.register(chatRoutes(deps, service, hub));
  },
  demo: seedChatDemo,
});

// For reporting (server/modules/reports): chats' ratings next to the tickets' surveys.
export { type ChatRating, endedChats, ratedChatsOf } from './chat-ratings';
