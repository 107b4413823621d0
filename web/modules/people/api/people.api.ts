import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/access.ts.
import type { TMember, TTeam } from '../../../../common/contracts/access';
import { getJson } from '../../../lib/http';

/** A member of the workspace (`GET /api/v1/members`). */
export type Member = TMember;

/** A team (`GET /api/v1/teams`). */
export type Team = TTeam;

export const membersQuery = queryOptions({
  queryKey: ['members'],
  queryFn: ({ signal }) => getJson<{ data: Member[] }>('/api/v1/members', signal).then((r) => r.data),
  staleTime: 60_000,
});

export const teamsQuery = queryOptions({
  queryKey: ['teams'],
  queryFn: ({ signal }) => getJson<{ data: Team[] }>('/api/v1/teams', signal).then((r) => r.data),
  staleTime: 60_000,
});
