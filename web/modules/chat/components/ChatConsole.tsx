import { Alert, Grid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { can, objectsQuery } from '../../objects/api/objects.api';
import { acceptChat, chatKeys, getChats } from '../api/chat.api';
import { useChatStream } from '../hooks/useChatStream';
import { ChatList } from './ChatList';
import { ChatWindow } from './ChatWindow';
import { PresenceBar } from './PresenceBar';

/**
 * /chat and /chat/<id>: the agent console (the id: the open chat, so a chat has a link of its
 * own, from the contact's timeline and service card). Presence and capacity, the queue of waiting chats (routed to
 * the next available agent automatically, or accepted here), my chats and the others', and
 * the open chat. Updates arrive over the chat stream; people who may only read tickets see
 * everything but cannot answer.
 */
export function ChatConsole({ chatId }: { chatId?: string }) {
  const client = useQueryClient();
  const objects = useQuery(objectsQuery);
  const tickets = objects.data?.find((o) => o.name === 'tickets');
  const canWork = !!tickets && can(tickets, 'update');
  const { typing, sendTyping } = useChatStream();
  const navigate = useNavigate();
  // The open chat is the address's: picking one from a list is a visit to its link.
  const selected = chatId ?? null;
  const setSelected = (id: string) => void navigate({ to: '/chat/$id', params: { id } });
  const [error, setError] = useState<string | null>(null);
  const waiting = useQuery({
    queryKey: chatKeys.list('waiting'),
    queryFn: ({ signal }) => getChats('waiting', signal),
  });
  const active = useQuery({ queryKey: chatKeys.list('active'), queryFn: ({ signal }) => getChats('active', signal) });
  const ended = useQuery({ queryKey: chatKeys.list('ended'), queryFn: ({ signal }) => getChats('ended', signal) });
  const accept = async (id: string) => {
    setError(null);
    try {
      await acceptChat(id);
      setSelected(id);
      void client.invalidateQueries({ queryKey: chatKeys.all });
    } catch {
      setError('Someone else took that chat.');
    }
  };
  return (
    <Stack gap="md">
      <Title order={2}>Live chat</Title>
      {canWork ? (
        <PresenceBar />
      ) : (
        <Text size="sm" c="dimmed">
          You can read chats; answering them is for customer service representatives.
        </Text>
      )}
      {error && (
        <Alert color="orange" role="alert">
          {error}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="sm">
            <ChatList
              title="Waiting"
              chats={waiting.data ?? []}
              selected={selected}
              onSelect={setSelected}
              onAccept={canWork ? accept : undefined}
              empty="Nobody is waiting."
            />
            <ChatList
              title="Active"
              chats={active.data ?? []}
              selected={selected}
              onSelect={setSelected}
              empty="No active chats."
            />
            <ChatList
              title="Ended"
              chats={(ended.data ?? []).slice(0, 20)}
              selected={selected}
              onSelect={setSelected}
              empty="No ended chats yet."
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {selected ? (
            <ChatWindow
              key={selected}
              id={selected}
              canWork={canWork}
              visitorTyping={!!typing[selected]}
              onTyping={(on) => sendTyping(selected, on)}
            />
          ) : (
            <Text c="dimmed">Pick a chat to read or answer it.</Text>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
