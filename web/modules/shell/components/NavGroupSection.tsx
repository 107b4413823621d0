import { Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import { useNavFold } from '../nav-folds';
import type { NavGroup, NavPage } from '../navigation';
import { NavTargetLink } from './NavTargetLink';
import classes from './ObjectNav.module.css';

/**
 * One sidebar group: a heading that folds it (remembered in this browser) and its page
 * links. A group holding the current page is always open, so the current page shows.
 */
export function NavGroupSection({
  group,
  pages,
  pathname,
  onNavigate,
  collapsible,
}: {
  group: NavGroup;
  pages: NavPage[];
  pathname: string;
  onNavigate?: () => void;
  collapsible: boolean;
}) {
  const [stored, setStored] = useNavFold(group.key);
  const holdsCurrent = pages.some((p) => p.current(pathname));
  const open = !collapsible || holdsCurrent || (stored ?? group.defaultOpen);
  const listId = `nav-links-${group.key}`;
  return (
    <Stack gap={2} component="nav" aria-label={group.label}>
      {collapsible ? (
        <UnstyledButton
          className={classes.heading}
          onClick={() => setStored(!open)}
          aria-expanded={open}
          aria-controls={listId}
          disabled={holdsCurrent}
          data-testid={`nav-group-${group.key}`}
        >
          <Group justify="space-between" wrap="nowrap" px="sm">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase">
              {group.label}
            </Text>
            {!holdsCurrent && <Icon name={open ? 'up' : 'down'} size={14} />}
          </Group>
        </UnstyledButton>
      ) : (
        <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" py={4}>
          {group.label}
        </Text>
      )}
      {open && (
        <Stack gap={2} id={listId}>
          {pages.map((p) => (
            <NavTargetLink
              key={p.key}
              target={p.link}
              label={p.label}
              active={p.current(pathname)}
              onClick={onNavigate}
              className={classes.link}
              data-testid={p.testId}
            />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
