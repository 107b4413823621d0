import { ChatConsole } from '../modules/chat/components/ChatConsole';

/** /chat: the live chat agent console. */
export function ChatPage() {
  return <ChatConsole />;
}
