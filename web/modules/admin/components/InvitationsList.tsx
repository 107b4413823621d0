import { Badge, Button, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { admin, invitationsQuery } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { useRoleOptions } from '../hooks/useRoleOptions';
import { AdminEmpty, AdminLoadError, AdminLoading, MutationError } from './AdminState';
import { ScrollBox } from './ScrollBox';

const STATUS_COLOR = { pending: 'blue', accepted: 'green', revoked: 'gray', expired: 'orange' } as const;
const date = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** Sent invitations: resend (a fresh link replaces the old one) or revoke while pending. */
export function InvitationsList() {
  const invitations = useQuery(invitationsQuery);
  const { nameOf } = useRoleOptions();
  const [error, setError] = useState<unknown>(null);
  const resend = useAdminChange((v: { email: string; role: string }) => admin.invite(v.email, v.role));
  const revoke = useAdminChange((id: string) => admin.revokeInvitation(id));

  if (invitations.isPending) return <AdminLoading label="Loading invitations" />;
  if (invitations.isError)
    return <AdminLoadError error={invitations.error} onRetry={() => invitations.refetch()} what="invitations" />;
  if (invitations.data.length === 0)
    return <AdminEmpty testId="invitations-empty">No invitations sent yet.</AdminEmpty>;

  return (
    <>
      <MutationError error={error} />
      <ScrollBox minWidth={560}>
        <Table verticalSpacing="xs" data-testid="invitations-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {invitations.data.map((inv) => (
              <Table.Tr key={inv.id}>
                <Table.Td>
                  <Text size="sm">{inv.email}</Text>
                  <Text size="xs" c="dimmed">
                    Sent {date(inv.createdAt)}
                    {inv.status === 'pending' && ` · expires ${date(inv.expiresAt)}`}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{nameOf(inv.role)}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[inv.status]} variant="dot" tt="none">
                    {inv.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    {inv.status !== 'accepted' && (
                      <Button
                        variant="subtle"
                        h={40}
                        aria-label={`Resend invitation to ${inv.email}`}
                        onClick={() => {
                          setError(null);
                          resend.mutate({ email: inv.email, role: inv.role }, { onError: setError });
                        }}
                      >
                        Resend
                      </Button>
                    )}
                    {inv.status === 'pending' && (
                      <Button
                        variant="subtle"
                        color="red"
                        h={40}
                        aria-label={`Revoke invitation to ${inv.email}`}
                        onClick={() => {
                          setError(null);
                          revoke.mutate(inv.id, { onError: setError });
                        }}
                      >
                        Revoke
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollBox>
    </>
  );
}
