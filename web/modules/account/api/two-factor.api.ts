// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/auth.ts.
import { queryOptions } from '@tanstack/react-query';
import type {
  TRecoveryCodes,
  TTwoFactorDisableRequest,
  TTwoFactorSetup,
  TTwoFactorStatus,
} from '../../../../common/contracts/auth';
import { getJson, request } from '../../../lib/http';

/** The signed-in user's second factor (GET /api/v1/me/two-factor). */
export const twoFactorQuery = queryOptions({
  queryKey: ['auth', 'two-factor'],
  queryFn: async ({ signal }) => (await getJson<{ data: TTwoFactorStatus }>('/api/v1/me/two-factor', signal)).data,
});

/** Starts enrolment: a new secret and its otpauth:// URL (for the QR code). */
export async function startTwoFactor(): Promise<TTwoFactorSetup> {
  return (await request<{ data: TTwoFactorSetup }>('POST', '/api/v1/me/two-factor')).body.data;
}

/** Confirms enrolment with a first code; answers the recovery codes (shown once). */
export async function confirmTwoFactor(code: string): Promise<TRecoveryCodes> {
  return (await request<{ data: TRecoveryCodes }>('POST', '/api/v1/me/two-factor/verify', { body: { code } })).body
    .data;
}

/** New recovery codes (needs a current code); the old ones stop working. */
export async function regenerateRecoveryCodes(code: string): Promise<TRecoveryCodes> {
  return (await request<{ data: TRecoveryCodes }>('POST', '/api/v1/me/two-factor/recovery-codes', { body: { code } }))
    .body.data;
}

export async function disableTwoFactor(input: TTwoFactorDisableRequest): Promise<void> {
  await request<void>('POST', '/api/v1/me/two-factor/disable', { body: input });
}
