import { Alert, Button, Card, CloseButton, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { AnchorLink } from '../../../ui/links';
import { can, type ObjectMeta } from '../../objects/api/objects.api';
import { recordKeys } from '../../records/api/record-keys';
import { listRecords, updateRecord } from '../../records/api/records.api';
import { RecordPicker } from '../../records/components/RecordPicker';
import { mergeTicket, ticketKeys } from '../api/tickets.api';

type Ticket = Record<string, unknown> & { id: string };

const label = (t: Record<string, unknown>) => `#${String(t.number ?? '')} ${String(t.subject ?? '')}`.trim();
const message = (err: unknown, fallback: string) =>
  err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : fallback;

/**
 * A ticket's links to other tickets: the one it was merged into, its related tickets (add,
 * remove), and merging it into another (its conversation moves there and it closes), for
 * those who work tickets.
 */
export function TicketLinks({ meta, record }: { meta: ObjectMeta; record: Ticket }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const related = ((record.relatedTicketIds as string[] | null) ?? []).filter(Boolean);
  const mergedInto = (record.mergedIntoId as string | null) ?? null;
  const ids = [...related, ...(mergedInto ? [mergedInto] : [])];
  const linked = useQuery({
    queryKey: [...recordKeys.all('tickets'), 'links', ids],
    enabled: ids.length > 0,
    queryFn: async ({ signal }) =>
      (
        await listRecords(
          'tickets',
          { filter: { field: 'id', op: 'in', value: ids }, fields: ['number', 'subject', 'status'], limit: 100 },
          signal,
        )
      ).data,
  });
  const byId = new Map((linked.data ?? []).map((t) => [t.id as string, t]));
  const [adding, setAdding] = useState<string | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editable = can(meta, 'update') && !mergedInto;

  const refresh = () => queryClient.invalidateQueries({ queryKey: recordKeys.all('tickets') });
  const setRelated = async (next: string[]) => {
    setBusy(true);
    setError(null);
    try {
      await updateRecord('tickets', record.id, { relatedTicketIds: next }, null);
      setAdding(null);
      await refresh();
    } catch (err) {
      setError(message(err, 'Could not change the related tickets.'));
    } finally {
      setBusy(false);
    }
  };
  const merge = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      await mergeTicket(record.id, target);
      await refresh();
      void queryClient.invalidateQueries({ queryKey: ticketKeys.messages(target) });
      await navigate({ to: '/$object/$id', params: { object: 'tickets', id: target } });
    } catch (err) {
      setError(message(err, 'Could not merge.'));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  if (!editable && ids.length === 0) return null;
  return (
    <Card withBorder padding="md" aria-labelledby="ticket-links-title">
      <Title order={3} size="h4" mb="xs" id="ticket-links-title">
        Related tickets
      </Title>
      <Stack gap="xs">
        {mergedInto && (
          <Alert color="gray" data-testid="merged-into">
            Merged into{' '}
            <AnchorLink to="/$object/$id" params={{ object: 'tickets', id: mergedInto }}>
              {byId.get(mergedInto) ? label(byId.get(mergedInto) as Record<string, unknown>) : 'another ticket'}
            </AnchorLink>
            ; its conversation continues there.
          </Alert>
        )}
        {related.length === 0 && !mergedInto && (
          <Text size="sm" c="dimmed">
            None yet.
          </Text>
        )}
        {related.map((id) => {
          const t = byId.get(id);
          return (
            <Group key={id} gap="xs" justify="space-between" data-testid="related-ticket">
              <AnchorLink to="/$object/$id" params={{ object: 'tickets', id }} size="sm">
                {t ? label(t) : 'Ticket'}
              </AnchorLink>
              {t?.status ? (
                <Text size="xs" c="dimmed">
                  {String(t.status)}
                </Text>
              ) : null}
              {editable && (
                <CloseButton
                  size="sm"
                  aria-label={`Remove ${t ? label(t) : 'ticket'} from related tickets`}
                  disabled={busy}
                  onClick={() => void setRelated(related.filter((x) => x !== id))}
                />
              )}
            </Group>
          );
        })}
        {editable && (
          <Group align="flex-end" gap="xs">
            <div style={{ flex: 1, minWidth: 200 }}>
              <RecordPicker target={meta} label="Add a related ticket" value={adding} onChange={setAdding} />
            </div>
            <Button
              variant="light"
              h={36}
              disabled={!adding || adding === record.id || related.includes(adding)}
              loading={busy && !!adding}
              onClick={() => adding && void setRelated([...related, adding])}
            >
              Add
            </Button>
          </Group>
        )}
        {editable && (
          <Group align="flex-end" gap="xs">
            <div style={{ flex: 1, minWidth: 200 }}>
              <RecordPicker
                target={meta}
                label="Merge this ticket into"
                value={target}
                onChange={(v) => {
                  setTarget(v);
                  setConfirming(false);
                }}
              />
            </div>
            {!confirming ? (
              <Button
                variant="default"
                h={36}
                disabled={!target || target === record.id}
                onClick={() => setConfirming(true)}
              >
                Merge…
              </Button>
            ) : (
              <Button color="red" h={36} loading={busy} onClick={() => void merge()}>
                Confirm merge
              </Button>
            )}
          </Group>
        )}
        {confirming && (
          <Text size="sm" role="status">
            The conversation of {label(record)} moves to the chosen ticket, and {label(record)} is closed.
          </Text>
        )}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
