import type { IncomingHttpHeaders } from 'node:http';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TAcceptedInvitation, TInvitation, TInvitationInfo } from '../../../common/contracts/auth';
import { notifyAccessChange } from '../access/access.service';
import { assertRoleExists } from '../access/permissions';
import { type Actor, type SessionUser, toWebHeaders } from '../auth/actor';
import { assertPasswordPolicy } from '../auth/password-policy';
import { hashToken, newToken } from '../auth/tokens';
import type { Database } from '../db/database';
import type { RoleKey } from '../db/schema';
import { AppError, notFound } from '../http/errors';
import { enqueueMail } from '../mail/outbox';
import { type AuthResult, addMember, createUser, type IdentityDeps, normaliseEmail } from './identity.service';

export const INVITATION_TTL_DAYS = 7;

export type InvitationView = TInvitation;

type Row = {
  id: string;
  email: string;
  role: RoleKey;
  invited_by: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
};
const COLUMNS = ['id', 'email', 'role', 'invited_by', 'expires_at', 'accepted_at', 'revoked_at', 'created_at'] as const;

function present(r: Row, now = Date.now()): InvitationView {
  const status = r.accepted_at
    ? 'accepted'
    : r.revoked_at
      ? 'revoked'
      : r.expires_at.getTime() <= now
        ? 'expired'
        : 'pending';
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    invitedBy: r.invited_by,
    expiresAt: r.expires_at.toISOString(),
    acceptedAt: r.accepted_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    status,
  };
}

/** Invites `email` to the actor's workspace with `role` and emails them a link (in the same transaction). */
export async function inviteMember(
  database: Database,
  baseUrl: string,
  actor: Actor,
  input: { email: string; role: RoleKey },
): Promise<InvitationView> {
  const email = normaliseEmail(input.email);
  const token = newToken('inv');
  return database.tenant(actor.workspaceId, async (tx) => {
    await assertRoleExists(tx, input.role);
    const member = await sql`select 1 from workspace_members m join users u on u.id = m.user_id
                             where u.email = ${email}`.execute(tx);
    if (member.rows.length > 0) {
      throw new AppError('already_exists', `${email} is already a member of this workspace`, {
        errors: [{ path: 'email', message: 'already a member' }],
      });
    }
    // A new invitation replaces any pending one for the same address.
    await tx
      .updateTable('invitations')
      .set({ revoked_at: new Date() })
      .where('email', '=', email)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    const workspace = await tx.selectFrom('workspaces').select('name').executeTakeFirstOrThrow();
    const row = await tx
      .insertInto('invitations')
      .values({
        workspace_id: actor.workspaceId,
        id: uuidv7(),
        email,
        role: input.role,
        token_hash: hashToken(token),
        invited_by: actor.userId,
        expires_at: new Date(Date.now() + INVITATION_TTL_DAYS * 86_400_000),
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    const link = `${baseUrl.replace(/\/$/, '')}/accept-invite?token=${encodeURIComponent(token)}`;
    await enqueueMail(tx, actor.workspaceId, {
      to: email,
      subject: `You are invited to ${workspace.name} on Rapport`,
      text:
        `You have been invited to join ${workspace.name} on Rapport as ${input.role.replace('_', ' ')}.\n\n` +
        `Accept the invitation: ${link}\n\nThe link expires in ${INVITATION_TTL_DAYS} days.`,
    });
    return present(row);
  });
}

export async function listInvitations(database: Database, actor: Actor): Promise<InvitationView[]> {
  const rows = await database.tenant(actor.workspaceId, (tx) =>
    tx.selectFrom('invitations').select(COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').execute(),
  );
  return rows.map((r) => present(r));
}

export async function revokeInvitation(database: Database, actor: Actor, id: string): Promise<InvitationView> {
  const row = await database.tenant(actor.workspaceId, (tx) =>
    tx
      .updateTable('invitations')
      .set({ revoked_at: sql`coalesce(revoked_at, now())` })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst(),
  );
  if (!row) throw notFound('Invitation');
  return present(row);
}

/** Finds a usable invitation by its secret token (system access: the workspace is not known yet). */
async function findPending(database: Database, token: string) {
  const row = await database.db
    .selectFrom('invitations as i')
    .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
    .select(['i.workspace_id', 'i.id', 'i.email', 'i.role', 'i.expires_at', 'i.accepted_at', 'i.revoked_at', 'w.name'])
    .where('i.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.accepted_at || row.revoked_at || row.expires_at.getTime() <= Date.now()) {
    throw new AppError('not_found', 'This invitation does not exist, has expired, or was already used');
  }
  return row;
}

/** What the accept page shows before the invitee commits. */
export async function lookupInvitation(database: Database, token: string): Promise<TInvitationInfo> {
  const row = await findPending(database, token);
  return {
    workspace: { id: row.workspace_id, name: row.name },
    email: row.email,
    role: row.role,
    expiresAt: row.expires_at.toISOString(),
  };
}

/**
 * Accepts an invitation: a signed-in user with the invited email joins;
 * otherwise a new account is created for the invited email with `name` and `password`.
 */
export async function acceptInvitation(
  deps: IdentityDeps,
  token: string,
  signedIn: SessionUser | null,
  input: { name?: string; password?: string },
  headers: IncomingHttpHeaders,
): Promise<AuthResult<TAcceptedInvitation> & { claimed?: { revokedApiKeyIds: string[] } }> {
  const inv = await findPending(deps.database, token);
  let userId: string;
  let setCookies: string[] = [];
  /** Set when an unverified account was claimed: its old sessions ended and these keys were revoked. */
  let revokedApiKeyIds: string[] | undefined;
  if (signedIn) {
    if (normaliseEmail(signedIn.email) !== inv.email) {
      throw new AppError('forbidden', 'This invitation was sent to another email address');
    }
    userId = signedIn.id;
  } else {
    const existing = await deps.database.db
      .selectFrom('users')
      .select(['id', 'email_verified'])
      .where('email', '=', inv.email)
      .executeTakeFirst();
    if (existing?.email_verified) {
      throw new AppError(
        'conflict',
        'An account with this email exists: sign in (or reset its password by email), then accept the invitation',
      );
    }
    const errors = [];
    if (!input.name?.trim()) errors.push({ path: 'name', message: 'required to create your account' });
    if (!input.password) errors.push({ path: 'password', message: 'required to create your account' });
    if (errors.length > 0) throw new AppError('validation_failed', 'Name and password are required', { errors });
    const name = input.name?.trim() ?? '';
    const password = input.password ?? '';
    assertPasswordPolicy(password, { email: inv.email, name });
    if (existing) {
      // Registered but never verified: whoever did so has not shown they own the
      // address, and this link, delivered to it, shows that its holder does.
      ({ userId, setCookies, revokedApiKeyIds } = await claimUnverifiedAccount(
        deps,
        existing.id,
        { name, password },
        headers,
      ));
    } else {
      ({ userId, setCookies } = await createUser(deps, { name, email: inv.email, password }, headers));
    }
  }
  // Claim the invitation first so two concurrent accepts cannot both succeed.
  const claimed = await deps.database.system((tx) =>
    tx
      .updateTable('invitations')
      .set({ accepted_at: new Date(), accepted_by: userId })
      .where('workspace_id', '=', inv.workspace_id)
      .where('id', '=', inv.id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst(),
  );
  if (Number(claimed.numUpdatedRows) !== 1) {
    throw new AppError('conflict', 'This invitation was already used');
  }
  await addMember(deps.database, inv.workspace_id, userId, inv.role);
  // The token reached its holder at the invited address: that proves the address.
  await deps.database.system((tx) =>
    tx.updateTable('users').set({ email_verified: true }).where('id', '=', userId).execute(),
  );
  return {
    data: { workspaceId: inv.workspace_id, role: inv.role, userId },
    setCookies,
    ...(revokedApiKeyIds ? { claimed: { revokedApiKeyIds } } : {}),
  };
}

/**
 * Makes an unverified account over to whoever proved its address (with an
 * invitation link): their name and password replace the old ones, every session of
 * the account ends and its API keys are revoked (so whoever registered the address
 * keeps no way in), and a session starts for the new holder.
 */
async function claimUnverifiedAccount(
  deps: IdentityDeps,
  userId: string,
  input: { name: string; password: string },
  headers: IncomingHttpHeaders,
): Promise<{ userId: string; setCookies: string[]; revokedApiKeyIds: string[] }> {
  const ctx = await deps.auth.$context;
  const hashed = await ctx.password.hash(input.password);
  const { email, revokedApiKeyIds } = await deps.database.system(async (tx) => {
    const user = await tx
      .updateTable('users')
      .set({ name: input.name, email_verified: true })
      .where('id', '=', userId)
      .where('email_verified', '=', false)
      .returning('email')
      .executeTakeFirst();
    if (!user)
      throw new AppError('conflict', 'This account was verified meanwhile: sign in, then accept the invitation');
    await tx
      .updateTable('auth_accounts' as never)
      .set({ password: hashed, updated_at: new Date() } as never)
      .where('user_id' as never, '=', userId as never)
      .where('provider_id' as never, '=', 'credential' as never)
      .execute();
    await tx
      .deleteFrom('sessions' as never)
      .where('user_id' as never, '=', userId as never)
      .execute();
    // A second factor the previous holder set up is theirs, not the new holder's.
    await sql`delete from user_recovery_codes where user_id = ${userId}`.execute(tx);
    await sql`delete from user_two_factor where user_id = ${userId}`.execute(tx);
    const keys = await sql<{ id: string; workspace_id: string }>`
      update api_keys set revoked_at = now() where created_by = ${userId} and revoked_at is null
      returning id, workspace_id`.execute(tx);
    for (const k of keys.rows) {
      await notifyAccessChange(tx, { workspaceId: k.workspace_id, apiKeyIds: [k.id] });
    }
    return { email: user.email, revokedApiKeyIds: keys.rows.map((k) => k.id) };
  });
  const { headers: out } = await deps.auth.api.signInEmail({
    body: { email, password: input.password },
    headers: toWebHeaders(headers),
    returnHeaders: true,
  });
  return { userId, setCookies: out.getSetCookie(), revokedApiKeyIds };
}
