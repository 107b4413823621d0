import { Alert, Button, Group, Stack, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { membersQuery, teamsQuery } from '../../people/api/people.api';
import { admin } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { AdminEmpty, AdminLoadError, AdminLoading } from './AdminState';
import { TeamCard } from './TeamCard';

/** /admin/teams: teams widen a role's "team" scope to their members' records. */
export function TeamsPage() {
  const teams = useQuery(teamsQuery);
  const members = useQuery(membersQuery);
  const [name, setName] = useState('');
  const errors = useFieldErrors();
  const create = useAdminChange((n: string) => admin.createTeam(n));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    create.mutate(name.trim(), { onSuccess: () => setName(''), onError: (err) => errors.show(err) });
  };

  return (
    <Stack gap="xl">
      <Stack gap="sm">
        <Title order={2} fz="h3">
          Teams
        </Title>
        {teams.isPending || members.isPending ? (
          <AdminLoading label="Loading teams" />
        ) : teams.isError ? (
          <AdminLoadError error={teams.error} onRetry={() => teams.refetch()} what="teams" />
        ) : teams.data.length === 0 ? (
          <AdminEmpty testId="teams-empty">No teams yet. Create one below.</AdminEmpty>
        ) : (
          teams.data.map((t) => <TeamCard key={t.id} team={t} members={members.data ?? []} />)
        )}
      </Stack>
      <form onSubmit={submit} noValidate aria-label="New team">
        <Title order={2} fz="h3" mb="sm">
          New team
        </Title>
        <Group align="flex-start" gap="sm">
          <TextInput
            label="Team name"
            required
            size="md"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.fields.name}
            style={{ flex: '1 1 240px' }}
            maw={400}
          />
          <Button type="submit" loading={create.isPending} h={42} mt={{ base: 0, sm: 27 }}>
            Create team
          </Button>
        </Group>
        {errors.general && !errors.fields.name && (
          <Alert color="red" role="alert" mt="sm">
            {errors.general}
          </Alert>
        )}
      </form>
    </Stack>
  );
}
