import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDateTime, relativeTime } from '../../timeline/utils/relative-time';
import { getVisits, trackingKeys } from '../api/tracking.api';

/** The objects whose records have website visits (server: VISITOR_OBJECTS). */
export const VISIT_OBJECTS = new Set(['leads', 'contacts']);

const PAGE = 10;

/**
 * A lead's or contact's website visits: the pages and downloads of every browser identified as
 * them (a form they submitted, a tracked link), newest first, with the totals.
 */
export function WebsiteVisits({ object, id }: { object: string; id: string }) {
  const [limit, setLimit] = useState(PAGE);
  const q = useQuery({
    queryKey: [...trackingKeys.visits(object, id), limit],
    queryFn: ({ signal }) => getVisits(object, id, limit, signal),
    placeholderData: (previous) => previous,
  });
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label="Website visits">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="h5">
          Website visits
        </Title>
        {q.data && q.data.total > 0 && (
          <Text size="xs" c="dimmed">
            {q.data.total} {q.data.total === 1 ? 'view' : 'views'}
          </Text>
        )}
      </Group>
      {q.isPending ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : q.isError ? (
        <Text size="sm" c="red.8">
          {q.error.message}
        </Text>
      ) : q.data.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No visits yet. They appear once this person submits a form on your tracked site.
        </Text>
      ) : (
        <Stack gap={6} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
          {q.data.data.map((v) => (
            <li key={v.id} data-visit={v.path}>
              <Group gap={6} wrap="nowrap" align="baseline">
                {v.kind === 'download' && (
                  <Badge size="xs" color="teal" variant="light">
                    Download
                  </Badge>
                )}
                <Text size="sm" fw={500} truncate title={v.url} style={{ minWidth: 0 }}>
                  {v.title && v.kind === 'page' ? v.title : v.path}
                </Text>
              </Group>
              <Text size="xs" c="dimmed" truncate>
                <time dateTime={v.occurredAt} title={formatDateTime(v.occurredAt)}>
                  {relativeTime(v.occurredAt)}
                </time>
                {' · '}
                {v.path}
              </Text>
            </li>
          ))}
        </Stack>
      )}
      {q.data && q.data.total > q.data.data.length && (
        <Button variant="subtle" size="compact-sm" mt="sm" mih={40} onClick={() => setLimit((l) => l + PAGE * 2)}>
          Show more
        </Button>
      )}
    </Card>
  );
}
