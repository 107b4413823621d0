import { Stack, Text } from '@mantine/core';
import { useRouterState } from '@tanstack/react-router';
import { NavLinkLink } from '../../../ui/links';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import classes from '../../shell/components/ObjectNav.module.css';

/** Sales views beside the object lists: the pipeline board and the deals (for those who may read opportunities). */
export function SalesNav({ onNavigate }: { onNavigate?: () => void }) {
  const opportunities = useObjectMeta('opportunities');
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  if (!opportunities) return null;
  return (
    <Stack gap={2} component="nav" aria-label="Sales" mb="sm">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
        Sales
      </Text>
      <NavLinkLink
        to="/pipeline"
        label="Pipeline"
        active={pathname === '/pipeline'}
        onClick={onNavigate}
        className={classes.link}
      />
      <NavLinkLink
        to="/deals"
        label="Deals"
        active={pathname === '/deals'}
        onClick={onNavigate}
        className={classes.link}
      />
    </Stack>
  );
}
