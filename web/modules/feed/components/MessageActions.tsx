import { Button, Group, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { MentionTextarea, useMentionDraft } from '../../timeline/components/MentionTextarea';
import { deleteFeedMessage, editFeedMessage, type FeedEntry, feedKeys } from '../api/feed.api';

/** Edits a message in place: the same mention box as writing one, with its text. */
export function EditMessage({ entry, onDone }: { entry: FeedEntry; onDone: () => void }) {
  const client = useQueryClient();
  const draft = useMentionDraft(entry.body ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await editFeedMessage(entry.id, { body: draft.body() });
      await client.invalidateQueries({ queryKey: feedKeys.all });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not save the message.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <MentionTextarea draft={draft} label="Edit message" error={error} minRows={1} />
      <Group justify="flex-end" mt="xs" gap="sm">
        <Button variant="default" h={40} onClick={onDone}>
          Cancel
        </Button>
        <Button h={40} loading={busy} disabled={!draft.text.trim()} onClick={save}>
          Save
        </Button>
      </Group>
    </div>
  );
}

/**
 * A colleague message's own actions: its author may edit and delete it, an administrator
 * may delete it (the server decides; these only offer what it would allow). Deleting asks
 * once, in place.
 */
export function MessageActions({
  entry,
  mine,
  moderator,
  editing,
  onEdit,
}: {
  entry: FeedEntry;
  mine: boolean;
  moderator: boolean;
  editing: boolean;
  onEdit: () => void;
}) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (entry.type !== 'message.posted' || entry.deleted || editing || !(mine || moderator)) return null;
  const remove = async () => {
    setError(null);
    try {
      await deleteFeedMessage(entry.id);
      await client.invalidateQueries({ queryKey: feedKeys.all });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not delete the message.');
    }
  };
  return (
    <Group gap="xs">
      {confirming ? (
        <>
          <Text size="sm">Delete this message?</Text>
          <Button color="red" size="compact-sm" h={40} onClick={remove}>
            Delete
          </Button>
          <Button variant="default" size="compact-sm" h={40} onClick={() => setConfirming(false)}>
            Keep it
          </Button>
        </>
      ) : (
        <>
          {mine && (
            <Button variant="subtle" size="compact-sm" h={40} onClick={onEdit}>
              Edit
            </Button>
          )}
          <Button variant="subtle" color="red" size="compact-sm" h={40} onClick={() => setConfirming(true)}>
            Delete
          </Button>
        </>
      )}
      {error && (
        <Text size="sm" c="red.8" role="alert">
          {error}
        </Text>
      )}
    </Group>
  );
}
