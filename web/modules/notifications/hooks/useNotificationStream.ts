import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { TStreamMessage } from '../../../../common/contracts/notifications';
import { type NotificationPage, notificationsQuery } from '../api/notifications.api';
import { publishStreamMessage } from '../utils/stream-listeners';

/** A message of the stream (common/contracts/notifications.ts). */
type Message = TStreamMessage;

/**
 * Keeps the notification list and unread count live: a WebSocket to
 * /api/v1/notifications/stream (the session cookie authenticates it), reconnecting
 * with back-off; each pushed notification goes to the top of the cached list.
 */
export function useNotificationStream(): void {
  const client = useQueryClient();
  useEffect(() => {
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 1000;
    let closed = false;
    const connect = () => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/notifications/stream`;
      socket = new WebSocket(url);
      socket.onopen = () => {
        delay = 1000;
      };
      socket.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as Message;
        publishStreamMessage(m);
        if (m.type === 'feed' || m.type === 'screen_pop') return; // the feed page and the agent desktop listen for these
        if (m.type === 'hello') {
          // Something may have arrived while we were away: refresh the list.
          void client.invalidateQueries({ queryKey: notificationsQuery.queryKey });
          return;
        }
        client.setQueryData<NotificationPage>(notificationsQuery.queryKey, (old) => ({
          data: [m.notification, ...(old?.data ?? []).filter((n) => n.id !== m.notification.id)].slice(0, 50),
          page: old?.page ?? { nextCursor: null, hasMore: false },
          unreadCount: m.unreadCount,
        }));
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
      socket?.close();
    };
  }, [client]);
}
