import { Alert, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { meQuery } from '../../auth/api/auth.api';
import {
  deleteSlaPolicy,
  listCalendars,
  listSlaPolicies,
  type SlaPolicy,
  serviceDeskKeys,
} from '../api/service-desk.api';
import { BusinessCalendars } from './BusinessCalendars';
import { PRIORITIES, SlaPolicyEditor } from './SlaPolicyEditor';

const hours = (m: number | undefined) =>
  m === undefined ? '—' : m % 60 === 0 ? `${m / 60} h` : m > 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;

/** SLA policies: targets per priority (first response, next response, resolution) in a calendar's business hours. */
export function SlaPoliciesView() {
  const queryClient = useQueryClient();
  const me = useQuery(meQuery);
  const admin = me.data?.role === 'administrator';
  const policies = useQuery({
    queryKey: serviceDeskKeys.slaPolicies,
    queryFn: ({ signal }) => listSlaPolicies(signal),
  });
  const calendars = useQuery({ queryKey: serviceDeskKeys.calendars, queryFn: ({ signal }) => listCalendars(signal) });
  const [editing, setEditing] = useState<SlaPolicy | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: serviceDeskKeys.slaPolicies });
  const calendarName = (id: string | null) =>
    id ? (calendars.data?.find((c) => c.id === id)?.name ?? 'Calendar') : 'Around the clock';
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>SLA policies</Title>
        {admin && <Button onClick={() => setEditing('new')}>New policy</Button>}
      </Group>
      <Text c="dimmed" size="sm">
        A ticket follows the first policy (in order) whose condition it meets and that has a target for its priority.
        Times count in the calendar’s business hours; the clock pauses while a ticket is pending on the customer.
      </Text>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {policies.data?.length === 0 && <Text c="dimmed">No SLA policies: tickets have no due times.</Text>}
      {(policies.data?.length ?? 0) > 0 && (
        <Table aria-label="SLA policies" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Policy</Table.Th>
              <Table.Th>Hours</Table.Th>
              {PRIORITIES.map((p) => (
                <Table.Th key={p}>{p}</Table.Th>
              ))}
              {admin && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {policies.data?.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{calendarName(p.calendarId)}</Table.Td>
                {PRIORITIES.map((pr) => {
                  const t = p.targets[pr];
                  return (
                    <Table.Td key={pr}>
                      {t ? (
                        <Text size="xs">
                          first {hours(t.firstResponseMinutes)}
                          {t.nextResponseMinutes ? `, next ${hours(t.nextResponseMinutes)}` : ''}, resolve{' '}
                          {hours(t.resolutionMinutes)}
                        </Text>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                  );
                })}
                {admin && (
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="default" onClick={() => setEditing(p)}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        color="red"
                        onClick={async () => {
                          setError(null);
                          try {
                            await deleteSlaPolicy(p.id);
                          } catch {
                            setError('Could not delete the policy.');
                          }
                          void refresh();
                        }}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <BusinessCalendars calendars={calendars.data ?? []} admin={admin} />
      {editing && (
        <SlaPolicyEditor
          policy={editing === 'new' ? null : editing}
          calendars={calendars.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void refresh();
          }}
        />
      )}
    </Stack>
  );
}
