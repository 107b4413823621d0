import { Alert, Badge, Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { recordKeys } from '../../records/api/record-keys';
import { consentKeys, consentLedgerQuery, recordConsent } from '../api/consents.api';

const COLOR = { granted: 'green', withdrawn: 'red', unknown: 'gray' } as const;
const STATUSES = ['granted', 'withdrawn', 'unknown'] as const;

/** Contacts and leads: each purpose's current consent, the full history (append-only), and recording a change. */
export function ConsentPanel({ object, id, editable }: { object: string; id: string; editable: boolean }) {
  const client = useQueryClient();
  const ledger = useQuery(consentLedgerQuery(object, id));
  const [purpose, setPurpose] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      recordConsent(object, id, {
        purpose: purpose as string,
        status: status as (typeof STATUSES)[number],
        source: 'user',
      }),
    onSuccess: () => {
      setPurpose(null);
      setStatus(null);
      // A sale/sharing change also sets the record's read-only "Do not sell or share" field.
      void client.invalidateQueries({ queryKey: recordKeys.one(object, id) });
      return client.invalidateQueries({ queryKey: consentKeys.ledger(object, id) });
    },
  });
  if (ledger.error) return null;
  const data = ledger.data;
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby="consent-title" data-testid="consent-panel">
      <Stack gap="xs">
        <Title order={2} size="h4" id="consent-title">
          Consent
        </Title>
        {data?.current.map((c) => (
          <Group key={c.purpose} justify="space-between" wrap="nowrap">
            <Text size="sm">{c.label}</Text>
            <Badge color={COLOR[c.status]} variant="light">
              {c.status}
            </Badge>
          </Group>
        ))}
        {data && data.data.length > 0 && (
          <Button variant="subtle" size="compact-sm" h={40} onClick={() => setShowHistory((s) => !s)}>
            {showHistory ? 'Hide history' : `History (${data.data.length})`}
          </Button>
        )}
        {showHistory && data && (
          <Table fz="xs">
            <Table.Tbody>
              {data.data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>{new Date(c.recordedAt).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {c.purpose}: {c.status}
                  </Table.Td>
                  <Table.Td>
                    {c.source === 'gpc' ? 'Global Privacy Control' : c.source}
                    {c.recordedBy ? ` · ${c.recordedBy.name}` : ''}
                    {c.wording ? ` · “${c.wording}”` : ''}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {editable && data && (
          <Group gap="xs" align="flex-end">
            <Select
              size="sm"
              label="Purpose"
              w={170}
              styles={{ input: { minHeight: 40 } }}
              value={purpose}
              onChange={setPurpose}
              data={data.current.map((c) => ({ value: c.purpose, label: c.label }))}
            />
            <Select
              size="sm"
              label="Status"
              w={130}
              styles={{ input: { minHeight: 40 } }}
              value={status}
              onChange={setStatus}
              data={[...STATUSES]}
            />
            <Button h={40} disabled={!purpose || !status} loading={save.isPending} onClick={() => save.mutate()}>
              Record
            </Button>
          </Group>
        )}
        {save.error && (
          <Alert color="red" role="alert">
            {save.error.message}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
