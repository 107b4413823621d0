import { Text } from '@mantine/core';
import { NavLinkLink } from '../../../ui/links';

/** Navigation to the caller's day and calendar. */
export function PlannerNav({
  pathname,
  onNavigate,
  className,
}: {
  pathname: string;
  onNavigate?: () => void;
  className?: string;
}) {
  return (
    <>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
        Planner
      </Text>
      <NavLinkLink
        to="/my-day"
        label="My day"
        active={pathname === '/my-day'}
        onClick={onNavigate}
        className={className}
      />
      <NavLinkLink
        to="/calendar"
        label="Calendar"
        active={pathname === '/calendar'}
        onClick={onNavigate}
        className={className}
        mb="sm"
      />
    </>
  );
}
