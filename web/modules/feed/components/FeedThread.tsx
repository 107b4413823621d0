import { Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { feedKeys, getReplies } from '../api/feed.api';
import { EntryTime } from './EntryTime';
import { FeedBody } from './FeedBody';
import { FeedComposer } from './FeedComposer';

/** A thread's replies, oldest first, and the reply box; replies from colleagues arrive live. */
export function FeedThread({ parentId, objects }: { parentId: string; objects: ObjectMeta[] }) {
  const client = useQueryClient();
  const replies = useQuery({
    queryKey: feedKeys.replies(parentId),
    queryFn: ({ signal }) => getReplies(parentId, signal),
  });
  return (
    <Stack gap="xs" pl="md" style={{ borderLeft: '2px solid var(--mantine-color-gray-3)' }}>
      {replies.isPending && <Text size="sm">Loading replies…</Text>}
      {replies.data?.data.map((r) => (
        <div key={r.id} data-testid="feed-reply">
          <Text size="sm" fw={600} span>
            {r.actor?.name ?? 'Someone'}
          </Text>{' '}
          <EntryTime at={r.createdAt} />
          <FeedBody entry={r} objects={objects} />
        </div>
      ))}
      <FeedComposer
        parentId={parentId}
        onPosted={() => {
          void client.invalidateQueries({ queryKey: feedKeys.replies(parentId) });
        }}
      />
    </Stack>
  );
}
