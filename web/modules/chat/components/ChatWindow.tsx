import { Alert, Anchor, Badge, Button, Card, FileInput, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { AnchorLink } from '../../../ui/links';
import { ArticleSuggestions } from '../../knowledge/components/ArticleSuggestions';
import { fileToAttachment } from '../../tickets/api/service-desk.api';
import { chatFileUrl, chatKeys, endChat, getChat, markChatRead, replyToChat } from '../api/chat.api';

/** The open chat: the visitor, the conversation (a live log), typing and read receipts, the reply box. */
export function ChatWindow({
  id,
  canWork,
  visitorTyping,
  onTyping,
}: {
  id: string;
  canWork: boolean;
  visitorTyping: boolean;
  onTyping: (on: boolean) => void;
}) {
  const client = useQueryClient();
  const q = useQuery({ queryKey: chatKeys.detail(id), queryFn: ({ signal }) => getChat(id, signal) });
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const typingOn = useRef(false);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const chat = q.data;
  const last = chat?.messages[chat.messages.length - 1];
  // Reading the chat is a read receipt for the visitor: again for each new visitor message.
  // biome-ignore lint/correctness/useExhaustiveDependencies: last?.id is the trigger (a new message).
  useEffect(() => {
    if (canWork && last?.author === 'visitor' && (chat?.status === 'active' || chat?.status === 'waiting'))
      void markChatRead(id).catch(() => {});
  }, [id, canWork, last?.id, last?.author, chat?.status]);

  if (q.isPending) return <Text role="status">Loading the chat…</Text>;
  if (q.isError || !chat) return <Alert color="red">The chat could not be loaded.</Alert>;
  const open = chat.status === 'active' || chat.status === 'waiting';
  const stopTyping = () => {
    if (idle.current) clearTimeout(idle.current);
    if (typingOn.current) {
      typingOn.current = false;
      onTyping(false);
    }
  };
  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await replyToChat(id, body, await Promise.all(files.map(fileToAttachment)));
      setBody('');
      setFiles([]);
      stopTyping();
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not send.');
    } finally {
      setBusy(false);
    }
  };
  const end = async () => {
    await endChat(id).catch(() => {});
    void client.invalidateQueries({ queryKey: chatKeys.all });
  };
  const lastMine = [...chat.messages].reverse().find((m) => m.author === 'agent');
  const seen = !!lastMine && !!chat.visitorReadAt && chat.visitorReadAt >= lastMine.createdAt;
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <div>
          <Title order={3} size="h4">
            {chat.visitor.name || chat.visitor.email || 'Visitor'}
          </Title>
          <Group gap="xs">
            {chat.visitor.email && <Text size="sm">{chat.visitor.email}</Text>}
            <Badge color={chat.visitor.verified ? 'green' : 'gray'} variant="light">
              {chat.visitor.verified ? 'Verified' : 'Not verified'}
            </Badge>
            <Badge variant="outline">{chat.status}</Badge>
            {chat.contactId && (
              <AnchorLink to="/$object/$id" params={{ object: 'contacts', id: chat.contactId }} size="sm">
                Contact
              </AnchorLink>
            )}
            {chat.ticketId && (
              <AnchorLink to="/$object/$id" params={{ object: 'tickets', id: chat.ticketId }} size="sm">
                Ticket
              </AnchorLink>
            )}
          </Group>
        </div>
        {canWork && open && (
          <Button variant="default" color="red" h={36} onClick={end}>
            End chat
          </Button>
        )}
      </Group>
      <Stack
        gap={6}
        role="log"
        aria-live="polite"
        aria-label="Conversation"
        style={{ maxHeight: 420, overflowY: 'auto' }}
      >
        {chat.messages.map((m) => (
          <Text
            key={m.id}
            component="div"
            size="sm"
            p={8}
            style={{
              alignSelf: m.author === 'agent' ? 'flex-end' : m.author === 'system' ? 'center' : 'flex-start',
              background:
                m.author === 'agent'
                  ? 'var(--mantine-color-blue-0)'
                  : m.author === 'visitor'
                    ? 'var(--mantine-color-gray-1)'
                    : undefined,
              borderRadius: 8,
              maxWidth: '85%',
              whiteSpace: 'pre-wrap',
              color: m.author === 'system' ? 'var(--mantine-color-dimmed)' : undefined,
            }}
          >
            <Text span size="xs" fw={600} display="block">
              {m.author === 'visitor' ? 'Visitor' : m.author === 'agent' ? (m.authorName ?? 'Agent') : ''}
            </Text>
            {m.body}
            {m.attachments.map((a) => (
              <Anchor
                key={a.id}
                href={chatFileUrl(chat.id, a.id)}
                download={a.filename}
                size="sm"
                display="block"
                data-testid="chat-file"
              >
                📎 {a.filename} ({Math.max(1, Math.round(a.size / 1024))} KB)
              </Anchor>
            ))}
          </Text>
        ))}
      </Stack>
      <Text size="xs" c="dimmed" role="status" mih={18} mt={4}>
        {visitorTyping ? 'The visitor is typing…' : seen ? 'Seen by the visitor' : ''}
      </Text>
      {chat.csatRating !== null && (
        <Text size="sm" mt="xs">
          Rating: {chat.csatRating}/5{chat.csatComment ? ` — ${chat.csatComment}` : ''}
        </Text>
      )}
      {canWork && open && (
        <ArticleSuggestions
          query={chat.messages.find((m) => m.author === 'visitor')?.body.slice(0, 200) ?? ''}
          // Chat messages are plain text: the article's title and help centre address.
          onInsert={(a) => setBody((b) => `${b ? `${b} ` : ''}${a.title}: ${a.url ?? ''}`.trim())}
        />
      )}
      {canWork && open && (
        <form onSubmit={send} aria-label="Reply">
          <Textarea
            label="Reply"
            autosize
            minRows={2}
            maxLength={4000}
            value={body}
            error={error}
            onChange={(e) => {
              setBody(e.currentTarget.value);
              if (!typingOn.current) {
                typingOn.current = true;
                onTyping(true);
              }
              if (idle.current) clearTimeout(idle.current);
              idle.current = setTimeout(stopTyping, 3000);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                void send();
              }
            }}
          />
          <Group justify="space-between" mt="xs" align="flex-end">
            <FileInput
              label="Files"
              placeholder="Attach up to 3 files (5 MB each)"
              multiple
              clearable
              value={files}
              onChange={(f) => setFiles(f.slice(0, 3))}
              style={{ flex: 1 }}
            />
            <Button type="submit" loading={busy} h={40} disabled={!body.trim() && files.length === 0}>
              Send
            </Button>
          </Group>
        </form>
      )}
    </Card>
  );
}
