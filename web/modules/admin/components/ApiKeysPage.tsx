import { Badge, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { admin, apiKeysQuery } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { useRoleOptions } from '../hooks/useRoleOptions';
import { AdminEmpty, AdminLoadError, AdminLoading } from './AdminState';
import { ConfirmButton } from './ConfirmButton';
import { CreateApiKeyForm } from './CreateApiKeyForm';
import { ScrollBox } from './ScrollBox';

const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/** /admin/api-keys: keys for programs, each acting with a role narrowed by scopes. */
export function ApiKeysPage() {
  const keys = useQuery(apiKeysQuery);
  const { nameOf } = useRoleOptions();
  const revoke = useAdminChange((id: string) => admin.revokeApiKey(id));

  return (
    <Stack gap="xl">
      <Stack gap="sm">
        <Title order={2} fz="h3">
          New API key
        </Title>
        <CreateApiKeyForm />
      </Stack>
      <Stack gap="sm">
        <Title order={2} fz="h3">
          API keys
        </Title>
        {keys.isPending ? (
          <AdminLoading label="Loading API keys" />
        ) : keys.isError ? (
          <AdminLoadError error={keys.error} onRetry={() => keys.refetch()} what="API keys" />
        ) : keys.data.length === 0 ? (
          <AdminEmpty testId="api-keys-empty">No API keys yet.</AdminEmpty>
        ) : (
          <ScrollBox minWidth={640}>
            <Table verticalSpacing="xs" data-testid="api-keys-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Role and scopes</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.map((k) => {
                  const expired = !!k.expiresAt && new Date(k.expiresAt).getTime() <= Date.now();
                  const status = k.revokedAt ? 'revoked' : expired ? 'expired' : 'active';
                  return (
                    <Table.Tr key={k.id} data-testid="api-key-row" data-name={k.name}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {k.name}
                        </Text>
                        <Text size="xs" c="dimmed" ff="monospace">
                          {k.prefix}…
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{nameOf(k.role)}</Text>
                        <Text size="xs" c="dimmed">
                          {k.scopes.length ? k.scopes.join(', ') : 'all the role allows'}
                          {k.expiresAt && ` · expires ${when(k.expiresAt)}`}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{when(k.lastUsedAt)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="dot" tt="none" color={status === 'active' ? 'green' : 'gray'}>
                          {status}
                        </Badge>
                      </Table.Td>
                      <Table.Td ta="right">
                        {status === 'active' && (
                          <ConfirmButton
                            label="Revoke"
                            aria-label={`Revoke ${k.name}`}
                            title={`Revoke ${k.name}?`}
                            message="Programs using this key stop working at once. This cannot be undone."
                            confirmLabel="Revoke key"
                            onConfirm={() => revoke.mutateAsync(k.id)}
                          />
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollBox>
        )}
      </Stack>
    </Stack>
  );
}
