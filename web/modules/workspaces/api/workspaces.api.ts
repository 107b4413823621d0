import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { MyWorkspacesResponse } from '../../../../common/contracts/auth';
import { getJson } from '../../../lib/http';

/** A workspace the signed-in user belongs to (`GET /api/v1/me/workspaces`). */
export type WorkspaceChoice = z.infer<typeof MyWorkspacesResponse>['data'][number];

export const myWorkspacesQuery = queryOptions({
  queryKey: ['me', 'workspaces'],
  queryFn: ({ signal }) =>
    getJson<z.infer<typeof MyWorkspacesResponse>>('/api/v1/me/workspaces', signal).then((r) => r.data),
  staleTime: 5 * 60_000,
});
