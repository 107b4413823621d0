// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/auth.ts.
import { queryOptions } from '@tanstack/react-query';
import type { TChangePasswordRequest, TPasswordResetConfirmRequest, TSession } from '../../../../common/contracts/auth';
import { getJson, request } from '../../../lib/http';

/** The signed-in user's sessions (GET /api/v1/auth/sessions). */
export const sessionsQuery = queryOptions({
  queryKey: ['auth', 'sessions'],
  queryFn: async ({ signal }) => (await getJson<{ data: TSession[] }>('/api/v1/auth/sessions', signal)).data,
});

export async function changePassword(input: TChangePasswordRequest): Promise<void> {
  await request<void>('POST', '/api/v1/auth/password', { body: input });
}

export async function revokeSession(id: string): Promise<void> {
  await request<void>('DELETE', `/api/v1/auth/sessions/${encodeURIComponent(id)}`);
}

/** Emails a reset link; the answer is the same whether the address has an account or not. */
export async function requestPasswordReset(email: string): Promise<void> {
  await request<void>('POST', '/api/v1/auth/password-reset', { body: { email } });
}

export async function confirmPasswordReset(input: TPasswordResetConfirmRequest): Promise<void> {
  await request<void>('POST', '/api/v1/auth/password-reset/confirm', { body: input });
}

export async function verifyEmail(token: string): Promise<void> {
  await request<void>('POST', '/api/v1/auth/verify-email', { body: { token } });
}

export async function resendVerification(): Promise<void> {
  await request<void>('POST', '/api/v1/auth/verify-email/resend');
}
