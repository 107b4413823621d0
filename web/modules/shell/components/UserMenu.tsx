import { Avatar, Menu, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { meQuery, signOut } from '../../auth/api/auth.api';
import { clearOfflineData } from '../../offline/clear-offline-data';

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join('');

/** The signed-in user (name, email, role) and sign-out. */
export function UserMenu() {
  const me = useSuspenseQuery(meQuery).data;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const name = me.user?.name ?? 'API key';
  const out = async () => {
    await signOut().catch(() => undefined);
    // Nothing of the workspace stays in this browser: saved records, recently viewed.
    await clearOfflineData();
    queryClient.clear();
    await navigate({ to: '/sign-in' });
  };
  return (
    <Menu position="bottom-end" width={240} withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <UnstyledButton style={{ minHeight: 40 }}>
          {/* The initials are decoration; the name is what a screen reader announces. */}
          <Avatar color="blue" radius="xl" size={36} aria-hidden="true">
            {initials(name)}
          </Avatar>
          <VisuallyHidden>Account menu for {name}</VisuallyHidden>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)" data-testid="user-name">
            {name}
          </Text>
          {me.user && (
            <Text size="xs" c="dimmed">
              {me.user.email}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {me.workspace.name} · {me.role.replace(/_/g, ' ')}
          </Text>
        </Menu.Label>
        <Menu.Divider />
        {me.user && <Menu.Item onClick={() => navigate({ to: '/me' })}>Your directory entry</Menu.Item>}
        {me.user && <Menu.Item onClick={() => navigate({ to: '/settings/security' })}>Account security</Menu.Item>}
        {me.user && (
          <Menu.Item onClick={() => navigate({ to: '/settings/phone-sync' })}>Sync with your phone</Menu.Item>
        )}
        <Menu.Item onClick={out}>Sign out</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
