import { Stack } from '@mantine/core';
import { useRouterState } from '@tanstack/react-router';
import { useNavigation } from '../hooks/useNavigation';
import { NAV_GROUPS } from '../navigation';
import { NavGroupSection } from './NavGroupSection';

/**
 * The sidebar: the caller's pages (navigation.ts) in collapsible groups; the Workspace
 * group (workflows, administration) is pinned at the foot, on screen without scrolling.
 */
export function SideNav({ place, onNavigate }: { place: 'scroll' | 'pinned'; onNavigate?: () => void }) {
  const { pages } = useNavigation();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const groups = NAV_GROUPS.filter((g) => (place === 'pinned' ? g.place === 'pinned' : g.place === undefined))
    .map((g) => ({ group: g, pages: pages.filter((p) => p.group === g.key) }))
    .filter((g) => g.pages.length > 0);
  if (groups.length === 0) return null;
  return (
    <Stack gap={4} pt={place === 'pinned' ? 'xs' : 0} style={place === 'pinned' ? PINNED : undefined}>
      {groups.map((g) => (
        <NavGroupSection
          key={g.group.key}
          group={g.group}
          pages={g.pages}
          pathname={pathname}
          onNavigate={onNavigate}
          collapsible={place !== 'pinned'}
        />
      ))}
    </Stack>
  );
}

const PINNED = { borderTop: '1px solid var(--mantine-color-default-border)' };
