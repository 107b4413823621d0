import { sql } from 'kysely';
import type { FilterNode } from '../../../common/filter';
import type { Tx } from '../db/database';
import { AppError } from '../http/errors';

/** What a role may do with one object. Absent keys fall back to the role's "*" entry. */
export interface ObjectPermission {
  create?: boolean;
  read?: boolean;
  update?: boolean;
  delete?: boolean;
  export?: boolean;
  /** Which records: the caller's own, their teams' (and own), or all. Shared records come on top. */
  scope?: 'own' | 'team' | 'all';
  /** Per field: hidden (never leaves the server) or readOnly. */
  fields?: Record<string, 'hidden' | 'readOnly'>;
  /** A filter records must also match to be visible (e.g. accounts that are not suppliers). */
  where?: FilterNode;
}

export interface RolePermissions {
  /** Per object name, plus "*" for every object (including objects added later). */
  objects: Record<string, ObjectPermission>;
  /** Manage users, teams, roles, API keys, custom fields and security settings; read the audit log. */
  admin?: boolean;
  /** Define, change and run workflows (automation). */
  workflows?: boolean;
}

export const STANDARD_ROLES = [
  'administrator',
  'sales_rep',
  'marketing_manager',
  'service_rep',
  'data_analyst',
] as const;
export type StandardRole = (typeof STANDARD_ROLES)[number];

export const STANDARD_ROLE_NAMES: Record<StandardRole, string> = {
  administrator: 'Administrator',
  sales_rep: 'Sales representative',
  marketing_manager: 'Marketing manager',
  service_rep: 'Customer service representative',
  data_analyst: 'Data analyst',
};

const ALL = { create: true, read: true, update: true, delete: true, export: true, scope: 'all' } as const;

/**
 * The standard roles' defaults (a standard role whose stored permissions are NULL
 * follows these). "*" applies to every object, so an object added later is covered
 * the moment it exists: no object can skip authorisation. Modules add the entries
 * for their own objects (accounts, products, staff…) through their registration
 * (addStandardObjectPermissions, at start-up).
 */
export const STANDARD_PERMISSIONS: Record<StandardRole, RolePermissions> = {
  administrator: { objects: { '*': ALL }, admin: true, workflows: true },
  sales_rep: {
    objects: { '*': { create: true, read: true, update: true, delete: true, export: false, scope: 'own' } },
  },
  marketing_manager: {
    objects: { '*': { create: true, read: true, update: true, delete: false, export: true, scope: 'all' } },
    workflows: true,
  },
  service_rep: {
    objects: { '*': { create: true, read: true, update: true, delete: false, export: false, scope: 'all' } },
  },
  data_analyst: {
    objects: { '*': { create: false, read: true, update: false, delete: false, export: true, scope: 'all' } },
  },
};

/** Adds a module's defaults for its objects to the standard roles (the same call twice changes nothing). */
export function addStandardObjectPermissions(
  defaults: Partial<Record<StandardRole, Record<string, ObjectPermission>>>,
): void {
  for (const role of STANDARD_ROLES) Object.assign(STANDARD_PERMISSIONS[role].objects, defaults[role]);
}

export type ResolvedObjectPermission = Required<Omit<ObjectPermission, 'where' | 'fields'>> & {
  fields: Record<string, 'hidden' | 'readOnly'>;
  where?: FilterNode;
};

/** One object's effective permissions: its entry over the "*" entry; nothing granted by default. */
export function resolveObject(perms: RolePermissions, object: string): ResolvedObjectPermission {
  const base = perms.objects['*'] ?? {};
  const own = perms.objects[object] ?? {};
  const pick = <K extends keyof ObjectPermission>(k: K) => (own[k] !== undefined ? own[k] : base[k]);
  return {
    create: pick('create') ?? false,
    read: pick('read') ?? false,
    update: pick('update') ?? false,
    delete: pick('delete') ?? false,
    export: pick('export') ?? false,
    scope: pick('scope') ?? 'own',
    fields: { ...(base.fields ?? {}), ...(own.fields ?? {}) },
    where: pick('where'),
  };
}

const SCOPE_RANK = { own: 0, team: 1, all: 2 } as const;

/** One object's permissions allowed by both `a` and `b` (hidden beats read-only beats visible). */
function intersectObject(a: ResolvedObjectPermission, b: ResolvedObjectPermission): ObjectPermission {
  const fields: Record<string, 'hidden' | 'readOnly'> = { ...a.fields };
  for (const [f, v] of Object.entries(b.fields)) if (fields[f] !== 'hidden') fields[f] = v;
  const where = a.where && b.where ? { and: [a.where, b.where] } : (a.where ?? b.where);
  return {
    create: a.create && b.create,
    read: a.read && b.read,
    update: a.update && b.update,
    delete: a.delete && b.delete,
    export: a.export && b.export,
    scope: SCOPE_RANK[a.scope] <= SCOPE_RANK[b.scope] ? a.scope : b.scope,
    fields,
    ...(where ? { where } : {}),
  };
}

/**
 * What both roles allow, object by object (the "*" entry and every object either
 * names), with admin and workflows only if both have them. An API key acts with
 * the intersection of its own role and its creator's current role, so a key never
 * carries more than the person who made it has now.
 */
export function intersectPermissions(a: RolePermissions, b: RolePermissions): RolePermissions {
  const names = new Set(['*', ...Object.keys(a.objects), ...Object.keys(b.objects)]);
  const objects: Record<string, ObjectPermission> = {};
  for (const n of names) objects[n] = intersectObject(resolveObject(a, n), resolveObject(b, n));
  return { objects, admin: !!a.admin && !!b.admin, workflows: !!a.workflows && !!b.workflows };
}

/** The five standard roles every workspace starts with (permissions NULL = the defaults above). */
export async function createStandardRoles(tx: Tx, workspaceId: string): Promise<void> {
  for (const key of STANDARD_ROLES) {
    await sql`insert into roles (workspace_id, key, name, standard) values (${workspaceId}, ${key}, ${STANDARD_ROLE_NAMES[key]}, true)
              on conflict do nothing`.execute(tx);
  }
}

/** 422 naming `role` unless the workspace has that role. */
export async function assertRoleExists(tx: Tx, role: string, path = 'role'): Promise<void> {
  const { rows } = await sql`select 1 from roles where key = ${role}`.execute(tx);
  if (rows.length === 0) {
    throw new AppError('validation_failed', `No role "${role}" in this workspace`, {
      errors: [{ path, message: 'is not a role of this workspace' }],
    });
  }
}
