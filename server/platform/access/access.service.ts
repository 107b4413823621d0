import { AsyncLocalStorage } from 'node:async_hooks';
import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../auth/actor';
import { TtlCache } from '../auth/ttl-cache';
import { type Database, readingReplica, type Tx } from '../db/database';
import { AppError } from '../http/errors';
import {
  intersectPermissions,
  type ResolvedObjectPermission,
  type RolePermissions,
  resolveObject,
  STANDARD_PERMISSIONS,
  type StandardRole,
} from './permissions';

export type ObjectAction = 'create' | 'read' | 'update' | 'delete' | 'export';

/** What one caller may do, computed once per request. */
export class AccessPolicy {
  private readonly perObject = new Map<string, ResolvedObjectPermission>();

  constructor(
    readonly actor: Actor,
    readonly permissions: RolePermissions,
    /** Teams the calling user belongs to. */
    readonly teamIds: string[],
    /** Objects with records shared with the user or their teams (others skip the share check). */
    readonly sharedObjects: ReadonlySet<string> = new Set(),
  ) {}

  get admin(): boolean {
    return !!this.permissions.admin && (this.actor.scopes.length === 0 || this.actor.scopes.includes('admin'));
  }

  /** The caller's permissions on an object, narrowed by an API key's scopes. */
  object(name: string): ResolvedObjectPermission {
    let p = this.perObject.get(name);
    if (!p) {
      p = resolveObject(this.permissions, name);
      const scopes = this.actor.scopes;
      if (scopes.length > 0 && !scopes.includes('write') && !scopes.includes('admin')) {
        p = { ...p, create: false, update: false, delete: false };
      }
      this.perObject.set(name, p);
    }
    return p;
  }

  can(object: string, action: ObjectAction): boolean {
    return this.object(object)[action];
  }

  /** Throws 403 naming the action when the role may not do it. */
  assert(object: string, action: ObjectAction): void {
    if (!this.can(object, action)) {
      throw new AppError('forbidden', `Your role may not ${action} ${object}`);
    }
  }

  /**
   * The SQL condition a record (table alias `alias`) must meet to be within the
   * caller's record scope: owned, in one of their teams (team scope), or shared with
   * them or their teams (edit shares only, for writes).
   */
  scope(object: string, alias: string, mode: 'read' | 'write'): RawBuilder<unknown> | undefined {
    const p = this.object(object);
    if (p.scope === 'all') return undefined;
    const me = this.actor.userId;
    const a = (c: string) => sql.ref(`${alias}.${c}`);
    const ors: RawBuilder<unknown>[] = [];
    if (me) ors.push(sql`${a('owner_id')} = ${me}::uuid`);
    if (p.scope === 'team' && this.teamIds.length > 0) {
      ors.push(sql`${a('team_id')} = any(${this.teamIds}::uuid[])`);
      ors.push(
        sql`${a('owner_id')} in (select tm.user_id from team_members tm where tm.team_id = any(${this.teamIds}::uuid[]))`,
      );
    }
    const who = [
      ...(me ? [sql`s.user_id = ${me}::uuid`] : []),
      ...(this.teamIds.length ? [sql`s.team_id = any(${this.teamIds}::uuid[])`] : []),
    ];
    if (who.length > 0 && this.sharedObjects.has(object)) {
      ors.push(sql`exists (select 1 from record_shares s where s.object = ${object} and s.record_id = ${a('id')}
        and (${sql.join(who, sql` or `)}) ${mode === 'write' ? sql`and s.access = 'edit'` : sql``})`);
    }
    return ors.length > 0 ? sql`(${sql.join(ors, sql` or `)})` : sql`false`;
  }
}

/** NOTIFY channel telling every app server that a workspace's roles, members, teams or shares changed. */
export const ACCESS_CHANNEL = 'rapport_access';

/** What changed, as carried in an ACCESS_CHANNEL notification. */
export interface AccessChange {
  /** The workspace whose cached roles, teams and shares are stale. */
  workspaceId: string;
  /** A member whose cached membership (role) is stale. */
  userId?: string;
  /** API keys that were revoked. */
  apiKeyIds?: string[];
}

/**
 * Tells every app server, when this transaction commits, to drop its cached
 * policies of the workspace (NOTIFY is transactional: a rollback sends nothing).
 * The server that made the change also drops them itself after the commit
 * (AccessService.forget*), so its next request never sees the old state.
 */
export async function notifyAccessChange(tx: Tx, change: AccessChange): Promise<void> {
  await sql`select pg_notify(${ACCESS_CHANNEL}, ${JSON.stringify(change)})`.execute(tx);
}

/** Parses an ACCESS_CHANNEL payload (null if it is not one of ours). */
export function parseAccessChange(payload: string): AccessChange | null {
  try {
    const v = JSON.parse(payload) as AccessChange;
    return typeof v.workspaceId === 'string' && v.workspaceId ? v : null;
  } catch {
    return null;
  }
}

/** Request facts the audit log records (set per request by the HTTP layer). */
export const requestInfo = new AsyncLocalStorage<{ ip: string; requestId: string }>();

/** Loads roles and teams into AccessPolicies, with short per-server caches. */
export class AccessService {
  private readonly roles = new TtlCache<RolePermissions>(30_000);
  private readonly teams = new TtlCache<{ teamIds: string[]; shared: Set<string> }>(5_000);

  constructor(readonly database: Database) {}

  async policy(tx: Tx, actor: Actor): Promise<AccessPolicy> {
    let permissions = actor.permissions ?? (await this.rolePermissions(tx, actor.workspaceId, actor.role));
    if (!actor.permissions && actor.creatorRole && actor.creatorRole !== actor.role) {
      permissions = intersectPermissions(
        permissions,
        await this.rolePermissions(tx, actor.workspaceId, actor.creatorRole),
      );
    }
    let membership = { teamIds: [] as string[], shared: new Set<string>() };
    if (actor.userId) {
      const teamKey = `${actor.workspaceId}:${actor.userId}`;
      const cached = this.teams.get(teamKey);
      if (cached) membership = cached;
      else {
        const { rows } = await sql<{ teams: string[] | null; shared: string[] | null }>`
          with my_teams as (select team_id from team_members where user_id = ${actor.userId}::uuid)
          select (select array_agg(team_id) from my_teams) as teams,
            (select array_agg(distinct object) from record_shares
             where user_id = ${actor.userId}::uuid or team_id in (select team_id from my_teams)) as shared`.execute(tx);
        membership = { teamIds: rows[0]?.teams ?? [], shared: new Set(rows[0]?.shared ?? []) };
        if (!readingReplica()) this.teams.set(teamKey, membership);
      }
    }
    return new AccessPolicy(actor, permissions, membership.teamIds, membership.shared);
  }

  /** A role's permissions (stored, or the standard defaults), cached per server. */
  private async rolePermissions(tx: Tx, workspaceId: string, role: string): Promise<RolePermissions> {
    const roleKey = `${workspaceId}:${role}`;
    let permissions = this.roles.get(roleKey);
    if (!permissions) {
      const { rows } = await sql<{ permissions: RolePermissions | null; standard: boolean }>`
        select permissions, standard from roles where key = ${role}`.execute(tx);
      const row = rows[0];
      permissions = row?.permissions ??
        (row?.standard ? STANDARD_PERMISSIONS[role as StandardRole] : undefined) ?? { objects: {} };
      if (!readingReplica()) this.roles.set(roleKey, permissions);
    }
    return permissions;
  }

  /**
   * Runs `fn` in the actor's workspace after checking they administer it: a role
   * with `admin` (standard or custom), and for an API key the admin scope (or no
   * narrowing scopes). The one administrator check every route uses.
   */
  async asAdmin<T>(actor: Actor, fn: (tx: Tx, policy: AccessPolicy) => Promise<T>): Promise<T> {
    return this.database.tenant(actor.workspaceId, async (tx) => {
      const policy = await this.assertAdmin(tx, actor);
      return fn(tx, policy);
    });
  }

  /** Throws 403 unless the caller administers the workspace (see asAdmin); for checks made before other work. */
  async checkAdmin(actor: Actor): Promise<void> {
    await this.asAdmin(actor, async () => undefined);
  }

  /** The caller's policy; throws 403 unless they administer the workspace (see asAdmin). */
  async assertAdmin(tx: Tx, actor: Actor): Promise<AccessPolicy> {
    const policy = await this.policy(tx, actor);
    if (!policy.admin) {
      throw new AppError(
        'forbidden',
        policy.permissions.admin ? 'This API key lacks the "admin" scope' : 'Only administrators may do this',
      );
    }
    return policy;
  }

  /** Forget cached roles of a workspace (a role changed). */
  forgetRoles(workspaceId: string): void {
    this.roles.deletePrefix(`${workspaceId}:`);
  }

  /** Forget cached team memberships and shares of a workspace (a team or a share changed). */
  forgetTeams(workspaceId: string): void {
    this.teams.deletePrefix(`${workspaceId}:`);
  }

  /** Forget everything cached about a workspace's access (a notification from another server). */
  forgetWorkspace(workspaceId: string): void {
    this.forgetRoles(workspaceId);
    this.forgetTeams(workspaceId);
  }
}

export interface AuditEntry {
  action: string;
  object?: string;
  recordId?: string;
  changes?: Record<string, [unknown, unknown]>;
  detail?: Record<string, unknown>;
}

/** Appends to the audit log in the caller's transaction (so it exists if and only if the change does). */
export async function audit(
  tx: Tx,
  actor: Actor | { workspaceId: string; userId: string | null; apiKeyId?: string },
  entry: AuditEntry,
): Promise<void> {
  const info = requestInfo.getStore();
  await sql`insert into audit_log (workspace_id, action, actor_user_id, actor_api_key_id, object, record_id, changes, detail, ip, request_id)
    values (${actor.workspaceId}, ${entry.action}, ${actor.userId}, ${actor.apiKeyId ?? null}, ${entry.object ?? null},
      ${entry.recordId ?? null}, ${entry.changes ? JSON.stringify(entry.changes) : null}::jsonb,
      ${entry.detail ? JSON.stringify(entry.detail) : null}::jsonb, ${info?.ip ?? null}, ${info?.requestId ?? null})`.execute(
    tx,
  );
}

/** Appends many entries in one statement (batch writes). */
export async function auditMany(
  tx: Tx,
  actor: Actor,
  object: string,
  entries: { action: string; recordId: string; changes?: Record<string, [unknown, unknown]> }[],
): Promise<void> {
  if (entries.length === 0) return;
  const info = requestInfo.getStore();
  const rows = entries.map((e) => ({ action: e.action, record_id: e.recordId, changes: e.changes ?? null }));
  await sql`insert into audit_log (workspace_id, action, actor_user_id, actor_api_key_id, object, record_id, changes, ip, request_id)
    select ${actor.workspaceId}::uuid, v.action, ${actor.userId}::uuid, ${actor.apiKeyId ?? null}::uuid, ${object}, v.record_id, v.changes,
      ${info?.ip ?? null}, ${info?.requestId ?? null}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(action text, record_id uuid, changes jsonb)`.execute(
    tx,
  );
}

/** Writes one entry in every workspace a user belongs to (sign-ins happen before a workspace is chosen). */
export async function auditUserEverywhere(
  database: Database,
  email: string,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  const info = requestInfo.getStore();
  await sql`insert into audit_log (workspace_id, action, actor_user_id, detail, ip, request_id)
    select m.workspace_id, ${action}, u.id, ${JSON.stringify(detail)}::jsonb, ${info?.ip ?? null}, ${info?.requestId ?? null}
    from users u join workspace_members m on m.user_id = u.id where u.email = ${email}`.execute(database.db);
}

/**
 * Deletes audit entries older than each workspace's retention (the only deletion the
 * append-only trigger allows, flagged for this transaction). Returns how many went.
 */
export async function purgeAuditLog(database: Database): Promise<number> {
  return database.system(async (tx) => {
    await sql`select set_config('rapport.audit_purge', 'on', true)`.execute(tx);
    const { rows } = await sql<{ n: number }>`
      with gone as (
        delete from audit_log a using workspaces w
        where w.id = a.workspace_id and a.at < now() - make_interval(days => w.audit_retention_days)
        returning 1)
      select count(*)::int as n from gone`.execute(tx);
    return rows[0]?.n ?? 0;
  });
}
