import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/auth.ts.
import type { TMe, TSignInRequest, TSignUpRequest } from '../../../../common/contracts/auth';
import { ApiError, getJson, request } from '../../../lib/http';
import { chooseWorkspace, chosenWorkspace } from '../../../lib/workspace';

/** `GET /api/v1/me`: the caller, their workspace and role. */
export type Me = TMe;

export type SignUpInput = TSignUpRequest;

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

export async function signIn(input: TSignInRequest): Promise<Me> {
  return (await request<{ data: Me }>('POST', '/api/v1/auth/sign-in', { body: input })).body.data;
}

export async function signUp(input: SignUpInput): Promise<Me> {
  return (await request<{ data: Me }>('POST', '/api/v1/auth/sign-up', { body: input })).body.data;
}

export async function signOut(): Promise<void> {
  await request<void>('POST', '/api/v1/auth/sign-out');
}
