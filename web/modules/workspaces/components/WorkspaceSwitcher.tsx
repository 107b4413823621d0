import { Menu, Text, UnstyledButton } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { chooseWorkspace } from '../../../lib/workspace';
import { Icon } from '../../../ui/Icon';
import { myWorkspacesQuery } from '../api/workspaces.api';

/**
 * The current workspace's name; for people in several workspaces, a menu to switch.
 * Switching forgets every cached answer (they belong to the other workspace) and reloads at home.
 */
export function WorkspaceSwitcher({
  name,
  testId,
  ...text
}: {
  name: string;
  /** Marks the one tests read (the header's). */
  testId?: string;
  visibleFrom?: string;
  hiddenFrom?: string;
}) {
  const workspaces = useQuery(myWorkspacesQuery).data ?? [];
  const queryClient = useQueryClient();
  if (workspaces.length < 2) {
    return (
      <Text size="sm" c="dimmed" truncate data-testid={testId} {...text}>
        {name}
      </Text>
    );
  }
  const pick = (id: string) => {
    chooseWorkspace(id);
    queryClient.clear();
    // A fresh start: every screen, query and subscription belongs to the other workspace.
    window.location.assign('/');
  };
  return (
    // No focus placeholder: a tabindex'd presentational child inside role="menu" fails axe.
    <Menu position="bottom-start" width={260} withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <UnstyledButton
          mih={40}
          display="flex"
          style={{ alignItems: 'center', gap: 4, minWidth: 0 }}
          aria-label={`Workspace: ${name}. Switch workspace`}
          {...text}
        >
          <Text size="sm" c="dimmed" truncate data-testid={testId} component="span">
            {name}
          </Text>
          <Icon name="down" size={14} />
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Switch workspace</Menu.Label>
        {workspaces.map((w) => (
          <Menu.Item
            key={w.id}
            onClick={() => (w.current ? undefined : pick(w.id))}
            aria-current={w.current ? 'true' : undefined}
            fw={w.current ? 700 : undefined}
            rightSection={
              <Text size="xs" c="dimmed">
                {w.role.replace(/_/g, ' ')}
              </Text>
            }
          >
            {w.name}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
