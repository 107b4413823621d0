import path from 'node:path';
import { z } from 'zod';

/** Everything Rapport reads from its environment, validated once at start-up. */
export const ConfigSchema = z.object({
  /** PostgreSQL server URL; when absent Rapport runs on embedded PGlite. */
  databaseUrl: z.string().url().optional(),
  /**
   * PostgreSQL server: the URL tenant connections log in with (a role that is not the
   * owner; `rapport migrate` creates it). Default: DATABASE_URL with user
   * rapport_tenant and a password derived from the owner's.
   */
  appDatabaseUrl: z.string().url().optional(),
  /** Where embedded PGlite keeps its files ("memory://" for a throw-away database). */
  dataDir: z.string().min(1),
  /**
   * A PGlite data directory dump (`dumpDataDir`) that a new in-memory embedded database
   * starts from instead of an empty cluster. The test runs build one of the migrated
   * schema once per run, as the PostgreSQL runs clone a template database.
   */
  embeddedTemplate: z.string().min(1).optional(),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  /** Public URL of the app, used in links (invitations) and to decide Secure cookies. */
  baseUrl: z.string().url(),
  /** Secret for signing sessions; a random per-data-dir secret is generated when unset. */
  authSecret: z.string().min(32).optional(),
  /**
   * Seals secrets the server reads back (webhook signing secrets): see crypto/secret-box.ts.
   * A random key kept in the database is generated when unset; set it to keep the key
   * out of database dumps and backups.
   */
  encryptionKey: z.string().min(32).optional(),
  /** Keys sealed with before a rotation (RAPPORT_ENCRYPTION_KEY_PREVIOUS, comma-separated): still opened, resealed at start-up. */
  encryptionKeysPrevious: z.array(z.string().min(32)),
  corsOrigins: z.array(z.string()),
  bodyLimitBytes: z.coerce.number().int().positive(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  smtpUrl: z.string().optional(),
  mailFrom: z.string().min(3),
  /** Postgres pool size (server mode). Embedded mode always uses one connection. */
  poolSize: z.coerce.number().int().min(1).max(200),
  /** Requests per minute per API key or user (per app server); 0 turns limiting off. */
  rateLimitPerMinute: z.coerce.number().int().min(0),
  /**
   * Per-address limits of public routes (sign-up, invitations, hooks, calendar feeds:
   * http/rate-limits.ts). Off only where a gateway in front already limits them, and in
   * test runs that sign up more than a real visitor would.
   */
  publicRateLimits: z.boolean(),
  /** How long a webhook delivery waits for the receiver's answer. */
  webhookTimeoutMs: z.coerce.number().int().min(100).max(60_000),
  /** Seed a demo workspace on first start (default: only on the embedded database). */
  seedDemo: z.boolean(),
  /** The demo administrator's password (RAPPORT_DEMO_PASSWORD); generated and printed once when unset. */
  demoPassword: z.string().min(1).optional(),
  /** Behind a reverse proxy: take the client address and protocol from X-Forwarded-*. */
  trustProxy: z.boolean(),
  /**
   * Let webhooks (subscriptions and workflow steps) reach private and loopback addresses
   * (on-premise receivers, tests). The operator's decision for the whole server: no
   * workspace can set it.
   */
  webhooksAllowPrivate: z.boolean(),
  /** How long a workflow webhook attempt holds its step; after a crash mid-request it is resent then. */
  workflowWebhookLeaseSeconds: z.coerce.number().int().min(1).max(3600),
  /** Web forms: a post sooner than this after its page was rendered is a bot's (answered, not stored). */
  formMinFillMs: z.coerce.number().int().min(0).max(600_000),
  /** The inbound SMTP receiver's port (RAPPORT_SMTP_INBOUND_PORT); the receiver is off when unset (0: any free port). */
  smtpInboundPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** The address the inbound SMTP receiver listens on (RAPPORT_SMTP_INBOUND_HOST). */
  smtpInboundHost: z.string().min(1),
  /** The domain of the workspaces' own mail addresses (support-<id>@<domain>), RAPPORT_MAIL_DOMAIN. */
  mailDomain: z
    .string()
    .min(1)
    .regex(/^[a-z0-9.-]+$/, 'a lower-case domain name'),
});
export type Config = z.infer<typeof ConfigSchema>;

const bool = (v: string | undefined, fallback: boolean) =>
  v === undefined ? fallback : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());

/** The domain of the MAIL_FROM address ("Rapport <no-reply@acme.com>" → acme.com). */
const mailFromDomain = (from: string | undefined): string | undefined => from?.match(/@([A-Za-z0-9.-]+)>?\s*$/)?.[1];

/** Builds the configuration from `env` (process.env by default) plus explicit overrides. */
export function loadConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT ?? '3000';
  const host = env.HOST ?? '127.0.0.1';
  const raw = {
    databaseUrl: env.DATABASE_URL || undefined,
    appDatabaseUrl: env.RAPPORT_APP_DATABASE_URL || undefined,
    dataDir: env.RAPPORT_DATA_DIR ?? path.resolve('data'),
    embeddedTemplate: env.RAPPORT_EMBEDDED_TEMPLATE || undefined,
    host,
    port,
    baseUrl: env.RAPPORT_BASE_URL || `http://localhost:${port}`,
    authSecret: env.RAPPORT_AUTH_SECRET || undefined,
    encryptionKey: env.RAPPORT_ENCRYPTION_KEY || undefined,
    encryptionKeysPrevious: (env.RAPPORT_ENCRYPTION_KEY_PREVIOUS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    corsOrigins: (env.RAPPORT_CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    bodyLimitBytes: env.RAPPORT_BODY_LIMIT ?? 1_048_576,
    logLevel: env.LOG_LEVEL ?? 'info',
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM ?? 'Rapport <no-reply@rapport.local>',
    poolSize: env.RAPPORT_POOL_SIZE ?? 10,
    rateLimitPerMinute: env.RAPPORT_RATE_LIMIT ?? 1200,
    publicRateLimits: bool(env.RAPPORT_PUBLIC_RATE_LIMITS, true),
    webhookTimeoutMs: env.RAPPORT_WEBHOOK_TIMEOUT_MS ?? 10_000,
    // A demo workspace is for the embedded default only; its password is never a published one.
    seedDemo: bool(env.RAPPORT_SEED_DEMO, !env.DATABASE_URL),
    demoPassword: env.RAPPORT_DEMO_PASSWORD || undefined,
    trustProxy: bool(env.RAPPORT_TRUST_PROXY, false),
    webhooksAllowPrivate: bool(env.RAPPORT_WEBHOOKS_ALLOW_PRIVATE, false),
    workflowWebhookLeaseSeconds: env.RAPPORT_WORKFLOW_WEBHOOK_LEASE_SECONDS ?? 60,
    formMinFillMs: env.RAPPORT_FORM_MIN_FILL_MS ?? 3000,
    smtpInboundPort: env.RAPPORT_SMTP_INBOUND_PORT || undefined,
    smtpInboundHost: env.RAPPORT_SMTP_INBOUND_HOST || '127.0.0.1',
    mailDomain: (env.RAPPORT_MAIL_DOMAIN || mailFromDomain(env.MAIL_FROM) || 'rapport.localhost').toLowerCase(),
    ...overrides,
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
