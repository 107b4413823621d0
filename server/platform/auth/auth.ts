import { hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-policy';

const ts = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
// algorithm 2 = Argon2id (the package's const enum cannot be imported under isolatedModules).
const ARGON2 = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const SESSION_COOKIE = 'rapport.session_token';

/** Hashes a password with argon2id (also used by the CLI and invitations). */
export const hashPassword = (password: string) => hash(password, ARGON2);
/** Checks a password against a stored argon2id hash (false for a malformed hash). */
export const verifyPassword = (stored: string, password: string) => verify(stored, password).catch(() => false);

/**
 * Better Auth over our own tables (snake_case, uuid ids). Rapport calls its
 * server API (auth.api.*) from its own routes, so the HTTP surface, errors and
 * sign-in throttling are Rapport's; Better Auth owns users, credentials and sessions.
 */
export function createAuth(config: Config, database: Database, secret: string) {
  const secure = config.baseUrl.startsWith('https://');
  return betterAuth({
    appName: 'Rapport',
    baseURL: config.baseUrl,
    basePath: '/api/auth',
    secret,
    database: { db: database.db, type: 'postgres', transaction: true },
    trustedOrigins: [config.baseUrl, ...config.corsOrigins],
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      password: {
        hash: hashPassword,
        verify: ({ hash: stored, password }) => verify(stored, password),
      },
    },
    // Rapport throttles sign-in itself, in the database, so every app server agrees.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { level: 'error' },
    session: {
      modelName: 'sessions',
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
      fields: {
        userId: 'user_id',
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        ...ts,
      },
    },
    user: {
      modelName: 'users',
      fields: { emailVerified: 'email_verified', ...ts },
    },
    account: {
      modelName: 'auth_accounts',
      fields: {
        userId: 'user_id',
        accountId: 'account_id',
        providerId: 'provider_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        ...ts,
      },
    },
    verification: {
      modelName: 'verifications',
      fields: { expiresAt: 'expires_at', ...ts },
    },
    advanced: {
      cookiePrefix: 'rapport',
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure },
      database: { generateId: () => uuidv7() },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** The secret that signs session cookies: from config, else generated once and kept in the database. */
export async function loadAuthSecret(config: Config, database: Database): Promise<string> {
  if (config.authSecret) return config.authSecret;
  await sql`insert into instance_settings (key, value)
            values ('auth_secret', encode(gen_random_bytes(32), 'hex'))
            on conflict (key) do nothing`.execute(database.db);
  const row = await sql<{ value: string }>`select value from instance_settings where key = 'auth_secret'`.execute(
    database.db,
  );
  const value = row.rows[0]?.value;
  if (!value) throw new Error('could not load the session secret');
  return value;
}
