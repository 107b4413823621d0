import { sql } from 'kysely';
import type { TMember } from '../../../common/contracts/access';
import type { Actor } from '../auth/actor';
import type { Database, Tx } from '../db/database';
import { AppError, notFound } from '../http/errors';
import type { AccessChanges } from './access-changes';

/** Members whose role administers the workspace (a standard administrator, or a custom role with `admin`). */
async function administratorCount(tx: Tx): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from workspace_members m join roles r on r.key = m.role
    where coalesce((r.permissions ->> 'admin')::boolean, r.permissions is null and r.key = 'administrator')`.execute(
    tx,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Refuses (409, and the caller's transaction rolls back) a change that leaves the
 * workspace without anyone able to administer it: demoting or removing the last
 * administrator, or taking `admin` away from the last administrators' role.
 */
export async function assertAnAdministratorRemains(tx: Tx): Promise<void> {
  if ((await administratorCount(tx)) === 0) {
    throw new AppError('conflict', 'A workspace needs at least one administrator: make someone else one first');
  }
}

/** The workspace's members: who they are, their role and teams; role changes and removal. */
export class MembersService {
  constructor(private readonly deps: { database: Database; changes: AccessChanges }) {}

  /** Every member with their role and teams, by name (any member may read it). */
  async list(actor: Actor): Promise<TMember[]> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      const { rows } = await sql<Omit<TMember, 'joinedAt'> & { joinedAt: Date }>`
        select u.id, u.name, coalesce(u.pending_email, u.email) as email, m.role, m.created_at as "joinedAt",
          coalesce((select array_agg(tm.team_id) from team_members tm where tm.user_id = u.id), '{}') as "teamIds"
        from workspace_members m join users u on u.id = m.user_id order by u.name`.execute(tx);
      return rows.map((r) => ({ ...r, joinedAt: new Date(r.joinedAt).toISOString() }));
    });
  }

  /** Gives a member another role of the workspace; refused when no administrator would remain. */
  async changeRole(actor: Actor, userId: string, role: string): Promise<{ userId: string; role: string }> {
    return this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows: exists } = await sql`select 1 from roles where key = ${role}`.execute(tx);
      if (!exists.length)
        throw new AppError('validation_failed', 'No such role', {
          errors: [{ path: 'role', message: 'is not a role of this workspace' }],
        });
      const { rows } = await sql<{ role: string }>`update workspace_members m set role = ${role}
        from workspace_members old where old.workspace_id = m.workspace_id and old.user_id = m.user_id and m.user_id = ${userId}::uuid
        returning old.role`.execute(tx);
      if (!rows[0]) throw notFound('Member');
      await assertAnAdministratorRemains(tx);
      return {
        result: { userId, role },
        audit: { action: 'member.role_changed', detail: { userId, from: rows[0].role, to: role } },
        stale: { userId },
      };
    });
  }

  /**
   * Removes a member: their team memberships go with them, records they own keep
   * existing without an owner, API keys they created are revoked, and their staff
   * entry moves to the trash (a trigger on workspace_members). The last administrator
   * cannot be removed.
   */
  async remove(actor: Actor, userId: string): Promise<void> {
    await this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows } = await sql<{ role: string }>`
        delete from workspace_members where user_id = ${userId}::uuid returning role`.execute(tx);
      if (!rows[0]) throw notFound('Member');
      await assertAnAdministratorRemains(tx);
      const keys = await sql<{ id: string }>`
        update api_keys set revoked_at = now() where created_by = ${userId}::uuid and revoked_at is null returning id`.execute(
        tx,
      );
      const revokedKeyIds = keys.rows.map((k) => k.id);
      return {
        result: undefined,
        audit: { action: 'member.removed', detail: { userId, role: rows[0].role, revokedApiKeys: revokedKeyIds } },
        stale: { userId, apiKeyIds: revokedKeyIds },
      };
    });
  }
}
