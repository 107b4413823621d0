import { sql } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { isPgError } from '../db/pg-errors';
import { AppError, notFound } from '../http/errors';
import { audit, notifyAccessChange } from './access.service';

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

/**
 * Removes a member: their team memberships go with them, records they own keep
 * existing without an owner, API keys they created are revoked, and their staff
 * entry moves to the trash. Returns the revoked keys (their caches must be dropped).
 */
export async function removeMember(tx: Tx, actor: Actor, userId: string): Promise<{ revokedKeyIds: string[] }> {
  const { rows } = await sql<{ role: string }>`
    delete from workspace_members where user_id = ${userId}::uuid returning role`.execute(tx);
  if (!rows[0]) throw notFound('Member');
  await assertAnAdministratorRemains(tx);
  const keys = await sql<{ id: string }>`
    update api_keys set revoked_at = now() where created_by = ${userId}::uuid and revoked_at is null returning id`.execute(
    tx,
  );
  const revokedKeyIds = keys.rows.map((k) => k.id);
  await audit(tx, actor, {
    action: 'member.removed',
    detail: { userId, role: rows[0].role, revokedApiKeys: revokedKeyIds },
  });
  await notifyAccessChange(tx, { workspaceId: actor.workspaceId, userId, apiKeyIds: revokedKeyIds });
  return { revokedKeyIds };
}

export async function renameTeam(tx: Tx, actor: Actor, id: string, name: string) {
  let rows: { old: string }[];
  try {
    ({ rows } = await sql<{ old: string }>`
      update teams t set name = ${name} from teams o
      where o.workspace_id = t.workspace_id and o.id = t.id and t.id = ${id}::uuid returning o.name as old`.execute(
      tx,
    ));
  } catch (err) {
    if (isPgError(err, 'uniqueViolation'))
      throw new AppError('already_exists', 'A team has this name', {
        errors: [{ path: 'name', message: 'already used' }],
      });
    throw err;
  }
  if (!rows[0]) throw notFound('Team');
  await audit(tx, actor, { action: 'team.renamed', detail: { teamId: id }, changes: { name: [rows[0].old, name] } });
  return { id, name };
}

/** Deletes a team: its memberships go, records of the team keep existing without one. */
export async function deleteTeam(tx: Tx, actor: Actor, id: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`delete from teams where id = ${id}::uuid returning name`.execute(tx);
  if (!rows[0]) throw notFound('Team');
  await audit(tx, actor, { action: 'team.deleted', detail: { teamId: id, name: rows[0].name } });
  await notifyAccessChange(tx, { workspaceId: actor.workspaceId });
}

export interface WorkspaceSettings {
  name: string;
  auditRetentionDays: number;
}

export async function getSettings(tx: Tx): Promise<WorkspaceSettings> {
  const { rows } = await sql<WorkspaceSettings>`
    select name, audit_retention_days as "auditRetentionDays" from workspaces where id = rapport_workspace()`.execute(
    tx,
  );
  if (!rows[0]) throw notFound('Workspace');
  return rows[0];
}

/** Changes the workspace's name and audit retention; every change is audited from → to. */
export async function updateSettings(
  tx: Tx,
  actor: Actor,
  patch: Partial<WorkspaceSettings>,
): Promise<WorkspaceSettings> {
  const before = await getSettings(tx);
  const after = { ...before, ...patch };
  await sql`update workspaces set name = ${after.name}, audit_retention_days = ${after.auditRetentionDays}
    where id = rapport_workspace()`.execute(tx);
  const changes: Record<string, [unknown, unknown]> = {};
  for (const k of ['name', 'auditRetentionDays'] as const)
    if (before[k] !== after[k]) changes[k] = [before[k], after[k]];
  await audit(tx, actor, { action: 'workspace.settings_changed', changes });
  return after;
}
