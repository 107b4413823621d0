import { Alert, Button, FileInput, Group, SegmentedControl, Stack, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, request } from '../../../lib/http';
import { ArticleSuggestions } from '../../knowledge/components/ArticleSuggestions';
import { recordKeys } from '../../records/api/record-keys';
import { fileToAttachment } from '../api/service-desk.api';
import { postTicketMessage, ticketKeys } from '../api/tickets.api';
import { useTicketPresence } from '../hooks/useTicketPresence';
import { MacroPicker } from './MacroPicker';
import { PresenceBanner } from './PresenceBanner';

interface Props {
  record: Record<string, unknown> & { id: string };
  /** The latest message the agent has on screen: a reply is written against it (collision check). */
  latestMessageId: string | null;
}

/**
 * Writes a reply or an internal note: macros, knowledge articles to link, attachments,
 * and the collision warning (who else is replying; a 409 when the conversation moved on
 * while writing, with "Send anyway").
 */
export function TicketComposer({ record, latestMessageId }: Props) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<'reply' | 'note'>('reply');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [setStatus, setSetStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [collision, setCollision] = useState<string | null>(null);
  // The message the agent started writing against (fixed when they start, so news shows as a collision).
  const [basis, setBasis] = useState<string | null | undefined>(undefined);
  const others = useTicketPresence(record.id, body.trim().length > 0);

  const edit = (text: string) => {
    if (basis === undefined && text) setBasis(latestMessageId);
    if (!text) setBasis(undefined);
    setBody(text);
  };
  const send = async (confirm = false) => {
    setBusy(true);
    setError(null);
    try {
      await postTicketMessage(record.id, {
        kind,
        body,
        afterMessageId: basis === undefined ? latestMessageId : basis,
        ...(confirm ? { confirm: true } : {}),
        ...(files.length ? { attachments: await Promise.all(files.map(fileToAttachment)) } : {}),
      });
      if (setStatus) await request('PATCH', `/api/v1/tickets/${record.id}`, { body: { status: setStatus } });
      setBody('');
      setFiles([]);
      setSetStatus(null);
      setBasis(undefined);
      setCollision(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.errors[0]?.path === 'afterMessageId')
        setCollision(err.errors[0].message);
      else setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not send.');
    } finally {
      setBusy(false);
      void queryClient.invalidateQueries({ queryKey: ticketKeys.messages(record.id) });
      void queryClient.invalidateQueries({ queryKey: recordKeys.all('tickets') });
    }
  };

  return (
    <Stack gap="xs" mt="md">
      <PresenceBanner others={others} />
      <Group align="flex-end" gap="md">
        <SegmentedControl
          value={kind}
          onChange={(v) => setKind(v as 'reply' | 'note')}
          data={[
            { value: 'reply', label: 'Reply to customer' },
            { value: 'note', label: 'Internal note' },
          ]}
          w="fit-content"
        />
        <MacroPicker
          ticketId={record.id}
          onApply={(m) => {
            setKind(m.kind);
            edit(body.trim() ? `${body.trimEnd()}\n\n${m.body}` : m.body);
            setSetStatus(m.setStatus);
          }}
        />
      </Group>
      <Textarea
        label={kind === 'reply' ? 'Reply (emailed to the contact)' : 'Note (never sent)'}
        value={body}
        onChange={(e) => edit(e.currentTarget.value)}
        autosize
        minRows={3}
        maxLength={50_000}
      />
      <FileInput
        label="Attachments"
        placeholder="Up to 5 files, 10 MB together"
        multiple
        clearable
        value={files}
        onChange={(f) => setFiles(f.slice(0, 5))}
        w={360}
      />
      {setStatus && (
        <Alert color="gray" withCloseButton onClose={() => setSetStatus(null)}>
          Sending also sets the status to {setStatus.replace('_', ' ')}.
        </Alert>
      )}
      {collision && (
        <Alert color="red" role="alert" title="The conversation moved on">
          {collision}
          <Group mt="xs">
            <Button size="xs" onClick={() => send(true)} loading={busy}>
              Send anyway
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                setCollision(null);
                setBasis(latestMessageId);
              }}
            >
              I have read it
            </Button>
          </Group>
        </Alert>
      )}
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      <Group>
        <Button onClick={() => send()} loading={busy} disabled={!body.trim()}>
          {kind === 'reply' ? 'Send reply' : 'Add internal note'}
        </Button>
      </Group>
      <ArticleSuggestions
        query={String(record.subject ?? '')}
        onInsert={(_a, link) => edit(body.trim() ? `${body.trimEnd()}\n\n${link}` : link)}
      />
    </Stack>
  );
}
