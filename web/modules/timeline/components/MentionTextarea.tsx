import { Button, Group, Text, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useLayoutEffect, useRef, useState } from 'react';
import { membersQuery } from '../../people/api/people.api';
import { encodeMentions, insertMention, mentionQuery } from '../utils/mentions';

const PERSON_MENTION = /@\[([^\]\n]{1,200})\]\(user:([0-9a-f-]{36})\)/gi;

/** A stored body's people mentions as the draft shows them (`@Name`), and who they are. */
function decodeMentions(body: string): { text: string; picked: { id: string; name: string }[] } {
  const picked: { id: string; name: string }[] = [];
  const text = body.replace(PERSON_MENTION, (_whole, name: string, id: string) => {
    if (!picked.some((p) => p.id === id)) picked.push({ id, name });
    return `@${name}`;
  });
  return { text, picked };
}

/**
 * A draft with @mentions: its text, the colleagues picked, and the body to send (mentions
 * encoded). `initial`: a stored body to edit (its people mentions shown as `@Name`).
 */
export function useMentionDraft(initial?: string) {
  const [start] = useState(() => decodeMentions(initial ?? ''));
  const [text, setText] = useState(start.text);
  const [picked, setPicked] = useState<{ id: string; name: string }[]>(start.picked);
  return {
    text,
    setText,
    picked,
    setPicked,
    /** The text with the picked colleagues still in it encoded as mentions. */
    body: () =>
      encodeMentions(
        text,
        picked.filter((p) => text.includes(`@${p.name}`)),
      ),
    reset: () => {
      setText('');
      setPicked([]);
    },
  };
}

/**
 * A textarea where typing @ offers colleagues to mention (comments, feed messages). A
 * picked name goes in at the caret, and the caret goes back after it as soon as the new
 * text is in the DOM: before the next keystroke can arrive (a frame later, a letter typed
 * at once ended up at the end of the text).
 */
export function MentionTextarea({
  draft,
  label,
  error,
  minRows = 2,
}: {
  draft: ReturnType<typeof useMentionDraft>;
  label: string;
  error: string | null;
  minRows?: number;
}) {
  const members = useQuery(membersQuery).data ?? [];
  const [caret, setCaret] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  /** Where the caret goes once a picked mention is rendered. */
  const caretAfterRender = useRef<number | null>(null);
  const query = mentionQuery(draft.text, caret);
  const matches =
    query === null
      ? []
      : members.filter((m) => (m.name || m.email).toLowerCase().includes(query.toLowerCase())).slice(0, 5);

  const pick = (m: { id: string; name: string }) => {
    const next = insertMention(draft.text, caret, m.name);
    draft.setText(next.text);
    setCaret(next.caret);
    draft.setPicked((p) => (p.some((x) => x.id === m.id) ? p : [...p, m]));
    caretAfterRender.current = next.caret;
  };
  useLayoutEffect(() => {
    const at = caretAfterRender.current;
    if (at === null || !ref.current) return;
    caretAfterRender.current = null;
    ref.current.focus();
    ref.current.setSelectionRange(at, at);
  });

  return (
    <>
      <Textarea
        ref={ref}
        label={label}
        description="Type @ to mention a colleague"
        autosize
        minRows={minRows}
        value={draft.text}
        error={error}
        onChange={(e) => {
          draft.setText(e.currentTarget.value);
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
    </>
  );
}
