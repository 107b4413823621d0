import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { myPermissionsQuery } from '../../admin/api/admin.api';
import { meQuery } from '../../auth/api/auth.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { type NavContext, navActions, navPages } from '../navigation';

/** The caller's pages and actions (navigation.ts), for the sidebar and the command palette. */
export function useNavigation() {
  const me = useSuspenseQuery(meQuery).data;
  const objects = useObjects();
  // The administration right arrives a moment later; until then its pages are simply absent.
  const admin = useQuery(myPermissionsQuery).data?.admin === true;
  return useMemo(() => {
    const ctx: NavContext = { role: me.role, admin, person: me.user !== null, objects };
    return { ctx, pages: navPages(ctx), actions: navActions(ctx) };
  }, [me.role, me.user, admin, objects]);
}
