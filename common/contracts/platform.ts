import { z } from 'zod';

/**
 * Request and response contracts of the platform endpoints shared by several areas (role keys,
 * API keys, id parameters), shared by server and web app. Accounts, sessions and invitations: auth.ts.
 */

/** A role of the workspace: a standard one (administrator, sales_rep, marketing_manager, service_rep, data_analyst) or a custom one. */
export const RoleKeySchema = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be a role key such as sales_rep');

export const ApiKeyScopeSchema = z.enum(['read', 'write', 'admin']);

export const CreateApiKeyRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: RoleKeySchema.optional().describe('Defaults to the creator’s role; may not exceed it.'),
    scopes: z
      .array(ApiKeyScopeSchema)
      .max(3)
      .optional()
      .describe('Narrow the key: [] or absent = everything the role allows.'),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: RoleKeySchema,
  scopes: z.array(z.string()),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/** A new API key with its secret, which only this answer ever shows. */
export const CreatedApiKeySchema = ApiKeySchema.extend({ key: z.string() });

export const IdParams = z.object({ id: z.uuid() }).strict();
