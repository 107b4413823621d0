import { Alert, Anchor, Badge, Button, Card, Grid, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import {
  convertMessage,
  getWindow,
  listThread,
  replyTo,
  retryReply,
  type SocialMessage,
  socialKeys,
} from '../api/social.api';
import { AssignMenu, useAssignment } from './AssignMenu';
import { NETWORK_LABEL, sentimentBadge } from './SocialList';

const OBJECT_OF = { lead: 'leads', contact: 'contacts', ticket: 'tickets', task: 'tasks' } as const;

/** The open conversation: its messages, the customer beside it, the reply box with the window, one-step actions. */
export function SocialThread({ message, canWork }: { message: SocialMessage; canWork: boolean }) {
  const client = useQueryClient();
  const threadId = String(message.threadId ?? message.id);
  const thread = useQuery({
    queryKey: socialKeys.thread(threadId),
    queryFn: ({ signal }) => listThread(threadId, signal),
  });
  const win = useQuery({
    queryKey: socialKeys.window(message.id),
    queryFn: ({ signal }) => getWindow(message.id, signal),
  });
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ object: string; id: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: socialKeys.all });
  const problem = (err: unknown) =>
    setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Something went wrong.');
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await replyTo(message.id, text);
      if (r.deliveryStatus === 'failed') setError(`Not sent (kept for retry): ${r.deliveryError ?? ''}`);
      else setText('');
      await refresh();
    } catch (err) {
      problem(err);
    } finally {
      setBusy(false);
    }
  };
  const convert = async (to: keyof typeof OBJECT_OF) => {
    setError(null);
    try {
      setDone(await convertMessage(message.id, to));
      await refresh();
    } catch (err) {
      problem(err);
    }
  };
  const retry = async (id: string) => {
    try {
      await retryReply(id);
      await refresh();
    } catch (err) {
      problem(err);
    }
  };
  const w = win.data;
  // The thread's copy is fresh after an assignment (the inbox row may have left a filtered list).
  const current = thread.data?.find((m) => m.id === message.id) ?? message;
  const assignment = useAssignment(current);
  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Card
          withBorder
          padding="md"
          component="section"
          aria-label={`Conversation with ${String(message.authorHandle ?? 'someone')}`}
        >
          <Group justify="space-between" mb="xs" wrap="wrap">
            <Title order={3} size="h4">
              {String(message.authorHandle ?? 'Someone')} on {NETWORK_LABEL[String(message.network)] ?? ''}
            </Title>
            <Group gap="xs">
              {sentimentBadge(message.sentiment)}
              {canWork ? (
                <AssignMenu message={current} who={String(message.authorHandle ?? 'someone')} />
              ) : (
                <Text size="xs" c="dimmed">
                  Assigned to {assignment.label}
                </Text>
              )}
            </Group>
          </Group>
          <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0 }} aria-label="Conversation">
            {(thread.data ?? [message]).map((m) => (
              <Card
                key={m.id}
                component="li"
                padding="xs"
                withBorder
                bg={m.direction === 'outbound' ? 'var(--mantine-color-blue-0)' : undefined}
              >
                <Text size="xs" c="dimmed">
                  {m.direction === 'outbound' ? 'You' : String(m.authorHandle ?? '')}
                  {m.sentAt ? ` · ${new Date(String(m.sentAt)).toLocaleString()}` : ''}
                  {m.direction === 'outbound' ? ` · ${String(m.deliveryStatus)}` : ''}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {String(m.text ?? '')}
                </Text>
                {m.deliveryStatus === 'failed' && (
                  <Group gap="xs" mt={4}>
                    <Text size="xs" c="red">
                      {String(m.deliveryError ?? 'Not sent')}
                    </Text>
                    {canWork && (
                      <Button size="xs" h={40} variant="light" onClick={() => retry(m.id)}>
                        Retry
                      </Button>
                    )}
                  </Group>
                )}
              </Card>
            ))}
          </Stack>
          {error && (
            <Alert color="red" role="alert" mt="sm">
              {error}
            </Alert>
          )}
          {canWork && (
            <form onSubmit={send}>
              <Stack gap="xs" mt="sm">
                {w && (
                  <Text size="xs" c={w.open ? 'dimmed' : 'red'}>
                    {w.replyWindowEndsAt
                      ? `${w.open ? 'Reply window open until' : 'Reply window closed at'} ${new Date(w.replyWindowEndsAt).toLocaleString()} — ${w.rule}`
                      : w.rule}
                  </Text>
                )}
                <Textarea
                  label="Reply"
                  value={text}
                  onChange={(e) => setText(e.currentTarget.value)}
                  autosize
                  minRows={2}
                  maxLength={2000}
                  disabled={!!w && !w.open}
                />
                <Group>
                  <Button type="submit" h={40} loading={busy} disabled={!text.trim() || (!!w && !w.open)}>
                    Send reply
                  </Button>
                </Group>
              </Stack>
            </form>
          )}
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Card withBorder padding="md" component="aside" aria-label="Customer">
          <Title order={3} size="h5" mb="xs">
            Customer
          </Title>
          <Stack gap={6}>
            <Text size="sm">{String(message.authorName ?? message.authorHandle ?? '')}</Text>
            {typeof message.authorUrl === 'string' && (
              <Anchor href={message.authorUrl} target="_blank" rel="noopener noreferrer" size="sm" {...TAPPABLE}>
                Profile
              </Anchor>
            )}
            {typeof message.permalink === 'string' && (
              <Anchor href={message.permalink} target="_blank" rel="noopener noreferrer" size="sm" {...TAPPABLE}>
                Open on the network
              </Anchor>
            )}
            {message.contactId ? (
              <AnchorLink
                to="/$object/$id"
                params={{ object: 'contacts', id: String(message.contactId) }}
                {...TAPPABLE}
              >
                Open the contact
              </AnchorLink>
            ) : (
              <Text size="sm" c="dimmed">
                No contact matched by social profile.
              </Text>
            )}
            {Array.isArray(message.flaggedKeywords) && message.flaggedKeywords.length > 0 && (
              <Group gap={4}>
                {(message.flaggedKeywords as string[]).map((k) => (
                  <Badge key={k} variant="outline">
                    {k}
                  </Badge>
                ))}
              </Group>
            )}
            {canWork && (
              <Stack gap={6} mt="xs">
                <Text size="sm" fw={600}>
                  Make a…
                </Text>
                <Group gap="xs">
                  {(Object.keys(OBJECT_OF) as (keyof typeof OBJECT_OF)[]).map((to) => (
                    <Button key={to} size="xs" h={40} variant="light" onClick={() => convert(to)}>
                      {to[0]?.toUpperCase()}
                      {to.slice(1)}
                    </Button>
                  ))}
                </Group>
                {done && (
                  <AnchorLink to="/$object/$id" params={{ object: done.object, id: done.id }} size="sm" {...TAPPABLE}>
                    Open the new {done.object.replace(/s$/, '')}
                  </AnchorLink>
                )}
              </Stack>
            )}
          </Stack>
        </Card>
      </Grid.Col>
    </Grid>
  );
}
