import type { TStreamMessage } from '../../../../common/contracts/notifications';

type Listener = (message: TStreamMessage) => void;
const listeners = new Set<Listener>();

/**
 * Hears every message of the notifications WebSocket (the one socket the app keeps open,
 * useNotificationStream): other modules' live updates (the activity feed) arrive on it.
 * Returns the unsubscribe function (an effect's cleanup).
 */
export function onStreamMessage(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Hands a message to every listener (useNotificationStream calls it). */
export function publishStreamMessage(message: TStreamMessage): void {
  for (const l of listeners) l(message);
}
