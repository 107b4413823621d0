// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/chat.ts.
import type {
  TAgentServerMessage,
  TChatConversation,
  TChatDetail,
  TChatMessage,
  TChatSettings,
  TChatSettingsRequest,
  TPresence,
} from '../../../../common/contracts/chat';
import { getJson, request, withQuery } from '../../../lib/http';

export type ChatConversation = TChatConversation;
export type ChatDetail = TChatDetail;
export type ChatMessage = TChatMessage;
export type ChatSettings = TChatSettings;
export type Presence = TPresence;
export type AgentStreamMessage = TAgentServerMessage;

export const chatKeys = {
  all: ['chat'] as const,
  list: (status: string) => ['chat', 'list', status] as const,
  detail: (id: string) => ['chat', 'detail', id] as const,
  ofInteraction: (id: string) => ['chat', 'of-interaction', id] as const,
  presence: ['chat', 'presence'] as const,
  settings: ['chat-settings'] as const,
};

export const getChats = (status: 'waiting' | 'mine' | 'active' | 'ended', signal?: AbortSignal) =>
  getJson<{ data: ChatConversation[] }>(withQuery('/api/v1/chats', { status }), signal).then((r) => r.data);

/** The chat whose transcript a timeline interaction holds (none: not a chat's, or not visible). */
export const getChatOfInteraction = (interactionId: string, signal?: AbortSignal) =>
  getJson<{ data: ChatConversation[] }>(withQuery('/api/v1/chats', { interactionId }), signal).then(
    (r) => r.data[0] ?? null,
  );

export const getChat = (id: string, signal?: AbortSignal) =>
  getJson<{ data: ChatDetail }>(`/api/v1/chats/${id}`, signal).then((r) => r.data);

export const getPresence = (signal?: AbortSignal) =>
  getJson<{ data: Presence }>('/api/v1/chat/presence', signal).then((r) => r.data);

export async function setPresence(change: { status?: Presence['status']; capacity?: number }): Promise<Presence> {
  return (await request<{ data: Presence }>('PUT', '/api/v1/chat/presence', { body: change })).body.data;
}

export async function acceptChat(id: string): Promise<ChatConversation> {
  return (await request<{ data: ChatConversation }>('POST', `/api/v1/chats/${id}/accept`)).body.data;
}

export async function replyToChat(
  id: string,
  body: string,
  attachments: { filename: string; contentBase64: string }[] = [],
): Promise<ChatMessage> {
  return (
    await request<{ data: ChatMessage }>('POST', `/api/v1/chats/${id}/messages`, {
      body: { body, ...(attachments.length ? { attachments } : {}) },
    })
  ).body.data;
}

/** Where an agent downloads a file sent in a chat. */
export const chatFileUrl = (chatId: string, fileId: string) => `/api/v1/chats/${chatId}/attachments/${fileId}`;

export async function markChatRead(id: string): Promise<void> {
  await request('POST', `/api/v1/chats/${id}/read`);
}

export async function endChat(id: string): Promise<ChatConversation> {
  return (await request<{ data: ChatConversation }>('POST', `/api/v1/chats/${id}/end`)).body.data;
}

export const getChatSettings = (signal?: AbortSignal) =>
  getJson<{ data: ChatSettings }>('/api/v1/chat/settings', signal).then((r) => r.data);

export async function saveChatSettings(change: TChatSettingsRequest): Promise<ChatSettings> {
  return (await request<{ data: ChatSettings }>('POST', '/api/v1/chat/settings', { body: change })).body.data;
}
