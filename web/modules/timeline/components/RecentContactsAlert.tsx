import { Alert, List, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { meQuery } from '../../auth/api/auth.api';
import { type GuardResult, recentContacts } from '../api/timeline.api';
import { relativeTime } from '../utils/relative-time';

const CHANNEL: Record<string, string> = {
  email: 'emailed',
  call: 'called',
  meeting: 'met',
  direct_mail: 'sent direct mail to',
  social: 'messaged (social)',
  chat: 'chatted with',
};

/** The "don't contact twice" list: colleagues' contacts still within their cool-down. */
export function RecentContactsList({ guard, meId }: { guard: GuardResult; meId?: string }) {
  const others = guard.recent.filter((r) => r.by?.id !== meId);
  return (
    <List size="sm" spacing={4}>
      {others.map((r) => (
        <List.Item key={r.interactionId}>
          <Text span fw={600} size="sm">
            {r.by?.name ?? 'Someone'}
          </Text>{' '}
          {CHANNEL[r.channel] ?? r.channel}{' '}
          {r.viaAccount ? `${r.contact?.name || 'their account'} (same account)` : 'them'} {relativeTime(r.occurredAt)}
          {r.topic ? ` about “${r.topic}”` : ''}
          {r.sameTopic ? ' — same topic' : ''}
        </List.Item>
      ))}
    </List>
  );
}

/** Warns before contacting someone a colleague contacted recently (or who asked not to be contacted). */
export function RecentContactsAlert({
  contactId,
  channel,
  topic,
}: {
  contactId: string;
  channel?: string;
  topic?: string;
}) {
  const me = useQuery(meQuery).data;
  const guard = useQuery({
    queryKey: ['recent-contacts', contactId, channel ?? '', topic ?? ''],
    queryFn: ({ signal }) => recentContacts(contactId, { channel, topic }, signal),
    staleTime: 10_000,
  }).data;
  if (!guard?.warn) return null;
  const others = guard.recent.filter((r) => r.by?.id !== me?.user?.id);
  return (
    <Alert
      color="yellow"
      title="Contacted recently"
      role="status"
      data-testid="recent-contacts-warning"
      styles={{ title: { color: 'var(--mantine-color-text)' } }}
    >
      {guard.doNotContact && (
        <Text size="sm" fw={600}>
          This contact asked not to be contacted.
        </Text>
      )}
      {others.length > 0 && <RecentContactsList guard={guard} meId={me?.user?.id} />}
    </Alert>
  );
}
