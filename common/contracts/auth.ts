import { z } from 'zod';
import { RoleKeySchema } from './platform';

/**
 * Request and response contracts of accounts, sessions and invitations
 * (server/platform/workspaces: auth.routes.ts, invitations.routes.ts), shared by server and web app.
 */

const email = z.string().trim().max(254).email();
const password = z.string().min(1).max(1024);
/** A single-use emailed token (password reset, email verification, invitation). */
const token = z.string().min(10).max(200);

// Sign-up and sign-in ---------------------------------------------------------

export const SignUpRequest = z
  .object({
    name: z.string().trim().min(1, 'Enter your name').max(200),
    email,
    password,
    workspaceName: z.string().trim().min(1, 'Enter a name for your workspace').max(200),
  })
  .strict();
export type TSignUpRequest = z.infer<typeof SignUpRequest>;

/** A second-factor code: 6 digits from an authenticator app, or a recovery code (xxxx-xxxx-xxxx-xxxx). */
const twoFactorCode = z.string().trim().min(1, 'Enter the code').max(40);

/** `code` is needed only when the account has two-factor authentication on (401 two_factor_required otherwise). */
export const SignInRequest = z.object({ email, password, code: twoFactorCode.optional() }).strict();
export type TSignInRequest = z.infer<typeof SignInRequest>;

/** The caller, their workspace and role (`GET /api/v1/me`; also the answer to sign-up and sign-in). */
export const MeSchema = z.object({
  /** emailVerified: the owner of the address proved it (emailed link); until then the account does not own it. */
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), emailVerified: z.boolean() }).nullable(),
  workspace: z.object({ id: z.string(), name: z.string() }),
  role: RoleKeySchema,
  via: z.enum(['session', 'api_key']),
  apiKeyId: z.string().optional(),
  scopes: z.array(z.string()),
  /**
   * A signed-in user's second factor: whether it is on, and whether this workspace requires it of
   * them (required and not enabled: the app sends them to enrolment). Absent for API keys.
   */
  twoFactor: z.object({ enabled: z.boolean(), required: z.boolean() }).optional(),
});
export type TMe = z.infer<typeof MeSchema>;
export const MeResponse = z.object({ data: MeSchema });

/** A workspace the caller belongs to (`GET /api/v1/me/workspaces`). */
export const WorkspaceChoiceSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleKeySchema,
  current: z.boolean().describe('The workspace this request acts in'),
  default: z.boolean().describe('Used when a request sends no Rapport-Workspace header'),
});
export type TWorkspaceChoice = z.infer<typeof WorkspaceChoiceSchema>;
export const MyWorkspacesResponse = z.object({ data: z.array(WorkspaceChoiceSchema) });

// Passwords and email verification ----------------------------------------------

export const PasswordResetRequest = z.object({ email }).strict();
export const PasswordResetConfirmRequest = z.object({ token, newPassword: password }).strict();
export type TPasswordResetConfirmRequest = z.infer<typeof PasswordResetConfirmRequest>;

export const ChangePasswordRequest = z.object({ currentPassword: password, newPassword: password }).strict();
export type TChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

/** The emailed token that proves an address (POST /api/v1/auth/verify-email). */
export const VerifyEmailRequest = z.object({ token }).strict();
export const VerifyEmailResponse = z.object({ data: z.object({ emailVerified: z.literal(true) }) });

/** A "we emailed you" answer that says nothing about whether the address has an account. */
export const MailRequestedResponse = z.object({ data: z.object({ requested: z.literal(true) }) });

// Sessions ------------------------------------------------------------------------

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

export const SessionParams = z.object({ id: z.string().min(1).max(100) }).strict();

// Invitations -----------------------------------------------------------------------

export const CreateInvitationRequest = z.object({ email, role: RoleKeySchema }).strict();
export type TCreateInvitationRequest = z.infer<typeof CreateInvitationRequest>;

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
export type TInvitation = z.infer<typeof InvitationSchema>;

export const InvitationLookupQuery = z.object({ token }).strict();

/** What an invitation token is for (`GET /api/v1/invitations/lookup`), shown before accepting. */
export const InvitationInfoSchema = z.object({
  workspace: z.object({ id: z.string(), name: z.string() }),
  email: z.string(),
  role: RoleKeySchema,
  expiresAt: z.string(),
});
export type TInvitationInfo = z.infer<typeof InvitationInfoSchema>;

/** Accept as the signed-in user (token only), or create the account (name, password) and sign it in. */
export const AcceptInvitationRequest = z
  .object({
    token,
    name: z.string().trim().min(1).max(200).optional(),
    password: password.optional(),
  })
  .strict();
export type TAcceptInvitationRequest = z.infer<typeof AcceptInvitationRequest>;

/** The membership an accepted invitation made. */
export const AcceptedInvitationSchema = z.object({ workspaceId: z.string(), role: RoleKeySchema, userId: z.string() });
export type TAcceptedInvitation = z.infer<typeof AcceptedInvitationSchema>;

// Two-factor authentication ------------------------------------------------------------

/** The caller's second factor (`GET /api/v1/me/two-factor`). */
export const TwoFactorStatusSchema = z.object({
  enabled: z.boolean(),
  /** Enrolment started (`POST /api/v1/me/two-factor`) and waits for the first code. */
  pending: z.boolean(),
  /** Unused recovery codes left (0 when two-factor is off). */
  recoveryCodesLeft: z.number().int(),
  /** This workspace requires a second factor of the caller. */
  required: z.boolean(),
});
export type TTwoFactorStatus = z.infer<typeof TwoFactorStatusSchema>;
export const TwoFactorStatusResponse = z.object({ data: TwoFactorStatusSchema });

/** A new TOTP secret (shown once, at enrolment) and the otpauth:// URL an authenticator app scans. */
export const TwoFactorSetupSchema = z.object({ secret: z.string(), otpauthUrl: z.string() });
export type TTwoFactorSetup = z.infer<typeof TwoFactorSetupSchema>;
export const TwoFactorSetupResponse = z.object({ data: TwoFactorSetupSchema });

/** A code from the authenticator app (turns two-factor on; regenerates recovery codes). */
export const TwoFactorCodeRequest = z.object({ code: twoFactorCode }).strict();
export type TTwoFactorCodeRequest = z.infer<typeof TwoFactorCodeRequest>;

/** Fresh recovery codes: shown this once, stored only as hashes, each usable once instead of a code. */
export const RecoveryCodesSchema = z.object({ enabled: z.literal(true), recoveryCodes: z.array(z.string()) });
export type TRecoveryCodes = z.infer<typeof RecoveryCodesSchema>;
export const RecoveryCodesResponse = z.object({ data: RecoveryCodesSchema });

/** Turning two-factor off needs the password or a current code (or a recovery code). */
export const TwoFactorDisableRequest = z
  .object({ password: password.optional(), code: twoFactorCode.optional() })
  .strict()
  .refine((b) => b.password !== undefined || b.code !== undefined, {
    message: 'Enter your password or a code from your authenticator app',
    path: ['password'],
  });
export type TTwoFactorDisableRequest = z.infer<typeof TwoFactorDisableRequest>;
