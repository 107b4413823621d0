import { Button, Group, Text, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useLayoutEffect, useRef, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { membersQuery } from '../../people/api/people.api';
import { addComment } from '../api/timeline.api';
import { encodeMentions, insertMention, mentionQuery } from '../utils/mentions';

/** Writes a comment; typing @ offers colleagues to mention (they are notified). */
export function CommentBox({ object, id, onDone }: { object: string; id: string; onDone: () => void }) {
  const members = useQuery(membersQuery).data ?? [];
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [picked, setPicked] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  /** Where the caret goes once a picked mention is rendered. */
  const caretAfterRender = useRef<number | null>(null);
  const query = mentionQuery(text, caret);
  const matches =
    query === null
      ? []
      : members.filter((m) => (m.name || m.email).toLowerCase().includes(query.toLowerCase())).slice(0, 5);

  const pick = (m: { id: string; name: string }) => {
    const next = insertMention(text, caret, m.name);
    setText(next.text);
    setCaret(next.caret);
    setPicked((p) => (p.some((x) => x.id === m.id) ? p : [...p, { id: m.id, name: m.name }]));
    caretAfterRender.current = next.caret;
  };
  // Back in the box, after the mention, as soon as the new text is in the DOM: before the
  // next keystroke can arrive (a frame later, a letter typed at once landed before the caret
  // moved back and ended up at the end of the text).
  useLayoutEffect(() => {
    const at = caretAfterRender.current;
    if (at === null || !ref.current) return;
    caretAfterRender.current = null;
    ref.current.focus();
    ref.current.setSelectionRange(at, at);
  });
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await addComment(
        object,
        id,
        encodeMentions(
          text,
          picked.filter((p) => text.includes(`@${p.name}`)),
        ),
      );
      setText('');
      setPicked([]);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not save the comment.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <Textarea
        ref={ref}
        label="Comment"
        description="Type @ to mention a colleague"
        autosize
        minRows={2}
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
      <Group justify="flex-end" mt="xs">
        <Button onClick={submit} loading={busy} disabled={!text.trim()} h={40}>
          Post comment
        </Button>
      </Group>
    </div>
  );
}
