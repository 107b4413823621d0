import { Alert, Box, Group, ScrollArea, Stack, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Navigate } from '@tanstack/react-router';
import { Suspense } from 'react';
import { PageLoader } from '../../../app/PageLoader';
import { ButtonLink, NavLinkLink } from '../../../ui/links';
import classes from '../../shell/components/ObjectNav.module.css';
import { ADMIN_PAGES } from '../admin-pages';
import { myPermissionsQuery } from '../api/admin.api';
import { AdminLoading } from './AdminState';

const route = getRouteApi('/_app/admin/$');

/** /admin/*: the administration sub-navigation (ADMIN_PAGES) and the chosen page. */
export function AdminLayout() {
  const { _splat } = route.useParams();
  const perms = useQuery(myPermissionsQuery);
  const phone = useMediaQuery('(max-width: 48em)');
  const [first, ...rest] = (_splat ?? '').split('/').filter(Boolean);
  const current = ADMIN_PAGES.find((p) => p.path === first);

  if (perms.isPending) return <AdminLoading label="Loading administration" />;
  if (!perms.data?.admin) {
    return (
      <Alert color="red" title="Administrators only" role="alert">
        Your role does not administer this workspace. Ask an administrator if you need a change.
      </Alert>
    );
  }
  const firstPage = ADMIN_PAGES[0];
  if (!current && firstPage) return <Navigate to="/admin/$" params={{ _splat: firstPage.path }} replace />;
  const Page = current?.component;

  const links = ADMIN_PAGES.map((p) =>
    phone ? (
      <ButtonLink
        key={p.path}
        to="/admin/$"
        params={{ _splat: p.path }}
        variant={p === current ? 'light' : 'subtle'}
        h={40}
        style={{ flex: 'none' }}
        aria-current={p === current ? 'page' : undefined}
      >
        {p.label}
      </ButtonLink>
    ) : (
      <NavLinkLink
        key={p.path}
        to="/admin/$"
        params={{ _splat: p.path }}
        label={p.label}
        active={p === current}
        className={classes.link}
      />
    ),
  );

  return (
    <Stack gap="md">
      <Title order={1} fz={{ base: 'h3', xs: 'h2' }}>
        Administration
      </Title>
      <Group align="flex-start" gap="lg" wrap={phone ? 'wrap' : 'nowrap'}>
        <Box component="nav" aria-label="Administration pages" w={phone ? '100%' : 200} style={{ flex: 'none' }}>
          {phone ? (
            <ScrollArea type="auto" offsetScrollbars>
              <Group gap={4} wrap="nowrap">
                {links}
              </Group>
            </ScrollArea>
          ) : (
            <Stack gap={2}>{links}</Stack>
          )}
        </Box>
        <Box style={{ flex: 1, minWidth: 0 }} w={phone ? '100%' : undefined}>
          <Suspense fallback={<PageLoader />}>{Page && <Page rest={rest} />}</Suspense>
        </Box>
      </Group>
    </Stack>
  );
}
