import { AppShell, Badge, Burger, Button, Group, ScrollArea, Text } from '@mantine/core';
import { useDisclosure, useHotkeys, useMediaQuery } from '@mantine/hooks';
import { useSuspenseQuery } from '@tanstack/react-query';
import { Link, Outlet } from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import { Icon } from '../../../ui/Icon';
import { meQuery } from '../../auth/api/auth.api';
import { NotificationBell } from '../../notifications/components/NotificationBell';
import { useObjects } from '../../objects/hooks/useObjects';
import { useOnline } from '../../offline/hooks/useOnline';
import { useShortcutLayer } from '../../shortcuts/hooks/useShortcutLayer';
import { WorkspaceSwitcher } from '../../workspaces/components/WorkspaceSwitcher';
import { SideNav } from './SideNav';
import { ThemeToggle } from './ThemeToggle';
import { UserMenu } from './UserMenu';

// The palette loads on first use, keeping it out of every page's initial download.
const CommandPalette = lazy(() =>
  import('../../search/components/CommandPalette').then((m) => ({ default: m.CommandPalette })),
);
const ShortcutsHelp = lazy(() =>
  import('../../shortcuts/components/ShortcutsHelp').then((m) => ({ default: m.ShortcutsHelp })),
);

/** The signed-in frame: header (workspace, search, theme, user), the grouped navigation, and the page. */
export function AppLayout() {
  const me = useSuspenseQuery(meQuery).data;
  const [navOpen, nav] = useDisclosure(false);
  // On phones the closed menu sits off screen: keep it out of the tab order and screen readers.
  const phone = useMediaQuery('(max-width: 48em)');
  const [paletteOpen, palette] = useDisclosure(false);
  const [paletteLoaded, setPaletteLoaded] = useDisclosure(false);
  const openPalette = () => {
    setPaletteLoaded.open();
    palette.open();
  };
  useHotkeys([['mod+K', openPalette]], []);
  const objects = useObjects();
  const [helpOpen, help] = useDisclosure(false);
  const online = useOnline();
  const goKeys = useShortcutLayer({ objects, openHelp: help.open, openSearch: openPalette });

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              w={40}
              h={40}
              aria-label="Toggle navigation"
              aria-expanded={navOpen}
            />
            <Text
              component={Link}
              to="/"
              fw={800}
              c="blue"
              fz="lg"
              h={40}
              display="flex"
              style={{ alignItems: 'center' }}
            >
              Rapport
            </Text>
            <WorkspaceSwitcher name={me.workspace.name} visibleFrom="xs" testId="workspace-name" />
            {!online && (
              <Badge color="orange" variant="light" role="status" style={{ flexShrink: 0 }}>
                Offline
              </Badge>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button
              variant="default"
              onClick={openPalette}
              leftSection={<Icon name="search" size={16} />}
              h={40}
              title="Search (Ctrl+K)"
              aria-label="Search"
              aria-keyshortcuts="Control+K Meta+K"
            >
              <Text size="sm" visibleFrom="sm" component="span">
                Search
              </Text>
            </Button>
            <NotificationBell />
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" inert={phone && !navOpen}>
        <AppShell.Section grow component={ScrollArea} type="auto">
          <Group px="sm" py={4} hiddenFrom="xs">
            <WorkspaceSwitcher name={me.workspace.name} />
          </Group>
          <SideNav place="scroll" onNavigate={nav.close} />
        </AppShell.Section>
        {/* Workflows and administration stay on screen however long the lists above grow. */}
        <AppShell.Section>
          <SideNav place="pinned" onNavigate={nav.close} />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      {helpOpen && (
        <Suspense fallback={null}>
          <ShortcutsHelp opened={helpOpen} onClose={help.close} goKeys={goKeys} objects={objects} />
        </Suspense>
      )}
      {paletteLoaded && (
        <Suspense fallback={null}>
          <CommandPalette opened={paletteOpen} onClose={palette.close} />
        </Suspense>
      )}
    </AppShell>
  );
}
