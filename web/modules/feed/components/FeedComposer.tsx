import { Button, Group, NativeSelect } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { teamsQuery } from '../../people/api/people.api';
import { MentionTextarea, useMentionDraft } from '../../timeline/components/MentionTextarea';
import { type FeedEntry, postToFeed } from '../api/feed.api';

/**
 * Writes a message to everyone, to one of my teams, or (with `parentId`) a reply in a
 * thread; typing @ offers colleagues to mention (they are notified).
 */
export function FeedComposer({
  parentId,
  myUserId,
  onPosted,
}: {
  parentId?: string;
  myUserId?: string;
  onPosted: (entry: FeedEntry) => void;
}) {
  const teams = useQuery({ ...teamsQuery, enabled: !parentId }).data ?? [];
  const myTeams = teams.filter((t) => myUserId && t.memberIds.includes(myUserId));
  const draft = useMentionDraft();
  const [teamId, setTeamId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const entry = await postToFeed({
        body: draft.body(),
        ...(parentId ? { parentId } : teamId ? { teamId } : {}),
      });
      draft.reset();
      onPosted(entry);
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not post the message.');
    } finally {
      setBusy(false);
    }
  };
  const label = parentId ? 'Reply' : 'Message';
  return (
    <div>
      <MentionTextarea draft={draft} label={label} error={error} minRows={parentId ? 1 : 2} />
      <Group justify="flex-end" mt="xs" gap="sm">
        {!parentId && myTeams.length > 0 && (
          <NativeSelect
            aria-label="Post to"
            value={teamId}
            onChange={(e) => setTeamId(e.currentTarget.value)}
            data={[{ value: '', label: 'Everyone' }, ...myTeams.map((t) => ({ value: t.id, label: t.name }))]}
          />
        )}
        <Button onClick={submit} loading={busy} disabled={!draft.text.trim()} h={40}>
          {parentId ? 'Post reply' : 'Post'}
        </Button>
      </Group>
    </div>
  );
}
