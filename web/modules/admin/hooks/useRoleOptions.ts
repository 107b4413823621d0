import { useQuery } from '@tanstack/react-query';
import { rolesQuery } from '../api/admin.api';

/** The workspace's roles as select options (key → name), standard ones first. */
export function useRoleOptions() {
  const roles = useQuery(rolesQuery);
  const options = (roles.data ?? []).map((r) => ({ value: r.key, label: r.name }));
  const nameOf = (key: string) => roles.data?.find((r) => r.key === key)?.name ?? key.replace(/_/g, ' ');
  return { options, nameOf, roles };
}
