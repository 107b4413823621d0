import { z } from 'zod';

/** Request and response contracts of the platform endpoints, shared by server and web app. */

/** A role of the workspace: a standard one (administrator, sales_rep, marketing_manager, service_rep, data_analyst) or a custom one. */
export const RoleKeySchema = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be a role key such as sales_rep');

const email = z.string().trim().max(254).email();
const password = z.string().min(1).max(1024);

export const SignUpRequest = z
  .object({
    name: z.string().trim().min(1, 'Enter your name').max(200),
    email,
    password,
    workspaceName: z.string().trim().min(1, 'Enter a name for your workspace').max(200),
  })
  .strict();
export type TSignUpRequest = z.infer<typeof SignUpRequest>;

export const SignInRequest = z.object({ email, password }).strict();

export const PasswordResetRequest = z.object({ email }).strict();
export const PasswordResetConfirmRequest = z
  .object({ token: z.string().min(10).max(200), newPassword: password })
  .strict();

export const ChangePasswordRequest = z.object({ currentPassword: password, newPassword: password }).strict();
export type TChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;
export type TPasswordResetConfirmRequest = z.infer<typeof PasswordResetConfirmRequest>;

/** The emailed token that proves an address (POST /api/v1/auth/verify-email). */
export const VerifyEmailRequest = z.object({ token: z.string().min(10).max(200) }).strict();
export const VerifyEmailResponse = z.object({ data: z.object({ emailVerified: z.literal(true) }) });

/** A "we emailed you" answer that says nothing about whether the address has an account. */
export const MailRequestedResponse = z.object({ data: z.object({ requested: z.literal(true) }) });

/** One of the caller's signed-in sessions (never its token). */
export const SessionSchema = z.object({
  id: z.string(),
  current: z.boolean(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** When the session was last refreshed (Better Auth renews it at most once a day). */
  lastSeenAt: z.string(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export const SessionsResponse = z.object({ data: z.array(SessionSchema) });
export type TSession = z.infer<typeof SessionSchema>;

export const MeResponse = z.object({
  data: z.object({
    /** emailVerified: the owner of the address proved it (emailed link); until then the account does not own it. */
    user: z.object({ id: z.string(), name: z.string(), email: z.string(), emailVerified: z.boolean() }).nullable(),
    workspace: z.object({ id: z.string(), name: z.string() }),
    role: RoleKeySchema,
    via: z.enum(['session', 'api_key']),
    apiKeyId: z.string().optional(),
    scopes: z.array(z.string()),
  }),
});

export const MyWorkspacesResponse = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      role: RoleKeySchema,
      current: z.boolean().describe('The workspace this request acts in'),
      default: z.boolean().describe('Used when a request sends no Rapport-Workspace header'),
    }),
  ),
});

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

export const CreateInvitationRequest = z.object({ email, role: RoleKeySchema }).strict();

export const InvitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: RoleKeySchema,
  invitedBy: z.string().nullable(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
});

export const AcceptInvitationRequest = z
  .object({
    token: z.string().min(10).max(200),
    name: z.string().trim().min(1).max(200).optional(),
    password: password.optional(),
  })
  .strict();

export const IdParams = z.object({ id: z.uuid() }).strict();
