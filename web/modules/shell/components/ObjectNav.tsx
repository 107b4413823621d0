import { Stack, Text } from '@mantine/core';
import { useRouterState } from '@tanstack/react-router';
import { NavLinkLink } from '../../../ui/links';
import { useObjects } from '../../objects/hooks/useObjects';
import { PlannerNav } from '../../tasks/components/PlannerNav';
import classes from './ObjectNav.module.css';

/** One link per object of the workspace, straight from the metadata (custom objects appear too). */
export function ObjectNav({ onNavigate }: { onNavigate?: () => void }) {
  const objects = useObjects();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  return (
    <Stack gap={2} component="nav" aria-label="Objects">
      <PlannerNav pathname={pathname} onNavigate={onNavigate} className={classes.link} />
      <NavLinkLink
        to="/feed"
        label="Feed"
        active={pathname === '/feed'}
        onClick={onNavigate}
        className={classes.link}
      />
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
        Records
      </Text>
      {objects.map((o) => (
        <NavLinkLink
          key={o.name}
          to="/$object"
          params={{ object: o.name }}
          label={o.labelPlural}
          active={pathname === `/${o.name}` || pathname.startsWith(`/${o.name}/`)}
          onClick={onNavigate}
          className={classes.link}
        />
      ))}
    </Stack>
  );
}
