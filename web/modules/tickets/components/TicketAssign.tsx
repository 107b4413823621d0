import { Alert, Button, Group, Select } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, getJson } from '../../../lib/http';
import { recordKeys } from '../../records/api/record-keys';
import { assignRoundRobin } from '../api/service-desk.api';

/** "Assign round robin": the next agent of the ticket's (or a chosen) team who has room. */
export function TicketAssign({ record }: { record: Record<string, unknown> & { id: string } }) {
  const queryClient = useQueryClient();
  const teams = useQuery({
    queryKey: ['teams'],
    queryFn: async ({ signal }) =>
      (await getJson<{ data: { id: string; name: string }[] }>('/api/v1/teams', signal)).data,
    staleTime: 60_000,
  });
  const [teamId, setTeamId] = useState<string | null>((record.teamId as string | null) ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!teams.data?.length) return null;
  const assign = async () => {
    setBusy(true);
    setError(null);
    try {
      await assignRoundRobin(record.id, teamId ?? undefined);
      void queryClient.invalidateQueries({ queryKey: recordKeys.all('tickets') });
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not assign.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Group align="flex-end" gap="xs">
      <Select
        label="Team"
        data={teams.data.map((t) => ({ value: t.id, label: t.name }))}
        value={teamId}
        onChange={setTeamId}
        w={220}
        size="xs"
      />
      <Button size="xs" variant="light" onClick={assign} loading={busy} disabled={!teamId}>
        Assign round robin
      </Button>
      {error && (
        <Alert color="red" role="alert" py={4}>
          {error}
        </Alert>
      )}
    </Group>
  );
}
