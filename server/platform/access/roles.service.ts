import { sql } from 'kysely';
import type {
  TCreateRoleRequest,
  TMyPermissions,
  TRole,
  TRolePermissions,
  TUpdateRoleRequest,
} from '../../../common/contracts/access';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/database';
import { isPgError } from '../db/pg-errors';
import { AppError, notFound } from '../http/errors';
import type { ObjectRegistry } from '../records/registry';
import type { AccessService } from './access.service';
import type { AccessChanges } from './access-changes';
import { assertAnAdministratorRemains } from './members.service';
import { STANDARD_PERMISSIONS, type StandardRole } from './permissions';

/** Roles of a workspace and what the caller's role lets them do. */
export class RolesService {
  constructor(
    private readonly deps: {
      database: Database;
      access: AccessService;
      changes: AccessChanges;
      registry: ObjectRegistry;
    },
  ) {}

  /** What the caller may do, per declared object (for the UI to mirror; the server decides). */
  async myPermissions(actor: Actor): Promise<TMyPermissions> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      const policy = await this.deps.access.policy(tx, actor);
      const objects = Object.fromEntries(
        this.deps.registry.all().map((o) => {
          const p = policy.object(o.name);
          const { create, read, update, delete: del, export: exp, scope, fields } = p;
          return [o.name, { create, read, update, delete: del, export: exp, scope, fields }];
        }),
      );
      return { role: actor.role, admin: policy.admin, teamIds: policy.teamIds, objects };
    });
  }

  /** Every role with its permissions (a standard role's defaults when not customised); administrators. */
  async list(actor: Actor): Promise<TRole[]> {
    return this.deps.access.asAdmin(actor, async (tx) => {
      const { rows } = await sql<{
        key: string;
        name: string;
        description: string | null;
        standard: boolean;
        permissions: TRolePermissions | null;
      }>`select key, name, description, standard, permissions from roles order by standard desc, key`.execute(tx);
      return rows.map((r) => ({
        ...r,
        permissions: r.permissions ?? STANDARD_PERMISSIONS[r.key as StandardRole] ?? { objects: {} },
        customised: r.standard && r.permissions !== null,
      }));
    });
  }

  /** Creates a custom role; 409 naming `key` when the workspace has one with that key. */
  async create(actor: Actor, body: TCreateRoleRequest): Promise<{ key: string }> {
    return this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows } = await sql`insert into roles (workspace_id, key, name, description, permissions)
        values (${actor.workspaceId}, ${body.key}, ${body.name}, ${body.description ?? null}, ${JSON.stringify(body.permissions)}::jsonb)
        on conflict do nothing returning key`.execute(tx);
      if (rows.length === 0)
        throw new AppError('already_exists', `Role "${body.key}" exists`, {
          errors: [{ path: 'key', message: 'already exists' }],
        });
      return {
        result: { key: body.key },
        audit: { action: 'role.created', detail: { role: body.key, permissions: body.permissions } },
        stale: {},
      };
    });
  }

  /**
   * Changes a role's name, description or permissions (null permissions restore a
   * standard role's defaults); refused when no administrator would remain.
   */
  async update(actor: Actor, key: string, body: TUpdateRoleRequest): Promise<{ key: string }> {
    return this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows } = await sql<{
        standard: boolean;
        permissions: unknown;
      }>`select standard, permissions from roles where key = ${key} for update`.execute(tx);
      const role = rows[0];
      if (!role) throw notFound('Role');
      if (body.permissions === null && !role.standard) {
        throw new AppError('validation_failed', 'Only standard roles have defaults', {
          errors: [{ path: 'permissions', message: 'required for a custom role' }],
        });
      }
      await sql`update roles set name = coalesce(${body.name ?? null}, name),
        description = ${body.description === undefined ? sql`description` : sql`${body.description}`},
        permissions = ${body.permissions === undefined ? sql`permissions` : sql`${body.permissions === null ? null : JSON.stringify(body.permissions)}::jsonb`},
        updated_at = now() where key = ${key}`.execute(tx);
      await assertAnAdministratorRemains(tx);
      return {
        result: { key },
        audit: {
          action: 'role.changed',
          detail: { role: key, from: role.permissions, to: body.permissions, name: body.name },
        },
        stale: {},
      };
    });
  }

  /** Deletes a custom role that no member and no live API key holds. */
  async remove(actor: Actor, key: string): Promise<void> {
    await this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows } = await sql<{ standard: boolean }>`select standard from roles where key = ${key}`.execute(tx);
      if (!rows[0]) throw notFound('Role');
      if (rows[0].standard) throw new AppError('conflict', 'Standard roles cannot be deleted');
      const used = await sql`select 1 from workspace_members where role = ${key}
        union all select 1 from api_keys where role = ${key} and revoked_at is null limit 1`.execute(tx);
      if (used.rows.length) throw new AppError('conflict', 'Members or API keys still hold this role');
      try {
        await sql`delete from roles where key = ${key}`.execute(tx);
      } catch (err) {
        // Revoked API keys still name their role (their history stays readable).
        if (isPgError(err, 'foreignKeyViolation'))
          throw new AppError('conflict', 'Revoked API keys still name this role; it cannot be deleted');
        throw err;
      }
      return { result: undefined, audit: { action: 'role.deleted', detail: { role: key } }, stale: {} };
    });
  }
}
