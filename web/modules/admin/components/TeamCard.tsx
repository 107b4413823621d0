import { Button, Group, MultiSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import type { Member, Team } from '../../people/api/people.api';
import { admin } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { MutationError } from './AdminState';
import { ConfirmButton } from './ConfirmButton';

/** One team: rename, members (added and removed one by one, as the API does), delete. */
export function TeamCard({ team, members }: { team: Team; members: Member[] }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(team.name);
  const errors = useFieldErrors();
  const rename = useAdminChange((n: string) => admin.renameTeam(team.id, n));
  const remove = useAdminChange(() => admin.deleteTeam(team.id));
  const membership = useAdminChange(async (next: string[]) => {
    const added = next.filter((id) => !team.memberIds.includes(id));
    const removed = team.memberIds.filter((id) => !next.includes(id));
    for (const id of added) await admin.addToTeam(team.id, id);
    for (const id of removed) await admin.removeFromTeam(team.id, id);
  });

  return (
    <Paper withBorder p="md" radius="md" data-testid="team-card" data-team={team.name}>
      <Stack gap="sm">
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              errors.clear();
              rename.mutate(name.trim(), { onSuccess: () => setEditing(false), onError: (err) => errors.show(err) });
            }}
          >
            <Group align="flex-start" gap="sm">
              <TextInput
                label="Team name"
                size="md"
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                error={errors.fields.name ?? (errors.general && !errors.fields.name ? errors.general : undefined)}
                style={{ flex: '1 1 200px' }}
              />
              <Group gap="xs" mt={{ base: 0, sm: 27 }}>
                <Button type="submit" h={42} loading={rename.isPending}>
                  Save
                </Button>
                <Button variant="default" h={42} onClick={() => setEditing(false)}>
                  Cancel
                </Button>
              </Group>
            </Group>
          </form>
        ) : (
          <Group justify="space-between">
            <Text fw={600}>{team.name}</Text>
            <Group gap={4}>
              <Button variant="subtle" h={40} onClick={() => setEditing(true)} aria-label={`Rename ${team.name}`}>
                Rename
              </Button>
              <ConfirmButton
                label="Delete"
                aria-label={`Delete ${team.name}`}
                title={`Delete ${team.name}?`}
                message="Its members stay in the workspace; records of this team keep existing without a team."
                confirmLabel="Delete team"
                onConfirm={() => remove.mutateAsync(undefined)}
              />
            </Group>
          </Group>
        )}
        <MultiSelect
          label={`Members of ${team.name}`}
          data={members.map((m) => ({ value: m.id, label: m.name || m.email }))}
          value={team.memberIds}
          onChange={(next) => membership.mutate(next)}
          searchable
          size="md"
          placeholder={team.memberIds.length ? undefined : 'Add members'}
          disabled={membership.isPending}
        />
        <MutationError error={membership.error} />
      </Stack>
    </Paper>
  );
}
