import { useQuery } from '@tanstack/react-query';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { chatKeys, getChatOfInteraction } from '../api/chat.api';

/** "Open the chat": the console with this chat open (/chat/<id>). */
export function OpenChatLink({ id, label }: { id: string; label?: string }) {
  return (
    <AnchorLink to="/chat/$id" params={{ id }} size="sm" aria-label={label} {...TAPPABLE}>
      Open the chat
    </AnchorLink>
  );
}

/**
 * Under a timeline interaction of channel chat: the link to the chat whose transcript it
 * is. Nothing when it is not a chat's (logged by hand) or the reader may not see chats.
 */
export function InteractionChatLink({ interactionId }: { interactionId: string }) {
  const q = useQuery({
    queryKey: chatKeys.ofInteraction(interactionId),
    queryFn: ({ signal }) => getChatOfInteraction(interactionId, signal),
    retry: false,
    staleTime: 5 * 60_000,
  });
  if (!q.data) return null;
  return <OpenChatLink id={q.data.id} />;
}
