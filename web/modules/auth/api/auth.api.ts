import { queryOptions } from '@tanstack/react-query';
import { ApiError, getJson, request } from '../../../lib/http';
import { chooseWorkspace, chosenWorkspace } from '../../../lib/workspace';

/** `GET /api/v1/me` (common/contracts/platform.ts MeResponse). */
export interface Me {
  user: { id: string; name: string; email: string; emailVerified: boolean } | null;
  workspace: { id: string; name: string };
  role: string;
  via: 'session' | 'api_key';
  scopes: string[];
}

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  workspaceName: string;
}

export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: async ({ signal }) => {
    try {
      return (await getJson<{ data: Me }>('/api/v1/me', signal)).data;
    } catch (err) {
      // The workspace chosen in this browser is no longer the user's: fall back to their default.
      if (!(err instanceof ApiError && err.status === 403 && chosenWorkspace())) throw err;
      chooseWorkspace(null);
      return (await getJson<{ data: Me }>('/api/v1/me', signal)).data;
    }
  },
  staleTime: 5 * 60_000,
  retry: false,
});

export async function signIn(input: { email: string; password: string }): Promise<Me> {
  return (await request<{ data: Me }>('POST', '/api/v1/auth/sign-in', { body: input })).body.data;
}

export async function signUp(input: SignUpInput): Promise<Me> {
  return (await request<{ data: Me }>('POST', '/api/v1/auth/sign-up', { body: input })).body.data;
}

export async function signOut(): Promise<void> {
  await request<void>('POST', '/api/v1/auth/sign-out');
}
