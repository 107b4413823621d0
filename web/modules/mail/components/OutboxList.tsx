import { Alert, Button, Code, Modal, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { StatusBadge } from '../../jobs/components/StatusBadge';
import { MAIL_STATUSES, type MailStatus, mailQuery, outboxQuery, retryMail } from '../api/mail.api';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function MailBody({ id }: { id: string }) {
  const mail = useQuery(mailQuery(id)).data;
  if (!mail) return <Text c="dimmed">Loading…</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm">
        <b>To:</b> {mail.to}
      </Text>
      <Text size="sm">
        <b>Subject:</b> {mail.subject}
      </Text>
      {mail.html && (
        <iframe
          title="HTML body"
          sandbox=""
          srcDoc={mail.html}
          style={{ width: '100%', height: 240, border: '1px solid var(--mantine-color-default-border)' }}
        />
      )}
      <Code block>{mail.text}</Code>
    </Stack>
  );
}

/** The workspace's outgoing mail; with no SMTP server configured, mail is held here. */
export function OutboxList() {
  const [status, setStatus] = useState<MailStatus | 'all'>('all');
  const [open, setOpen] = useState<string | null>(null);
  const query = useQuery(outboxQuery(status === 'all' ? undefined : status));
  const client = useQueryClient();
  const retry = useMutation({
    mutationFn: retryMail,
    onSettled: () => client.invalidateQueries({ queryKey: ['admin', 'mail', 'outbox'] }),
  });
  const counts = query.data?.counts;
  return (
    <Stack gap="sm">
      <SegmentedControl
        aria-label="Mail status"
        value={status}
        onChange={(v) => setStatus(v as MailStatus | 'all')}
        data={[
          { value: 'all', label: 'All' },
          ...MAIL_STATUSES.map((s) => ({
            value: s,
            label: `${s[0]?.toUpperCase()}${s.slice(1)} (${counts?.[s] ?? 0})`,
          })),
        ]}
      />
      {counts && counts.held > 0 && (
        <Text size="sm" c="dimmed">
          Held mail was not sent because no SMTP server is configured (SMTP_URL).
        </Text>
      )}
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {query.data?.data.length === 0 && <Text c="dimmed">No mail here.</Text>}
      {query.data && query.data.data.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>To</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.data.map((m) => (
                <Table.Tr key={m.id} data-testid="mail-row">
                  <Table.Td>{m.to}</Table.Td>
                  <Table.Td>
                    <Button variant="subtle" size="compact-sm" onClick={() => setOpen(m.id)}>
                      {m.subject}
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={m.status} />
                    {m.lastError && (
                      <Text size="xs" c="red.9" lineClamp={1}>
                        {m.lastError}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{when(m.createdAt)}</Table.Td>
                  <Table.Td>
                    {(m.status === 'failed' || m.status === 'held' || m.status === 'suppressed') && (
                      <Button size="xs" variant="default" onClick={() => retry.mutate(m.id)}>
                        Send again
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={open !== null} onClose={() => setOpen(null)} title="Mail" size="lg">
        {open && <MailBody id={open} />}
      </Modal>
    </Stack>
  );
}
