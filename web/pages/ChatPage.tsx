import { useParams } from '@tanstack/react-router';
import { ChatConsole } from '../modules/chat/components/ChatConsole';

/** /chat: the live chat agent console. */
export function ChatPage() {
  return <ChatConsole />;
}

/** /chat/<id>: the console with that chat open (the link to a chat from elsewhere). */
export function ChatDeepLinkPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  return <ChatConsole chatId={id} />;
}
