import { Card, Stack, Text, Title } from '@mantine/core';
import { useSuspenseQuery } from '@tanstack/react-query';
import { NavLinkLink } from '../../../ui/links';
import { meQuery } from '../../auth/api/auth.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { useRecentlyViewed } from '../hooks/useRecentlyViewed';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The records this browser opened last (they open offline too), newest first. */
export function RecentlyViewed({ limit = 10 }: { limit?: number }) {
  const me = useSuspenseQuery(meQuery).data;
  const recent = useRecentlyViewed(me.workspace.id).slice(0, limit);
  const objects = useObjects();
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="recently-viewed">
      <Title order={2} fz="h4" mb="xs" id="recently-viewed">
        Recently viewed
      </Title>
      {recent.length === 0 ? (
        <Text size="sm" c="dimmed">
          Records you open appear here, and stay readable when you are offline.
        </Text>
      ) : (
        <Stack gap={2} component="ul" m={0} p={0} style={{ listStyle: 'none' }} data-testid="recently-viewed">
          {recent.map((r) => {
            const meta = objects.find((o) => o.name === r.object);
            return (
              <li key={`${r.object}:${r.id}`}>
                <NavLinkLink
                  to="/$object/$id"
                  params={{ object: r.object, id: r.id }}
                  label={r.title}
                  description={`${meta?.label ?? r.object} · viewed ${when.format(new Date(r.viewedAt))}`}
                  mih={44}
                  style={{ borderRadius: 'var(--mantine-radius-sm)' }}
                />
              </li>
            );
          })}
        </Stack>
      )}
    </Card>
  );
}
