import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { formatDateTime, relativeTime } from '../../timeline/utils/relative-time';
import { getRecentViews, trackingKeys } from '../api/tracking.api';

/** The site's latest views, anonymous visitors included: shows at once whether the tag works. */
export function RecentViews() {
  const q = useQuery({ queryKey: trackingKeys.recent, queryFn: ({ signal }) => getRecentViews(20, signal) });
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label="Latest visits">
      <Group justify="space-between" mb="sm">
        <Title order={3} fz="h5">
          Latest visits
        </Title>
        <Button variant="subtle" size="compact-sm" mih={40} onClick={() => void q.refetch()} loading={q.isFetching}>
          Refresh
        </Button>
      </Group>
      {q.isPending ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : q.isError ? (
        <Text size="sm" c="red.8">
          {q.error.message}
        </Text>
      ) : q.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No visits recorded yet. Once the tag is on your site, page views show up here.
        </Text>
      ) : (
        <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="recent-views">
          {q.data.map((v) => (
            <Group component="li" key={v.id} gap={6} wrap="nowrap" data-visit={v.path}>
              <Text size="sm" truncate style={{ minWidth: 0, flex: 1 }} title={v.url}>
                {v.path}
              </Text>
              {v.kind === 'download' && (
                <Badge size="xs" color="teal" variant="light">
                  Download
                </Badge>
              )}
              <Badge size="xs" color={v.identified ? 'blue' : 'gray'} variant="light">
                {v.identified ? 'Known' : 'Anonymous'}
              </Badge>
              <Text size="xs" c="dimmed" component="time" dateTime={v.occurredAt} title={formatDateTime(v.occurredAt)}>
                {relativeTime(v.occurredAt)}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Card>
  );
}
