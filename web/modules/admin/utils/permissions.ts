import type { Action, FieldRule, ObjectPermission, RolePermissions, Scope } from '../api/admin.api';

/** The "*" entry: every object without its own entry, including objects added later. */
export const ALL_OBJECTS = '*';

export const ACTIONS: Action[] = ['create', 'read', 'update', 'delete', 'export'];

export interface Effective {
  create: boolean;
  read: boolean;
  update: boolean;
  delete: boolean;
  export: boolean;
  scope: Scope;
}

/** What a role may do on an object: its own entry over the "*" entry, nothing by default (as the server resolves it). */
export function effective(perms: RolePermissions, object: string): Effective {
  const base = perms.objects[ALL_OBJECTS] ?? {};
  const own = object === ALL_OBJECTS ? {} : (perms.objects[object] ?? {});
  const pick = <K extends keyof ObjectPermission>(k: K) => (own[k] !== undefined ? own[k] : base[k]);
  return {
    create: !!pick('create'),
    read: !!pick('read'),
    update: !!pick('update'),
    delete: !!pick('delete'),
    export: !!pick('export'),
    scope: (pick('scope') as Scope | undefined) ?? 'own',
  };
}

/** True when the object's entry sets any action or scope itself (rather than following "*"). */
export function overrides(perms: RolePermissions, object: string): boolean {
  const own = perms.objects[object];
  return !!own && ([...ACTIONS, 'scope'] as const).some((k) => own[k] !== undefined);
}

const withEntry = (perms: RolePermissions, object: string, entry: ObjectPermission): RolePermissions => {
  const objects = { ...perms.objects };
  if (Object.keys(entry).length === 0) delete objects[object];
  else objects[object] = entry;
  return { ...perms, objects };
};

/** Sets one action (or the scope) on one object, leaving the rest of the role as it was. */
export function setAccess(
  perms: RolePermissions,
  object: string,
  key: Action | 'scope',
  value: boolean | Scope,
): RolePermissions {
  return withEntry(perms, object, { ...(perms.objects[object] ?? {}), [key]: value });
}

/** Makes an object follow "*" again for actions and scope (its field rules and row rule stay). */
export function followDefault(perms: RolePermissions, object: string): RolePermissions {
  const { create, read, update, delete: del, export: exp, scope, ...rest } = perms.objects[object] ?? {};
  return withEntry(perms, object, rest);
}

/** A field's rule on an object: hidden, read-only, or visible (undefined). */
export function fieldRule(perms: RolePermissions, object: string, field: string): FieldRule | undefined {
  return perms.objects[object]?.fields?.[field] ?? perms.objects[ALL_OBJECTS]?.fields?.[field];
}

export function setFieldRule(
  perms: RolePermissions,
  object: string,
  field: string,
  rule: FieldRule | undefined,
): RolePermissions {
  const entry = { ...(perms.objects[object] ?? {}) };
  const fields = { ...(entry.fields ?? {}) };
  if (rule) fields[field] = rule;
  else delete fields[field];
  if (Object.keys(fields).length) entry.fields = fields;
  else delete entry.fields;
  return withEntry(perms, object, entry);
}

/** A role key from a name: "Field sales (EU)" → "field_sales_eu". */
export function roleKeyFrom(name: string): string {
  const key = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 50);
  return key.length >= 2 ? key : '';
}
