import { useQuery } from '@tanstack/react-query';
import type { FieldMeta } from '../../objects/api/objects.api';
import { membersQuery, teamsQuery } from '../api/people.api';

/**
 * The people a `user` field can point at, as select options: workspace members, or
 * teams for the record's team field (typed `user` in the metadata, holding a team id).
 */
export function usePeople(field: FieldMeta) {
  const isTeam = field.name === 'teamId';
  const members = useQuery({ ...membersQuery, enabled: !isTeam });
  const teams = useQuery({ ...teamsQuery, enabled: isTeam });
  const options = isTeam
    ? (teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))
    : (members.data ?? []).map((m) => ({ value: m.id, label: m.name || m.email }));
  return { options, isLoading: isTeam ? teams.isLoading : members.isLoading };
}
