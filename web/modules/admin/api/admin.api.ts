import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  TAuditEntry,
  TAuditFilter,
  TAuditPage,
  TCreateRoleRequest,
  TFieldRule,
  TMemberRole,
  TMyPermissions,
  TObjectAction,
  TObjectPermission,
  TRecordScope,
  TRole,
  TRolePermissions,
  TRoleRef,
  TTeamRef,
  TUpdateRoleRequest,
  TUpdateWorkspaceSettingsRequest,
  TWorkspaceSettings,
} from '../../../../common/contracts/access';
import type { TCreateInvitationRequest, TInvitation } from '../../../../common/contracts/auth';
import type { CreateFieldRequest, UpdateFieldRequest } from '../../../../common/contracts/objects';
import type {
  ApiKeySchema,
  ApiKeyScopeSchema,
  CreateApiKeyRequest,
  CreatedApiKeySchema,
} from '../../../../common/contracts/platform';
import { getJson, request, withQuery } from '../../../lib/http';
import type { FieldMeta } from '../../objects/api/objects.api';

/*
 * The administration endpoints (server/platform/access/access.routes.ts,
 * workspaces/invitations.routes.ts, auth/api-keys.routes.ts, records/objects.routes.ts);
 * contracts in common/contracts/access.ts, auth.ts, platform.ts and objects.ts.
 * The server decides every permission; these only call it.
 */

export type Scope = TRecordScope;
export type FieldRule = TFieldRule;
export type Action = TObjectAction;

/** One object's entry in a role (absent keys fall back to the "*" entry). */
export type ObjectPermission = TObjectPermission;
export type RolePermissions = TRolePermissions;
export type Role = TRole;
export type MyPermissions = TMyPermissions;
export type Invitation = TInvitation;
export type ApiKey = z.infer<typeof ApiKeySchema>;
/** A new key with its secret (shown once). */
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;
export type AuditEntry = TAuditEntry;
export type AuditFilter = TAuditFilter;
export type WorkspaceSettings = TWorkspaceSettings;

/** A new custom field (`POST /api/v1/objects/{object}/fields`). */
export type NewCustomField = z.input<typeof CreateFieldRequest>;
/** A change to a custom field (`PATCH /api/v1/objects/{object}/fields/{name}`); its name and type are fixed. */
export type CustomFieldChange = z.input<typeof UpdateFieldRequest>;
/** What may change after a custom field is made: all but its name, type and link. */
export type CustomFieldProps = Omit<NewCustomField, 'name' | 'type' | 'relation'>;
export type NewApiKey = z.input<typeof CreateApiKeyRequest>;
export type ApiKeyScope = z.infer<typeof ApiKeyScopeSchema>;
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
  return getJson<TAuditPage>(withQuery('/api/v1/audit-log', { ...filter, before, limit: 50 }), signal);
}

export const auditExportUrl = (filter: AuditFilter) => withQuery('/api/v1/audit-log/export', { ...filter });

export const admin = {
  invite: (email: string, role: string) =>
    send<Invitation>('POST', '/api/v1/invitations', { email, role } satisfies TCreateInvitationRequest),
  revokeInvitation: (id: string) => send<Invitation>('DELETE', `/api/v1/invitations/${id}`),
  changeRole: (userId: string, role: string) => send<TMemberRole>('PATCH', `/api/v1/members/${userId}`, { role }),
  removeMember: (userId: string) => send<void>('DELETE', `/api/v1/members/${userId}`),
  createRole: (body: TCreateRoleRequest) => send<TRoleRef>('POST', '/api/v1/roles', body),
  updateRole: (key: string, body: TUpdateRoleRequest) => send<TRoleRef>('PATCH', `/api/v1/roles/${key}`, body),
  deleteRole: (key: string) => send<void>('DELETE', `/api/v1/roles/${key}`),
  createTeam: (name: string) => send<TTeamRef>('POST', '/api/v1/teams', { name }),
  renameTeam: (id: string, name: string) => send<TTeamRef>('PATCH', `/api/v1/teams/${id}`, { name }),
  deleteTeam: (id: string) => send<void>('DELETE', `/api/v1/teams/${id}`),
  addToTeam: (id: string, userId: string) => send<void>('PUT', `/api/v1/teams/${id}/members/${userId}`),
  removeFromTeam: (id: string, userId: string) => send<void>('DELETE', `/api/v1/teams/${id}/members/${userId}`),
  createField: (object: string, body: NewCustomField) =>
    send<FieldMeta>('POST', `/api/v1/objects/${object}/fields`, body),
  updateField: (object: string, name: string, body: CustomFieldChange) =>
    send<FieldMeta>('PATCH', `/api/v1/objects/${object}/fields/${name}`, body),
  deleteField: (object: string, name: string) => send<void>('DELETE', `/api/v1/objects/${object}/fields/${name}`),
  createApiKey: (body: NewApiKey) => send<CreatedApiKey>('POST', '/api/v1/api-keys', body),
  revokeApiKey: (id: string) => send<ApiKey>('DELETE', `/api/v1/api-keys/${id}`),
  updateSettings: (body: TUpdateWorkspaceSettingsRequest) =>
    send<WorkspaceSettings>('PATCH', '/api/v1/workspace/settings', body),
};
