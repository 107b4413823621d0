import { Badge, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../../ui/links';
import { membersQuery } from '../../people/api/people.api';
import type { AdminPageProps } from '../admin-pages';
import { rolesQuery } from '../api/admin.api';
import { AdminLoadError, AdminLoading } from './AdminState';
import { CreateRoleForm } from './CreateRoleForm';
import { RoleEditor } from './RoleEditor';
import { ScrollBox } from './ScrollBox';

/** /admin/roles: standard and custom roles; /admin/roles/<key> edits one. */
export function RolesPage({ rest }: AdminPageProps) {
  const roles = useQuery(rolesQuery);
  const members = useQuery(membersQuery);
  const key = rest[0];
  if (key) return <RoleEditor key={key} roleKey={key} />;
  if (roles.isPending) return <AdminLoading label="Loading roles" />;
  if (roles.isError) return <AdminLoadError error={roles.error} onRetry={() => roles.refetch()} what="roles" />;
  const holders = (k: string) => members.data?.filter((m) => m.role === k).length ?? 0;

  return (
    <Stack gap="xl">
      <Stack gap="sm">
        <Title order={2} fz="h3">
          Roles
        </Title>
        <ScrollBox minWidth={480}>
          <Table verticalSpacing="xs" data-testid="roles-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Role</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Members</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {roles.data.map((r) => (
                <Table.Tr key={r.key}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {r.name}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {r.key}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={r.standard ? 'blue' : 'grape'} tt="none">
                      {r.standard ? (r.customised ? 'Standard, customised' : 'Standard') : 'Custom'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{holders(r.key)}</Table.Td>
                  <Table.Td ta="right">
                    <AnchorLink
                      to="/admin/$"
                      params={{ _splat: `roles/${r.key}` }}
                      aria-label={`Edit ${r.name}`}
                      display="inline-flex"
                      h={40}
                      style={{ alignItems: 'center' }}
                    >
                      Edit
                    </AnchorLink>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollBox>
      </Stack>
      <Stack gap="sm">
        <Title order={2} fz="h3">
          New custom role
        </Title>
        <CreateRoleForm roles={roles.data} />
      </Stack>
    </Stack>
  );
}
