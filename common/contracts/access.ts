import { z } from 'zod';
import { checkFilterTree } from '../filter';
import { RoleKeySchema } from './platform';

/**
 * Request and response contracts of roles, members, teams, record sharing, workspace
 * settings and the audit log (server/platform/access), shared by server and web app.
 */

const Uuid = z.uuid();

/** Which records a role reaches: the caller's own, their teams' (and own), or all. Shared records come on top. */
export const RecordScopeSchema = z.enum(['own', 'team', 'all']);
export type TRecordScope = z.infer<typeof RecordScopeSchema>;

/** Per field: hidden (never leaves the server) or read-only. */
export const FieldRuleSchema = z.enum(['hidden', 'readOnly']);
export type TFieldRule = z.infer<typeof FieldRuleSchema>;

export const ObjectActionSchema = z.enum(['create', 'read', 'update', 'delete', 'export']);
export type TObjectAction = z.infer<typeof ObjectActionSchema>;

/** What a role may do with one object. Absent keys fall back to the role's "*" entry. */
export const ObjectPermissionSchema = z
  .object({
    create: z.boolean().optional(),
    read: z.boolean().optional(),
    update: z.boolean().optional(),
    delete: z.boolean().optional(),
    export: z.boolean().optional(),
    scope: RecordScopeSchema.optional(),
    fields: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), FieldRuleSchema).optional(),
    where: z
      .unknown()
      .optional()
      .superRefine((v, ctx) => {
        if (v === undefined) return;
        for (const e of checkFilterTree(v, 'where'))
          ctx.addIssue({ code: 'custom', message: `${e.path}: ${e.message}` });
      }),
  })
  .strict();
export type TObjectPermission = z.infer<typeof ObjectPermissionSchema>;

/** A role's permissions: per object name, plus "*" for every object (including objects added later). */
export const RolePermissionsSchema = z
  .object({
    objects: z.record(z.string().regex(/^(\*|[a-z][a-z_]*)$/), ObjectPermissionSchema),
    admin: z.boolean().optional(),
    workflows: z.boolean().optional(),
  })
  .strict();
export type TRolePermissions = z.infer<typeof RolePermissionsSchema>;

/** One object's effective permissions for the caller (GET /me/permissions). */
export const EffectiveObjectPermissionSchema = z.object({
  create: z.boolean(),
  read: z.boolean(),
  update: z.boolean(),
  delete: z.boolean(),
  export: z.boolean(),
  scope: RecordScopeSchema,
  fields: z.record(z.string(), FieldRuleSchema),
});

export const MyPermissionsSchema = z.object({
  role: z.string(),
  admin: z.boolean(),
  teamIds: z.array(z.string()),
  objects: z.record(z.string(), EffectiveObjectPermissionSchema),
});
export type TMyPermissions = z.infer<typeof MyPermissionsSchema>;

export const RoleSchema = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  standard: z.boolean(),
  /** A standard role whose permissions were changed from the defaults. */
  customised: z.boolean(),
  permissions: z.unknown().describe('The role’s permissions (RolePermissions)') as z.ZodType<TRolePermissions>,
});
export type TRole = z.infer<typeof RoleSchema>;

export const RoleKeyParams = z.object({ key: RoleKeySchema }).strict();

export const CreateRoleRequest = z
  .object({
    key: RoleKeySchema,
    name: z.string().trim().min(1).max(100),
    description: z.string().max(500).optional(),
    permissions: RolePermissionsSchema,
  })
  .strict();
export type TCreateRoleRequest = z.infer<typeof CreateRoleRequest>;

export const UpdateRoleRequest = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(500).nullable().optional(),
    permissions: RolePermissionsSchema.nullable().optional(),
  })
  .strict();
export type TUpdateRoleRequest = z.infer<typeof UpdateRoleRequest>;

export const RoleRefSchema = z.object({ key: z.string() });
export type TRoleRef = z.infer<typeof RoleRefSchema>;

export const MemberSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.string(),
  joinedAt: z.string(),
  teamIds: z.array(z.string()),
});
export type TMember = z.infer<typeof MemberSchema>;

export const MemberParams = z.object({ userId: Uuid }).strict();

export const ChangeMemberRoleRequest = z.object({ role: RoleKeySchema }).strict();
export type TChangeMemberRoleRequest = z.infer<typeof ChangeMemberRoleRequest>;

export const MemberRoleSchema = z.object({ userId: z.string(), role: z.string() });
export type TMemberRole = z.infer<typeof MemberRoleSchema>;

export const TeamSchema = z.object({ id: z.string(), name: z.string(), memberIds: z.array(z.string()) });
export type TTeam = z.infer<typeof TeamSchema>;

export const TeamNameRequest = z.object({ name: z.string().trim().min(1).max(100) }).strict();
export type TTeamNameRequest = z.infer<typeof TeamNameRequest>;

export const TeamRefSchema = z.object({ id: z.string(), name: z.string() });
export type TTeamRef = z.infer<typeof TeamRefSchema>;

export const TeamParams = z.object({ id: Uuid }).strict();
export const TeamMemberParams = z.object({ id: Uuid, userId: Uuid }).strict();

export const ShareAccessSchema = z.enum(['read', 'edit']);

export const ShareRefSchema = z.object({ id: z.string() });

export const ShareParams = z.object({ object: z.string().max(64), id: Uuid }).strict();

export const CreateShareRequest = z
  .object({
    userId: Uuid.optional(),
    teamId: Uuid.optional(),
    access: ShareAccessSchema.default('read'),
  })
  .strict()
  .refine((b) => !!b.userId !== !!b.teamId, {
    message: 'give exactly one of userId or teamId',
    path: ['userId'],
  });
export type TCreateShareRequest = z.infer<typeof CreateShareRequest>;

/** Who must sign in with a second factor: nobody, administrators, or every member. */
export const TwoFactorPolicySchema = z.enum(['off', 'admins', 'everyone']);
export type TTwoFactorPolicy = z.infer<typeof TwoFactorPolicySchema>;

export const WorkspaceSettingsSchema = z.object({
  name: z.string(),
  auditRetentionDays: z.number().int(),
  twoFactorPolicy: TwoFactorPolicySchema,
});
export type TWorkspaceSettings = z.infer<typeof WorkspaceSettingsSchema>;

export const UpdateWorkspaceSettingsRequest = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    auditRetentionDays: z.number().int().min(30).max(3650).optional(),
    twoFactorPolicy: TwoFactorPolicySchema.optional(),
  })
  .strict();
export type TUpdateWorkspaceSettingsRequest = z.infer<typeof UpdateWorkspaceSettingsRequest>;

/** Which audit entries to show or export (every condition optional, all of them must hold). */
export const AuditFilterSchema = z
  .object({
    action: z.string().max(100).optional(),
    object: z.string().max(64).optional(),
    recordId: Uuid.optional(),
    actorUserId: Uuid.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type TAuditFilter = z.infer<typeof AuditFilterSchema>;

export const AuditQuery = AuditFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().positive().optional().describe('id of the last entry of the previous page'),
}).strict();
export type TAuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  actorUserId: z.string().nullable(),
  actorApiKeyId: z.string().nullable(),
  object: z.string().nullable(),
  recordId: z.string().nullable(),
  changes: z.record(z.string(), z.unknown()).nullable() as z.ZodType<Record<string, [unknown, unknown]> | null>,
  detail: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
});
export type TAuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditPageSchema = z.object({
  data: z.array(AuditEntrySchema),
  page: z.object({ nextBefore: z.number().nullable() }),
});
export type TAuditPage = z.infer<typeof AuditPageSchema>;
