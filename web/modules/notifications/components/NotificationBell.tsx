import { ActionIcon, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import { markRead, type NotificationItem, type NotificationPage, notificationsQuery } from '../api/notifications.api';
import { useNotificationStream } from '../hooks/useNotificationStream';

const BELL = 'M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0';

const ago = (iso: string) => {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
};

/** The header's bell: unread count (live over the WebSocket) and the latest notifications. */
export function NotificationBell() {
  useNotificationStream();
  const [opened, setOpened] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const page = useQuery(notificationsQuery).data;
  const unread = page?.unreadCount ?? 0;
  const read = useMutation({
    mutationFn: markRead,
    onSuccess: (res, ids) =>
      client.setQueryData<NotificationPage>(notificationsQuery.queryKey, (old) =>
        old
          ? {
              ...old,
              unreadCount: res.body.data.unreadCount,
              data: old.data.map((n) =>
                ids === 'all' || ids.includes(n.id) ? { ...n, readAt: n.readAt ?? new Date().toISOString() } : n,
              ),
            }
          : old,
      ),
  });
  const open = (n: NotificationItem) => {
    if (!n.readAt) read.mutate([n.id]);
    setOpened(false);
    if (n.object && n.recordId) void navigate({ to: '/$object/$id', params: { object: n.object, id: n.recordId } });
  };
  return (
    // The indicator wraps the popover: Popover.Target puts its ARIA attributes on its direct child.
    <Indicator
      label={unread > 99 ? '99+' : unread}
      size={18}
      disabled={unread === 0}
      offset={6}
      data-testid="bell-count"
    >
      <Popover opened={opened} onChange={setOpened} position="bottom-end" width={360} shadow="md">
        <Popover.Target>
          <ActionIcon
            variant="default"
            size={40}
            aria-label={unread ? `Notifications (${unread} unread)` : 'Notifications'}
            onClick={() => setOpened((o) => !o)}
          >
            <svg
              width={18}
              height={18}
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth={2}
              aria-hidden="true"
            >
              <path d={BELL} strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p={0}>
          <Group justify="space-between" p="sm">
            <Text fw={600} size="sm">
              Notifications
            </Text>
            <Button size="compact-sm" variant="subtle" disabled={unread === 0} onClick={() => read.mutate('all')}>
              Mark all read
            </Button>
          </Group>
          <ScrollArea.Autosize mah={400}>
            <Stack gap={0} data-testid="notification-list">
              {page?.data.length === 0 && (
                <Text size="sm" c="dimmed" p="sm">
                  Nothing yet.
                </Text>
              )}
              {page?.data.map((n) => (
                <UnstyledButton
                  key={n.id}
                  onClick={() => open(n)}
                  p="sm"
                  style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
                  data-testid="notification-item"
                  data-unread={!n.readAt || undefined}
                >
                  <Text size="sm" fw={n.readAt ? 400 : 700}>
                    {n.title}
                  </Text>
                  {n.body && (
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {n.body}
                    </Text>
                  )}
                  <Text size="xs" c="dimmed">
                    {ago(n.createdAt)}
                  </Text>
                </UnstyledButton>
              ))}
            </Stack>
          </ScrollArea.Autosize>
          <Group p="sm" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
            <AnchorLink to="/settings/notifications" size="sm" onClick={() => setOpened(false)}>
              Notification settings
            </AnchorLink>
          </Group>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
