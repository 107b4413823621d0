import { Alert, Button, Checkbox, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { type NotificationPreference, preferencesQuery, savePreferences } from '../api/notifications.api';

/** /settings/notifications: per kind, whether it shows in the app and comes by email. */
export function NotificationPreferencesPage() {
  const query = useQuery(preferencesQuery);
  const client = useQueryClient();
  const [draft, setDraft] = useState<NotificationPreference[]>([]);
  useEffect(() => {
    if (query.data) setDraft(query.data);
  }, [query.data]);
  const save = useMutation({
    mutationFn: () => savePreferences(draft.map(({ kind, inApp, email }) => ({ kind, inApp, email }))),
    onSuccess: (res) => {
      client.setQueryData(preferencesQuery.queryKey, res.body.data);
      void client.invalidateQueries({ queryKey: ['notifications'] });
    },
  });
  const set = (kind: string, key: 'inApp' | 'email', value: boolean) =>
    setDraft((d) => d.map((p) => (p.kind === kind ? { ...p, [key]: value } : p)));
  return (
    <Stack p="md" gap="md" maw={720}>
      <Title order={1} size="h2">
        Notifications
      </Title>
      <Text c="dimmed" size="sm">
        Choose what reaches you in Rapport and by email.
      </Text>
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {save.error && <Alert color="red">{save.error.message}</Alert>}
      {save.isSuccess && <Alert color="green">Saved.</Alert>}
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Notification</Table.Th>
            <Table.Th>In the app</Table.Th>
            <Table.Th>By email</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {draft.map((p) => (
            <Table.Tr key={p.kind}>
              <Table.Td>{p.label}</Table.Td>
              <Table.Td>
                <Checkbox
                  aria-label={`${p.label} in the app`}
                  checked={p.inApp}
                  onChange={(e) => set(p.kind, 'inApp', e.currentTarget.checked)}
                />
              </Table.Td>
              <Table.Td>
                <Checkbox
                  aria-label={`${p.label} by email`}
                  checked={p.email}
                  onChange={(e) => set(p.kind, 'email', e.currentTarget.checked)}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group>
        <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!query.data}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}
