import { useQuery } from '@tanstack/react-query';
import { useRouterState } from '@tanstack/react-router';
import { NavLinkLink } from '../../../ui/links';
import classes from '../../shell/components/ObjectNav.module.css';
import { myPermissionsQuery } from '../api/admin.api';

/** The shell's way into administration, shown only to administrators (the server refuses everyone else anyway). */
export function AdminNavLink({ onNavigate }: { onNavigate?: () => void }) {
  const perms = useQuery(myPermissionsQuery);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  if (!perms.data?.admin) return null;
  return (
    <nav aria-label="Administration">
      <NavLinkLink
        to="/admin/$"
        params={{ _splat: '' }}
        label="Administration"
        active={pathname === '/admin' || pathname.startsWith('/admin/')}
        onClick={onNavigate}
        className={classes.link}
        mt="md"
        data-testid="admin-nav"
      />
    </nav>
  );
}
