import { Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import type { ObjectMeta } from '../../objects/api/objects.api';
import type { FeedEntry } from '../api/feed.api';
import { EntryTime } from './EntryTime';
import { FeedBody } from './FeedBody';
import { FeedThread } from './FeedThread';
import { EditMessage, MessageActions } from './MessageActions';

/** The record an entry is about: its title as a link, or what it is when the reader cannot open it. */
function RecordRef({ entry, objects }: { entry: FeedEntry; objects: ObjectMeta[] }) {
  const r = entry.record;
  if (!r) return null;
  const meta = objects.find((o) => o.name === r.object);
  if (r.title === null) {
    return (
      <Text span size="sm" c="dimmed">
        a deleted {meta?.label.toLowerCase() ?? 'record'}
      </Text>
    );
  }
  return (
    <AnchorLink to="/$object/$id" params={{ object: r.object, id: r.id }} size="sm" fw={600}>
      {r.title}
    </AnchorLink>
  );
}

/** One entry of the feed: who did what to which record, or a colleague's message, with its thread. */
export function FeedEntryCard({
  entry,
  objects,
  myUserId,
  moderator = false,
}: {
  entry: FeedEntry;
  objects: ObjectMeta[];
  myUserId?: string;
  moderator?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const mine = !!myUserId && entry.actor?.id === myUserId;
  const replies = entry.replies ?? 0;
  return (
    <Card withBorder radius="md" component="li" data-testid="feed-entry" p="sm">
      <Stack gap={4}>
        <Group gap="xs" wrap="wrap">
          <Text size="sm" fw={600} span>
            {entry.actor?.name ?? 'Rapport'}
          </Text>
          <Text size="sm" span>
            {entry.summary}
          </Text>
          <RecordRef entry={entry} objects={objects} />
          {entry.team && (
            <Badge variant="light" size="sm">
              {entry.team.name}
            </Badge>
          )}
          <EntryTime at={entry.createdAt} />
          {entry.editedAt && !entry.deleted && (
            <Text span size="xs" c="dimmed">
              (edited)
            </Text>
          )}
        </Group>
        {entry.deleted ? (
          <Text size="sm" c="dimmed" fs="italic">
            This message was deleted.
          </Text>
        ) : editing ? (
          <EditMessage entry={entry} onDone={() => setEditing(false)} />
        ) : (
          <FeedBody entry={entry} objects={objects} />
        )}
        <Group gap="xs">
          <MessageActions
            entry={entry}
            mine={mine}
            moderator={moderator}
            editing={editing}
            onEdit={() => setEditing(true)}
          />
          <Button variant="default" size="compact-sm" h={40} onClick={() => setOpen((o) => !o)} aria-expanded={open}>
            {open ? 'Hide replies' : replies > 0 ? `Replies (${replies})` : 'Reply'}
          </Button>
        </Group>
        {open && <FeedThread parentId={entry.id} objects={objects} myUserId={myUserId} moderator={moderator} />}
      </Stack>
    </Card>
  );
}
