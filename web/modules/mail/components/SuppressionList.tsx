import { Alert, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { addSuppression, REASON_LABELS, removeSuppression, suppressionsQuery } from '../api/suppressions.api';

/** The addresses no mail goes to (bounced, complained, or added by hand), with add and lift. */
export function SuppressionList() {
  const [q, setQ] = useState('');
  const [address, setAddress] = useState('');
  const query = useQuery(suppressionsQuery(q.trim().toLowerCase()));
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['admin', 'mail', 'suppressions'] });
  const add = useMutation({
    mutationFn: () => addSuppression({ address }),
    onSuccess: () => setAddress(''),
    onSettled: refresh,
  });
  const lift = useMutation({ mutationFn: removeSuppression, onSettled: refresh });
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        No mail is sent to these addresses: hard bounces and complaints are added at once, soft bounces after several in
        a row.
      </Text>
      <Group align="end">
        <TextInput
          label="Suppress an address"
          placeholder="name@example.com"
          value={address}
          onChange={(e) => setAddress(e.currentTarget.value)}
          error={add.error?.message}
        />
        <Button onClick={() => add.mutate()} loading={add.isPending} disabled={!address.trim()}>
          Suppress
        </Button>
        <TextInput
          label="Find"
          placeholder="Address starts with…"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          ml="auto"
        />
      </Group>
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {lift.error && <Alert color="red">{lift.error.message}</Alert>}
      {query.data?.data.length === 0 && <Text c="dimmed">No suppressed addresses.</Text>}
      {query.data && query.data.data.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Address</Table.Th>
                <Table.Th>Why</Table.Th>
                <Table.Th>Details</Table.Th>
                <Table.Th>Since</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.data.map((s) => (
                <Table.Tr key={s.address} data-testid="suppression-row">
                  <Table.Td>{s.address}</Table.Td>
                  <Table.Td>{REASON_LABELS[s.reason]}</Table.Td>
                  <Table.Td>
                    <Text size="xs" lineClamp={2}>
                      {s.source}
                    </Text>
                  </Table.Td>
                  <Table.Td>{new Date(s.createdAt).toLocaleString()}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Lift the suppression of ${s.address}`}
                      onClick={() => lift.mutate(s.address)}
                    >
                      Lift
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
