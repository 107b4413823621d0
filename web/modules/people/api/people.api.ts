import { queryOptions } from '@tanstack/react-query';
import { getJson } from '../../../lib/http';

/** A member of the workspace (`GET /api/v1/members`). */
export interface Member {
  id: string;
  name: string;
  email: string;
  role: string;
  teamIds: string[];
}

/** A team (`GET /api/v1/teams`). */
export interface Team {
  id: string;
  name: string;
  memberIds: string[];
}

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
