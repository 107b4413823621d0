import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { type Config, loadConfig } from '../../server/platform/config';
import { type Runtime, startRuntime } from '../../server/runtime';
import { freshDatabase } from './db';

export interface TestApp extends Runtime {
  /** Closes the app and drops its database. */
  stop(): Promise<void>;
}

/** A real Rapport (real database on this run's engine, real HTTP stack via inject) with a fresh database. */
export async function createTestApp(
  overrides: Partial<Config> = {},
  opts: { logStream?: NodeJS.WritableStream; clock?: () => Date } = {},
): Promise<TestApp> {
  const target = await freshDatabase();
  const config = loadConfig(
    {
      databaseUrl: target.databaseUrl,
      dataDir: target.dataDir,
      embeddedTemplate: target.embeddedTemplate,
      baseUrl: 'http://localhost:3000',
      logLevel: 'silent',
      seedDemo: false,
      poolSize: 4,
      // Test files sign up more often from one address than a visitor may; the limits'
      // own tests (rate-limits.test.ts) turn them on.
      publicRateLimits: false,
      ...overrides,
    },
    {},
  );
  const runtime = await startRuntime(config, { backgroundWork: false, logStream: opts.logStream, clock: opts.clock });
  return Object.assign(runtime, {
    async stop() {
      await runtime.close();
      await target.drop();
    },
  });
}

export const STRONG_PASSWORD = 'correct horse battery staple';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
}

/** The `name=value` session cookie from a response, for the next request's Cookie header. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const found = list.map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('rapport.session_token='));
  if (!found) throw new Error(`no session cookie in response ${res.statusCode}: ${res.body}`);
  return found;
}

export interface SignedUp {
  cookie: string;
  userId: string;
  workspaceId: string;
  email: string;
}

/** Signs up a new user with a new workspace through the API. */
export async function signUp(
  app: Runtime['app'],
  input: { email?: string; name?: string; workspaceName?: string; password?: string } = {},
): Promise<SignedUp> {
  const email = input.email ?? uniqueEmail();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-up',
    payload: {
      name: input.name ?? 'Test User',
      email,
      password: input.password ?? STRONG_PASSWORD,
      workspaceName: input.workspaceName ?? 'Test Workspace',
    },
  });
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { cookie: sessionCookie(res), userId: body.data.user.id, workspaceId: body.data.workspace.id, email };
}

/** Creates an API key through the API as the given session; returns the secret. */
export async function createApiKeyVia(
  app: Runtime['app'],
  cookie: string,
  body: Record<string, unknown> = { name: 'test key' },
): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: body });
  if (res.statusCode !== 201) throw new Error(`api key creation failed: ${res.statusCode} ${res.body}`);
  return res.json().data.key;
}
