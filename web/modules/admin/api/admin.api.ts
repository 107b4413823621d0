import { queryOptions } from '@tanstack/react-query';
import { getJson, request, withQuery } from '../../../lib/http';

/*
 * The administration endpoints (server/platform/access/access.routes.ts,
 * workspaces/invitations.routes.ts, auth/api-keys.routes.ts, records/objects.routes.ts).
 * The server decides every permission; these only call it.
 */

export type Scope = 'own' | 'team' | 'all';
export type FieldRule = 'hidden' | 'readOnly';
export type Action = 'create' | 'read' | 'update' | 'delete' | 'export';

/** One object's entry in a role (absent keys fall back to the "*" entry). */
export interface ObjectPermission {
  create?: boolean;
  read?: boolean;
  update?: boolean;
  delete?: boolean;
  export?: boolean;
  scope?: Scope;
  fields?: Record<string, FieldRule>;
  where?: unknown;
}

export interface RolePermissions {
  objects: Record<string, ObjectPermission>;
  admin?: boolean;
}

export interface Role {
  key: string;
  name: string;
  description: string | null;
  standard: boolean;
  customised: boolean;
  permissions: RolePermissions;
}

export interface MyPermissions {
  role: string;
  admin: boolean;
  teamIds: string[];
}

export interface Invitation {
  id: string;
  email: string;
  role: string;
  invitedBy: string | null;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  object: string | null;
  recordId: string | null;
  changes: Record<string, [unknown, unknown]> | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  requestId: string | null;
}

export interface AuditFilter {
  action?: string;
  object?: string;
  recordId?: string;
  actorUserId?: string;
  from?: string;
  to?: string;
}

export interface WorkspaceSettings {
  name: string;
  auditRetentionDays: number;
}

export interface CustomFieldInput {
  name?: string;
  type?: string;
  label: string;
  description?: string | null;
  required?: boolean;
  options?: { value: string; label: string }[];
  relation?: { object: string; cardinality: 'one' | 'many' };
  maxLength?: number | null;
  min?: number | null;
  max?: number | null;
}

const data = <T>(p: Promise<{ data: T }>) => p.then((r) => r.data);
const send = async <T>(method: string, path: string, body?: unknown) =>
  (await request<{ data: T }>(method, path, { body })).body?.data as T;

export const myPermissionsQuery = queryOptions({
  queryKey: ['me', 'permissions'],
  queryFn: ({ signal }) => data(getJson<{ data: MyPermissions }>('/api/v1/me/permissions', signal)),
  staleTime: 60_000,
  retry: false,
});

export const rolesQuery = queryOptions({
  queryKey: ['admin', 'roles'],
  queryFn: ({ signal }) => data(getJson<{ data: Role[] }>('/api/v1/roles', signal)),
});

export const invitationsQuery = queryOptions({
  queryKey: ['admin', 'invitations'],
  queryFn: ({ signal }) => data(getJson<{ data: Invitation[] }>('/api/v1/invitations', signal)),
});

export const apiKeysQuery = queryOptions({
  queryKey: ['admin', 'api-keys'],
  queryFn: ({ signal }) => data(getJson<{ data: ApiKey[] }>('/api/v1/api-keys', signal)),
});

export const settingsQuery = queryOptions({
  queryKey: ['admin', 'settings'],
  queryFn: ({ signal }) => data(getJson<{ data: WorkspaceSettings }>('/api/v1/workspace/settings', signal)),
});

/** One page of the audit log, newest first; `before` is the previous page's `nextBefore`. */
export function auditPage(filter: AuditFilter, before: number | undefined, signal?: AbortSignal) {
  return getJson<{ data: AuditEntry[]; page: { nextBefore: number | null } }>(
    withQuery('/api/v1/audit-log', { ...filter, before, limit: 50 }),
    signal,
  );
}

export const auditExportUrl = (filter: AuditFilter) => withQuery('/api/v1/audit-log/export', { ...filter });

export const admin = {
  invite: (email: string, role: string) => send<Invitation>('POST', '/api/v1/invitations', { email, role }),
  revokeInvitation: (id: string) => send<Invitation>('DELETE', `/api/v1/invitations/${id}`),
  changeRole: (userId: string, role: string) => send('PATCH', `/api/v1/members/${userId}`, { role }),
  removeMember: (userId: string) => send<void>('DELETE', `/api/v1/members/${userId}`),
  createRole: (body: { key: string; name: string; description?: string; permissions: RolePermissions }) =>
    send<{ key: string }>('POST', '/api/v1/roles', body),
  updateRole: (
    key: string,
    body: { name?: string; description?: string | null; permissions?: RolePermissions | null },
  ) => send('PATCH', `/api/v1/roles/${key}`, body),
  deleteRole: (key: string) => send<void>('DELETE', `/api/v1/roles/${key}`),
  createTeam: (name: string) => send<{ id: string; name: string }>('POST', '/api/v1/teams', { name }),
  renameTeam: (id: string, name: string) => send('PATCH', `/api/v1/teams/${id}`, { name }),
  deleteTeam: (id: string) => send<void>('DELETE', `/api/v1/teams/${id}`),
  addToTeam: (id: string, userId: string) => send<void>('PUT', `/api/v1/teams/${id}/members/${userId}`),
  removeFromTeam: (id: string, userId: string) => send<void>('DELETE', `/api/v1/teams/${id}/members/${userId}`),
  createField: (object: string, body: CustomFieldInput) => send('POST', `/api/v1/objects/${object}/fields`, body),
  updateField: (object: string, name: string, body: Partial<CustomFieldInput>) =>
    send('PATCH', `/api/v1/objects/${object}/fields/${name}`, body),
  deleteField: (object: string, name: string) => send<void>('DELETE', `/api/v1/objects/${object}/fields/${name}`),
  createApiKey: (body: { name: string; role?: string; scopes?: string[]; expiresAt?: string }) =>
    send<ApiKey & { key: string }>('POST', '/api/v1/api-keys', body),
  revokeApiKey: (id: string) => send<ApiKey>('DELETE', `/api/v1/api-keys/${id}`),
  updateSettings: (body: Partial<WorkspaceSettings>) =>
    send<WorkspaceSettings>('PATCH', '/api/v1/workspace/settings', body),
};
