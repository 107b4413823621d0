// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/dav.ts.
import { queryOptions } from '@tanstack/react-query';
import type { TAppPassword, TCreatedAppPassword, TDavUrls } from '../../../../common/contracts/dav';
import { getJson, request } from '../../../lib/http';

/** The signed-in member's app passwords (never the passwords themselves). */
export const appPasswordsQuery = queryOptions({
  queryKey: ['dav', 'app-passwords'],
  queryFn: async ({ signal }) => (await getJson<{ data: TAppPassword[] }>('/api/v1/me/app-passwords', signal)).data,
});

/** The addresses a phone or calendar app is given. */
export const davUrlsQuery = queryOptions({
  queryKey: ['dav', 'urls'],
  queryFn: async ({ signal }) => (await getJson<{ data: TDavUrls }>('/api/v1/me/dav', signal)).data,
});

/** A new app password: the password is in this answer only. */
export async function createAppPassword(name: string): Promise<TCreatedAppPassword> {
  return (await request<{ data: TCreatedAppPassword }>('POST', '/api/v1/me/app-passwords', { body: { name } })).body
    .data;
}

export async function revokeAppPassword(id: string): Promise<void> {
  await request<{ data: TAppPassword }>('DELETE', `/api/v1/me/app-passwords/${id}`);
}
