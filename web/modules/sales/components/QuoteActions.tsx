import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { RecordData } from '../../records/api/records.api';
import { quotePdfUrl } from '../api/sales.api';
import { READABLE_ALERT } from './readable-alert';

interface Props {
  quote: RecordData;
  canUpdate: boolean;
  /** Unsaved line items: status changes wait for them. */
  linesDirty: boolean;
  patch: (changes: Record<string, unknown>) => Promise<void>;
  accept: () => Promise<void>;
}

/** Validity, status actions (send, accept, reject) and the PDF. */
export function QuoteActions({ quote, canUpdate, linesDirty, patch, accept }: Props) {
  const status = String(quote.status ?? 'draft');
  const open = status === 'draft' || status === 'sent';
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = (what: string, fn: () => Promise<void>) => async () => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.status === 412
            ? 'Someone changed this quote meanwhile; the page now shows the latest version. Try again.'
            : [err.message, ...err.errors.map((e) => `${e.path}: ${e.message}`)].join(' — ')
          : 'That did not work.',
      );
    } finally {
      setBusy(null);
    }
  };
  const locked = !canUpdate || !open || linesDirty || busy !== null;
  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Valid until"
          type="date"
          value={typeof quote.validUntil === 'string' ? quote.validUntil.slice(0, 10) : ''}
          disabled={!canUpdate || !open || busy !== null}
          onChange={(e) => {
            const v = e.currentTarget.value;
            void run('validity', () => patch({ validUntil: v || null }))();
          }}
          w={{ base: '100%', xs: 180 }}
        />
        {status === 'draft' && (
          <Button
            variant="default"
            h={40}
            disabled={locked}
            loading={busy === 'send'}
            onClick={run('send', () => patch({ status: 'sent' }))}
          >
            Mark as sent
          </Button>
        )}
        {open && (
          <Button h={40} disabled={locked} loading={busy === 'accept'} onClick={run('accept', accept)}>
            Accept
          </Button>
        )}
        {open && (
          <Button
            variant="default"
            color="red"
            h={40}
            disabled={locked}
            loading={busy === 'reject'}
            onClick={run('reject', () => patch({ status: 'rejected' }))}
          >
            Reject
          </Button>
        )}
        <Button
          component="a"
          href={quotePdfUrl(quote.id)}
          download={`quote-${String(quote.number ?? '')}.pdf`}
          variant="light"
          h={40}
        >
          Download PDF
        </Button>
      </Group>
      {linesDirty && open && (
        <Alert styles={READABLE_ALERT} color="yellow">
          Save the line items before changing the status.
        </Alert>
      )}
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
