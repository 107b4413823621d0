import { Button, Group } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { addComment } from '../api/timeline.api';
import { MentionTextarea, useMentionDraft } from './MentionTextarea';

/** Writes a comment; typing @ offers colleagues to mention (they are notified). */
export function CommentBox({ object, id, onDone }: { object: string; id: string; onDone: () => void }) {
  const draft = useMentionDraft();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await addComment(object, id, draft.body());
      draft.reset();
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not save the comment.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <MentionTextarea draft={draft} label="Comment" error={error} />
      <Group justify="flex-end" mt="xs">
        <Button onClick={submit} loading={busy} disabled={!draft.text.trim()} h={40}>
          Post comment
        </Button>
      </Group>
    </div>
  );
}
