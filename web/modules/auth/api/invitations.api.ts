import { getJson, request, withQuery } from '../../../lib/http';

/** What an invitation token is for (`GET /api/v1/invitations/lookup`). */
export interface InvitationInfo {
  workspace: { id: string; name: string };
  email: string;
  role: string;
  expiresAt: string;
}

export async function lookupInvitation(token: string, signal?: AbortSignal): Promise<InvitationInfo> {
  return (await getJson<{ data: InvitationInfo }>(withQuery('/api/v1/invitations/lookup', { token }), signal)).data;
}

/** Accepts as the signed-in user, or creates the account (name, password) and signs it in. */
export async function acceptInvitation(input: { token: string; name?: string; password?: string }) {
  return (
    await request<{ data: { workspaceId: string; role: string; userId: string } }>(
      'POST',
      '/api/v1/invitations/accept',
      { body: input },
    )
  ).body.data;
}
