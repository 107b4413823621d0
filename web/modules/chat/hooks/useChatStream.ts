import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { type AgentStreamMessage, type ChatDetail, chatKeys } from '../api/chat.api';

/**
 * Keeps the agent console live: a WebSocket to /api/v1/chat/stream (the session cookie
 * authenticates it), reconnecting with back-off. Conversation changes refresh the queue and
 * lists, new messages and read receipts go into the open chat's cache, and who is typing is
 * returned. `sendTyping` tells the visitor the agent is typing.
 */
export function useChatStream() {
  const client = useQueryClient();
  const [typing, setTyping] = useState<Record<string, boolean>>({});
  const socketRef = useRef<WebSocket | undefined>(undefined);
  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 1000;
    let closed = false;
    const patch = (id: string, change: (d: ChatDetail) => ChatDetail) =>
      client.setQueryData<ChatDetail>(chatKeys.detail(id), (old) => (old ? change(old) : old));
    const connect = () => {
      const socket = new WebSocket(
        `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/chat/stream`,
      );
      socketRef.current = socket;
      socket.onopen = () => {
        delay = 1000;
      };
      socket.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as AgentStreamMessage;
        if (m.type === 'hello') {
          client.setQueryData(chatKeys.presence, m.presence);
          void client.invalidateQueries({ queryKey: chatKeys.all });
        } else if (m.type === 'conversation') {
          patch(m.conversation.id, (d) => ({ ...d, ...m.conversation }));
          void client.invalidateQueries({ queryKey: ['chat', 'list'] });
          void client.invalidateQueries({ queryKey: chatKeys.presence });
        } else if (m.type === 'message') {
          patch(m.message.conversationId, (d) =>
            d.messages.some((x) => x.id === m.message.id) ? d : { ...d, messages: [...d.messages, m.message] },
          );
          if (m.message.author === 'visitor') setTyping((t) => ({ ...t, [m.message.conversationId]: false }));
        } else if (m.type === 'typing') {
          setTyping((t) => ({ ...t, [m.conversationId]: m.typing }));
        } else if (m.type === 'read') {
          patch(m.conversationId, (d) => ({ ...d, visitorReadAt: m.at }));
        }
      };
      socket.onclose = () => {
        if (closed) return;
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30_000);
      };
    };
    connect();
    return () => {
      closed = true;
      if (retry) clearTimeout(retry);
      socketRef.current?.close();
    };
  }, [client]);
  const sendTyping = (conversationId: string, on: boolean) => {
    const s = socketRef.current;
    if (s?.readyState === WebSocket.OPEN) s.send(JSON.stringify({ type: 'typing', conversationId, typing: on }));
  };
  return { typing, sendTyping };
}
