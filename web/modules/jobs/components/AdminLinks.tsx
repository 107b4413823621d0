import { Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRouterState } from '@tanstack/react-router';
import { NavLinkLink } from '../../../ui/links';
import { meQuery } from '../../auth/api/auth.api';
import classes from '../../shell/components/ObjectNav.module.css';

/** Navigation to the automation admin pages , for administrators only. */
export function AdminLinks({ onNavigate }: { onNavigate?: () => void }) {
  const me = useQuery(meQuery).data;
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  if (me?.role !== 'administrator') return null;
  const links = [{ to: '/admin/jobs', label: 'Background jobs' }] as const;
  return (
    <Stack gap={2} component="nav" aria-label="Automation" mt="md">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
        Automation
      </Text>
      {links.map((l) => (
        <NavLinkLink
          key={l.to}
          to={l.to}
          label={l.label}
          active={pathname === l.to}
          onClick={onNavigate}
          className={classes.link}
        />
      ))}
    </Stack>
  );
}
