import { queryOptions } from '@tanstack/react-query';
import { getJson } from '../../../lib/http';

/** A workspace the signed-in user belongs to (`GET /api/v1/me/workspaces`). */
export interface WorkspaceChoice {
  id: string;
  name: string;
  role: string;
  current: boolean;
  default: boolean;
}

export const myWorkspacesQuery = queryOptions({
  queryKey: ['me', 'workspaces'],
  queryFn: ({ signal }) => getJson<{ data: WorkspaceChoice[] }>('/api/v1/me/workspaces', signal).then((r) => r.data),
  staleTime: 5 * 60_000,
});
