import { Grid, Stack, Text, Title } from '@mantine/core';
import { useSuspenseQuery } from '@tanstack/react-query';
import { meQuery } from '../modules/auth/api/auth.api';
import { can } from '../modules/objects/api/objects.api';
import { useObjects } from '../modules/objects/hooks/useObjects';
import { RecentlyViewed } from '../modules/offline/components/RecentlyViewed';
import { Icon } from '../ui/Icon';
import { ButtonLink, NavLinkLink } from '../ui/links';

/** The start page: what you worked on last (also offline), and every object's list. */
export function HomePage() {
  const me = useSuspenseQuery(meQuery).data;
  const objects = useObjects();
  const first = me.user?.name.split(/\s+/)[0];
  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={1} fz="h2">
          {first ? `Welcome back, ${first}` : 'Home'}
        </Title>
        <Text c="dimmed">{me.workspace.name}</Text>
      </div>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <RecentlyViewed />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="xs" component="section" aria-labelledby="home-objects">
            <Title order={2} fz="h4" id="home-objects">
              Records
            </Title>
            {objects.map((o) => (
              <Stack key={o.name} gap={0}>
                <Grid gap="xs" align="center">
                  <Grid.Col span="auto">
                    <NavLinkLink to="/$object" params={{ object: o.name }} label={o.labelPlural} mih={44} />
                  </Grid.Col>
                  {can(o, 'create') && (
                    <Grid.Col span="content">
                      <ButtonLink
                        to="/$object/new"
                        params={{ object: o.name }}
                        variant="default"
                        h={40}
                        leftSection={<Icon name="plus" size={16} />}
                        aria-label={`New ${o.singular}`}
                      >
                        New
                      </ButtonLink>
                    </Grid.Col>
                  )}
                </Grid>
              </Stack>
            ))}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
