import { Badge, Group, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { meQuery } from '../../auth/api/auth.api';
import { membersQuery, teamsQuery } from '../../people/api/people.api';
import { admin } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { useRoleOptions } from '../hooks/useRoleOptions';
import { AdminEmpty, AdminLoadError, AdminLoading, MutationError } from './AdminState';
import { ConfirmButton } from './ConfirmButton';
import { ScrollBox } from './ScrollBox';

/** Members with their role (changeable) and teams; removal asks first. */
export function MembersTable() {
  const members = useQuery(membersQuery);
  const teams = useQuery(teamsQuery);
  const me = useQuery(meQuery);
  const { options, roles } = useRoleOptions();
  const [roleError, setRoleError] = useState<unknown>(null);
  const changeRole = useAdminChange((v: { userId: string; role: string }) => admin.changeRole(v.userId, v.role));
  const remove = useAdminChange((userId: string) => admin.removeMember(userId));

  if (members.isPending || roles.isPending) return <AdminLoading label="Loading members" />;
  if (members.isError) return <AdminLoadError error={members.error} onRetry={() => members.refetch()} what="members" />;
  if (members.data.length === 0) return <AdminEmpty>No members yet.</AdminEmpty>;
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name ?? '…';

  return (
    <Stack>
      <MutationError error={roleError} />
      <ScrollBox minWidth={560}>
        <Table verticalSpacing="xs" data-testid="members-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Teams</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.data.map((m) => {
              const self = m.id === me.data?.user?.id;
              const name = m.name || m.email;
              return (
                <Table.Tr key={m.id} data-testid="member-row" data-email={m.email}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {name}{' '}
                      {self && (
                        <Text span c="dimmed" size="sm">
                          (you)
                        </Text>
                      )}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {m.email}
                    </Text>
                  </Table.Td>
                  <Table.Td miw={180}>
                    <Select
                      aria-label={`Role of ${name}`}
                      data={options}
                      value={m.role}
                      allowDeselect={false}
                      size="md"
                      disabled={changeRole.isPending}
                      onChange={(role) => {
                        if (!role || role === m.role) return;
                        setRoleError(null);
                        changeRole.mutate({ userId: m.id, role }, { onError: setRoleError });
                      }}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {m.teamIds.length === 0 ? (
                        <Text size="sm" c="dimmed">
                          None
                        </Text>
                      ) : (
                        m.teamIds.map((t) => (
                          <Badge key={t} variant="light" color="gray" tt="none">
                            {teamName(t)}
                          </Badge>
                        ))
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">
                    <ConfirmButton
                      label="Remove"
                      aria-label={`Remove ${name}`}
                      title={`Remove ${name}?`}
                      message={`${name} loses access to this workspace at once; API keys they created are revoked. Records they own stay, without an owner.`}
                      confirmLabel="Remove member"
                      onConfirm={() => remove.mutateAsync(m.id)}
                    />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollBox>
    </Stack>
  );
}
