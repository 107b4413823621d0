import { Button, Card, CopyButton, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { createFeed, feedStatusQuery, revokeFeed } from '../../tasks/api/tasks.api';
import { formatDateTime } from '../../timeline/utils/relative-time';

/** The secret iCalendar feed URL: create, copy (shown once), regenerate, revoke. */
export function FeedUrlCard() {
  const status = useQuery(feedStatusQuery).data;
  const queryClient = useQueryClient();
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
      await queryClient.invalidateQueries({ queryKey: feedStatusQuery.queryKey });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder radius="md" component="section" aria-labelledby="feed-title">
      <Stack gap="xs">
        <Title order={2} fz="h5" id="feed-title">
          Subscribe in your calendar app
        </Title>
        <Text size="sm" c="dimmed">
          A private iCalendar address with your meetings and tasks. Anyone with it can read your calendar: keep it
          secret, regenerate it if it leaks.
        </Text>
        {url ? (
          <Group gap="xs" wrap="nowrap" align="flex-end">
            <TextInput
              label="Feed URL (shown once)"
              value={url}
              readOnly
              style={{ flex: 1, minWidth: 0 }}
              data-testid="feed-url"
            />
            <CopyButton value={url}>
              {({ copied, copy }) => (
                <Button onClick={copy} h={40} variant={copied ? 'light' : 'filled'}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        ) : status?.active ? (
          <Text size="sm">
            Active since {status.createdAt ? formatDateTime(status.createdAt) : '—'}
            {status.lastUsedAt ? `, last read ${formatDateTime(status.lastUsedAt)}` : ', not read yet'}.
          </Text>
        ) : null}
        <Group gap="xs">
          <Button h={40} loading={busy} onClick={() => run(async () => setUrl(await createFeed()))}>
            {status?.active ? 'Regenerate URL' : 'Create feed URL'}
          </Button>
          {status?.active && (
            <Button
              h={40}
              variant="default"
              color="red"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  await revokeFeed();
                  setUrl(null);
                })
              }
            >
              Revoke
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
