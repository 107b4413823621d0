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
  /**
   * A streaming replica of the PostgreSQL server (RAPPORT_REPLICA_DATABASE_URL) that reports,
   * dashboards and their exports read from (Database.reportRead). Its tenant connections log
   * in with the primary's tenant role. Only with DATABASE_URL: embedded has no replica.
   */
  replicaDatabaseUrl: z.string().url().optional(),
  /** The replica's largest lag before reports read the primary instead (RAPPORT_REPLICA_MAX_LAG_SECONDS, default 10). */
  replicaMaxLagSeconds: z.coerce.number().min(0).max(86_400),
  /** Where embedded PGlite keeps its files ("memory://" for a throw-away database). */
  dataDir: z.string().min(1),
  /**
   * A PGlite data directory dump (`dumpDataDir`) that a new embedded database (in memory,
   * or a data directory not yet initialised) starts from instead of an empty cluster. The
   * test runs build one of the migrated schema once per run, as the PostgreSQL runs clone
   * a template database; `rapport serve` children of a test inherit it.
   */
  embeddedTemplate: z.string().min(1).optional(),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  /** Public URL of the app, used in links (invitations) and to decide Secure cookies. */
  baseUrl: z.string().url(),
  /** Secret for signing sessions; a random per-data-dir secret is generated when unset. */
  authSecret: z.string().min(32).optional(),
  /**
   * The key ring (RAPPORT_ENCRYPTION_KEYS="v2:<base64>,v1:<base64>", newest first): the
   * newest seals, every one opens. Each key is at least 32 random bytes in base64
   * (`openssl rand -base64 32`); the label is the operator's name for it. It encrypts
   * sensitive fields and every secret the server reads back (crypto/instance-key.ts).
   * Unset: a key generated on first start and kept in the database (instance_settings).
   */
  encryptionKeys: z.array(
    z.object({
      version: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'each key is "<version>:<base64 key>", e.g. v2:…'),
      key: z
        .string()
        .refine(
          (k) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(k) && Buffer.from(k, 'base64').length >= 32,
          'must be at least 32 random bytes in base64 (openssl rand -base64 32)',
        ),
    }),
  ),
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
   * Bearer token for GET /metrics (RAPPORT_METRICS_TOKEN). Unset: /metrics answers only
   * connections from the loopback interface that came through no proxy (http/metrics.ts).
   */
  metricsToken: z.string().min(16).optional(),
  /**
   * Let webhooks (subscriptions and workflow steps) reach private and loopback addresses
   * (on-premise receivers, tests). The operator's decision for the whole server: no
   * workspace can set it.
   */
  webhooksAllowPrivate: z.boolean(),
  /** How long a workflow webhook attempt holds its step; after a crash mid-request it is resent then. */
  workflowWebhookLeaseSeconds: z.coerce.number().int().min(1).max(3600),
  /** How long the outbox leases a mail it is sending; after a crash mid-send it is sent again then (RAPPORT_MAIL_LEASE_SECONDS). */
  mailLeaseSeconds: z.coerce.number().int().min(1).max(3600),
  /** SMTP connections the outbox sends over at once (RAPPORT_SMTP_CONNECTIONS); a crash still leaves at most one mail unmarked. */
  smtpConnections: z.coerce.number().int().min(1).max(64),
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
  /** Scheduled backups go to this directory (RAPPORT_BACKUP_DIR); none are made when unset. */
  backupDir: z.string().min(1).optional(),
  /** How often (RAPPORT_BACKUP_EVERY): 15m, 1h, 6h, 1d (default), daily, hourly, or a cron expression. */
  backupEvery: z.string().min(1),
  /** How many scheduled backups to keep (RAPPORT_BACKUP_KEEP, default 7); older ones are deleted. */
  backupKeep: z.coerce.number().int().min(1).max(10_000),
  /** Encrypts scheduled backups (RAPPORT_BACKUP_PASSPHRASE, the same variable `rapport backup` reads). */
  backupPassphrase: z.string().min(8, 'at least 8 characters').optional(),
  /** Meta's Graph API, where social replies to Facebook and Instagram go (RAPPORT_META_GRAPH_URL; tests use a local fake). */
  metaGraphUrl: z.string().url(),
  /** X's API, where replies to X go (RAPPORT_X_API_URL). */
  xApiUrl: z.string().url(),
  /** Twilio's REST API (RAPPORT_TWILIO_API_URL, default https://api.twilio.com): tests point it at a local fake. */
  twilioApiUrl: z.string().url(),
  /**
   * A Nominatim-compatible geocoder (RAPPORT_GEOCODER_URL, e.g. https://nominatim.openstreetmap.org)
   * that refines addresses with a street to street level, one request a second at most;
   * off when unset: the bundled gazetteer needs no network.
   */
  geocoderUrl: z.url().optional(),
  /** The User-Agent sent to the geocoder (RAPPORT_GEOCODER_USER_AGENT); Nominatim's policy requires one naming the application. */
  geocoderUserAgent: z.string().min(1),
  /** A raster tile URL template for the map's street layer (RAPPORT_MAP_TILE_URL, {z}/{x}/{y}); none by default. */
  mapTileUrl: z.string().min(1).optional(),
  /**
   * Postal-code centroids for offline geocoding (RAPPORT_POSTAL_CENTROIDS): a file in
   * GeoNames' postal-code format (tab-separated: country, postal code, place, …, latitude,
   * longitude); addresses whose code it holds are placed at postal precision. None by default.
   */
  postalCentroidsFile: z.string().min(1).optional(),
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
    replicaDatabaseUrl: env.RAPPORT_REPLICA_DATABASE_URL || undefined,
    replicaMaxLagSeconds: env.RAPPORT_REPLICA_MAX_LAG_SECONDS || 10,
    dataDir: env.RAPPORT_DATA_DIR ?? path.resolve('data'),
    embeddedTemplate: env.RAPPORT_EMBEDDED_TEMPLATE || undefined,
    host,
    port,
    baseUrl: env.RAPPORT_BASE_URL || `http://localhost:${port}`,
    authSecret: env.RAPPORT_AUTH_SECRET || undefined,
    encryptionKeys: (env.RAPPORT_ENCRYPTION_KEYS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const at = entry.indexOf(':');
        return at < 0 ? { version: '', key: entry } : { version: entry.slice(0, at), key: entry.slice(at + 1) };
      }),
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
    metricsToken: env.RAPPORT_METRICS_TOKEN || undefined,
    webhooksAllowPrivate: bool(env.RAPPORT_WEBHOOKS_ALLOW_PRIVATE, false),
    workflowWebhookLeaseSeconds: env.RAPPORT_WORKFLOW_WEBHOOK_LEASE_SECONDS ?? 60,
    mailLeaseSeconds: env.RAPPORT_MAIL_LEASE_SECONDS ?? 300,
    smtpConnections: env.RAPPORT_SMTP_CONNECTIONS || 4,
    formMinFillMs: env.RAPPORT_FORM_MIN_FILL_MS ?? 3000,
    smtpInboundPort: env.RAPPORT_SMTP_INBOUND_PORT || undefined,
    smtpInboundHost: env.RAPPORT_SMTP_INBOUND_HOST || '127.0.0.1',
    backupDir: env.RAPPORT_BACKUP_DIR ? path.resolve(env.RAPPORT_BACKUP_DIR) : undefined,
    backupEvery: env.RAPPORT_BACKUP_EVERY || '1d',
    backupKeep: env.RAPPORT_BACKUP_KEEP ?? 7,
    twilioApiUrl: env.RAPPORT_TWILIO_API_URL || 'https://api.twilio.com',
    backupPassphrase: env.RAPPORT_BACKUP_PASSPHRASE || undefined,
    metaGraphUrl: env.RAPPORT_META_GRAPH_URL || 'https://graph.facebook.com/v21.0',
    xApiUrl: env.RAPPORT_X_API_URL || 'https://api.x.com',
    mailDomain: (env.RAPPORT_MAIL_DOMAIN || mailFromDomain(env.MAIL_FROM) || 'rapport.localhost').toLowerCase(),
    geocoderUrl: env.RAPPORT_GEOCODER_URL || undefined,
    geocoderUserAgent: env.RAPPORT_GEOCODER_USER_AGENT || 'Rapport CRM (self-hosted; https://github.com/rapport-crm)',
    mapTileUrl: env.RAPPORT_MAP_TILE_URL || undefined,
    postalCentroidsFile: env.RAPPORT_POSTAL_CENTROIDS ? path.resolve(env.RAPPORT_POSTAL_CENTROIDS) : undefined,
    ...overrides,
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success || (parsed.data.replicaDatabaseUrl && !parsed.data.databaseUrl)) {
    const lines = parsed.success
      ? ['  replicaDatabaseUrl: RAPPORT_REPLICA_DATABASE_URL needs DATABASE_URL (the embedded database has no replica)']
      : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
