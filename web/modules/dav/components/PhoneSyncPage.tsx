import { Button, Card, CopyButton, Group, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { TCreatedAppPassword } from '../../../../common/contracts/dav';
import { formatDateTime } from '../../timeline/utils/relative-time';
import { appPasswordsQuery, createAppPassword, davUrlsQuery, revokeAppPassword } from '../api/app-passwords.api';

function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-end">
      <TextInput label={label} value={value} readOnly style={{ flex: 1, minWidth: 0 }} data-testid={testId} />
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button
            onClick={copy}
            h={40}
            variant={copied ? 'light' : 'default'}
            aria-label={`Copy ${label.toLowerCase()}`}
          >
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** /settings/phone-sync: app passwords for CardDAV/CalDAV (create → shown once with the URLs; list; revoke). */
export function PhoneSyncPage() {
  const queryClient = useQueryClient();
  const list = useQuery(appPasswordsQuery);
  const urls = useQuery(davUrlsQuery).data;
  const [name, setName] = useState('');
  const [created, setCreated] = useState<TCreatedAppPassword | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = () => queryClient.invalidateQueries({ queryKey: appPasswordsQuery.queryKey });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await createAppPassword(name.trim()));
      setName('');
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    setBusy(true);
    try {
      await revokeAppPassword(id);
      if (created?.id === id) setCreated(null);
      await refresh();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xl">
      <Title order={1} fz={{ base: 'h3', xs: 'h2' }}>
        Sync with your phone
      </Title>
      <Text>
        Your phone’s contacts and calendar apps can sync with Rapport (CardDAV and CalDAV): the contacts you may see,
        the meetings you own and the tasks assigned to you. Give each device its own app password; revoke it if the
        device is lost.
      </Text>

      <Card withBorder radius="md" component="section" aria-labelledby="new-app-password">
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Title order={2} fz="h4" id="new-app-password">
              New app password
            </Title>
            <TextInput
              label="Device name"
              description="For example “Jane’s phone”"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={100}
              required
              error={error}
            />
            <Group>
              <Button type="submit" h={40} loading={busy} disabled={name.trim() === ''}>
                Create app password
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>

      {created && (
        <Card withBorder radius="md" component="section" aria-labelledby="new-credentials" role="status">
          <Stack gap="xs">
            <Title order={2} fz="h4" id="new-credentials">
              Enter these in your phone now
            </Title>
            <Text size="sm">The password is shown only this once.</Text>
            <CopyField label="Server" value={created.urls.server} testId="dav-server" />
            <CopyField label="Username" value={created.username} testId="dav-username" />
            <CopyField label="Password" value={created.password} testId="dav-password" />
            <Text size="sm">
              On an iPhone: Settings → Contacts (or Calendar) → Accounts → Add Account → Other → CardDAV (or CalDAV). On
              Android, use an app such as DAVx⁵ with the server address. Apps that ask for a full address can use:
            </Text>
            <CopyField label="CardDAV address" value={created.urls.carddav} />
            <CopyField label="CalDAV address" value={created.urls.caldav} />
          </Stack>
        </Card>
      )}

      <section aria-labelledby="app-passwords-heading">
        <Title order={2} fz="h4" id="app-passwords-heading" mb="sm">
          Your app passwords
        </Title>
        {list.data && list.data.length === 0 && <Text c="dimmed">No app passwords yet.</Text>}
        {list.data && list.data.length > 0 && (
          <Table.ScrollContainer minWidth={480}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Username</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{p.name}</Table.Td>
                    <Table.Td>
                      <code>{p.username}</code>
                    </Table.Td>
                    <Table.Td>
                      {p.revokedAt
                        ? `Revoked ${formatDateTime(p.revokedAt)}`
                        : p.lastUsedAt
                          ? formatDateTime(p.lastUsedAt)
                          : 'Not used yet'}
                    </Table.Td>
                    <Table.Td>
                      {!p.revokedAt && (
                        <Button
                          h={40}
                          variant="default"
                          color="red"
                          disabled={busy}
                          onClick={() => revoke(p.id)}
                          aria-label={`Revoke ${p.name}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </section>
      {urls && (
        <Text size="sm" c="dimmed">
          Server address: <code>{urls.server}</code>
        </Text>
      )}
    </Stack>
  );
}
