// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/auth.ts.
import type { TAcceptedInvitation, TAcceptInvitationRequest, TInvitationInfo } from '../../../../common/contracts/auth';
import { getJson, request, withQuery } from '../../../lib/http';

/** What an invitation token is for (`GET /api/v1/invitations/lookup`). */
export type InvitationInfo = TInvitationInfo;

export async function lookupInvitation(token: string, signal?: AbortSignal): Promise<InvitationInfo> {
  return (await getJson<{ data: InvitationInfo }>(withQuery('/api/v1/invitations/lookup', { token }), signal)).data;
}

/** Accepts as the signed-in user, or creates the account (name, password) and signs it in. */
export async function acceptInvitation(input: TAcceptInvitationRequest): Promise<TAcceptedInvitation> {
  return (await request<{ data: TAcceptedInvitation }>('POST', '/api/v1/invitations/accept', { body: input })).body
    .data;
}
