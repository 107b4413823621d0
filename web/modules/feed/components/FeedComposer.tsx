import { Button, Group, NativeSelect, Text, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { membersQuery, teamsQuery } from '../../people/api/people.api';
import { encodeMentions, insertMention, mentionQuery } from '../../timeline/utils/mentions';
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
  const members = useQuery(membersQuery).data ?? [];
  const teams = useQuery({ ...teamsQuery, enabled: !parentId }).data ?? [];
  const myTeams = teams.filter((t) => myUserId && t.memberIds.includes(myUserId));
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [teamId, setTeamId] = useState('');
  const [picked, setPicked] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const query = mentionQuery(text, caret);
  const matches =
    query === null
      ? []
      : members.filter((m) => (m.name || m.email).toLowerCase().includes(query.toLowerCase())).slice(0, 5);

  const pick = (m: { id: string; name: string }) => {
    const next = insertMention(text, caret, m.name);
    setText(next.text);
    setCaret(next.caret);
    setPicked((p) => (p.some((x) => x.id === m.id) ? p : [...p, m]));
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(next.caret, next.caret);
    });
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = encodeMentions(
        text,
        picked.filter((p) => text.includes(`@${p.name}`)),
      );
      const entry = await postToFeed({ body, ...(parentId ? { parentId } : teamId ? { teamId } : {}) });
      setText('');
      setPicked([]);
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
      <Textarea
        ref={ref}
        label={label}
        description="Type @ to mention a colleague"
        autosize
        minRows={parentId ? 1 : 2}
        value={text}
        error={error}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length);
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
      />
      {matches.length > 0 && (
        <Group gap="xs" mt={6} role="group" aria-label="Mention a colleague">
          <Text size="xs" c="dimmed">
            Mention:
          </Text>
          {matches.map((m) => (
            <Button
              key={m.id}
              size="compact-sm"
              variant="light"
              h={40}
              onClick={() => pick({ id: m.id, name: m.name })}
            >
              @{m.name || m.email}
            </Button>
          ))}
        </Group>
      )}
      <Group justify="flex-end" mt="xs" gap="sm">
        {!parentId && myTeams.length > 0 && (
          <NativeSelect
            aria-label="Post to"
            value={teamId}
            onChange={(e) => setTeamId(e.currentTarget.value)}
            data={[{ value: '', label: 'Everyone' }, ...myTeams.map((t) => ({ value: t.id, label: t.name }))]}
          />
        )}
        <Button onClick={submit} loading={busy} disabled={!text.trim()} h={40}>
          {parentId ? 'Post reply' : 'Post'}
        </Button>
      </Group>
    </div>
  );
}
