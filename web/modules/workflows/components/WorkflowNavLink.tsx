import { Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRouterState } from '@tanstack/react-router';
import { NavLinkLink } from '../../../ui/links';
import { meQuery } from '../../auth/api/auth.api';
import classes from '../../shell/components/ObjectNav.module.css';

/** "Workflows" in the navigation, for the roles that manage them (the server decides; this mirrors the defaults). */
export function WorkflowNavLink({ onNavigate }: { onNavigate?: () => void }) {
  const me = useQuery(meQuery).data;
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  if (me?.role !== 'administrator' && me?.role !== 'marketing_manager') return null;
  return (
    <Stack gap={2} component="nav" aria-label="Workflows" mt="md">
      <NavLinkLink
        to="/workflows"
        label="Workflows"
        active={pathname.startsWith('/workflows')}
        onClick={onNavigate}
        className={classes.link}
      />
    </Stack>
  );
}
