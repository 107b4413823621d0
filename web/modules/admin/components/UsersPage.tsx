import { Stack, Title } from '@mantine/core';
import { InvitationsList } from './InvitationsList';
import { InviteForm } from './InviteForm';
import { MembersTable } from './MembersTable';

/** /admin/users: who is in the workspace, with which role, and who is invited. */
export function UsersPage() {
  return (
    <Stack gap="xl">
      <Stack gap="sm">
        <Title order={2} fz="h3">
          Members
        </Title>
        <MembersTable />
      </Stack>
      <Stack gap="sm">
        <Title order={2} fz="h3">
          Invite someone
        </Title>
        <InviteForm />
      </Stack>
      <Stack gap="sm">
        <Title order={2} fz="h3">
          Invitations
        </Title>
        <InvitationsList />
      </Stack>
    </Stack>
  );
}
