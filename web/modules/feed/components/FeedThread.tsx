import { Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { type FeedEntry, feedKeys, getReplies } from '../api/feed.api';
import { EntryTime } from './EntryTime';
import { FeedBody } from './FeedBody';
import { FeedComposer } from './FeedComposer';
import { EditMessage, MessageActions } from './MessageActions';

/** One reply, with its author's edit and delete. */
function Reply({
  reply,
  objects,
  myUserId,
  moderator,
}: {
  reply: FeedEntry;
  objects: ObjectMeta[];
  myUserId?: string;
  moderator: boolean;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <div data-testid="feed-reply">
      <Text size="sm" fw={600} span>
        {reply.actor?.name ?? 'Someone'}
      </Text>{' '}
      <EntryTime at={reply.createdAt} />
      {reply.editedAt && (
        <Text span size="xs" c="dimmed">
          {' '}
          (edited)
        </Text>
      )}
      {editing ? (
        <EditMessage entry={reply} onDone={() => setEditing(false)} />
      ) : (
        <FeedBody entry={reply} objects={objects} />
      )}
      <MessageActions
        entry={reply}
        mine={!!myUserId && reply.actor?.id === myUserId}
        moderator={moderator}
        editing={editing}
        onEdit={() => setEditing(true)}
      />
    </div>
  );
}

/** A thread's replies, oldest first, and the reply box; replies from colleagues arrive live. */
export function FeedThread({
  parentId,
  objects,
  myUserId,
  moderator = false,
}: {
  parentId: string;
  objects: ObjectMeta[];
  myUserId?: string;
  moderator?: boolean;
}) {
  const client = useQueryClient();
  const replies = useQuery({
    queryKey: feedKeys.replies(parentId),
    queryFn: ({ signal }) => getReplies(parentId, signal),
  });
  return (
    <Stack gap="xs" pl="md" style={{ borderLeft: '2px solid var(--mantine-color-gray-3)' }}>
      {replies.isPending && <Text size="sm">Loading replies…</Text>}
      {replies.data?.data.map((r) => (
        <Reply key={r.id} reply={r} objects={objects} myUserId={myUserId} moderator={moderator} />
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
