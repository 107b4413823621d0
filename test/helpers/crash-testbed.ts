import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STRONG_PASSWORD, uniqueEmail } from './app';
import { freshDatabase, type TestDatabase } from './db';
import { ENGINE } from './engine';
import { type NetworkClient, networkClient, signUpOver } from './http';
import { type ServerProcess, startServerProcess } from './server-process';

/**
 * The scaffolding of the crash tests (campaigns, workflows, reminders, webhooks): a real
 * `rapport serve` child on a database that outlives it — a fresh PostgreSQL database, or an
 * on-disk embedded data directory — which a test kills with SIGKILL and starts again on the
 * same data. One place for it, so each crash test is only its story.
 */
export interface CrashTestbed {
  /** The environment every start of the server gets (the database plus the test's own settings). */
  env: Record<string, string>;
  /** The server now running (undefined before start and after a kill). */
  server: ServerProcess | undefined;
  /** The running server's base URL (a restart listens on a new port). */
  base(): string;
  /** Starts the server on the testbed's data (again, after a kill). */
  start(): Promise<ServerProcess>;
  /** SIGKILLs the running server and resolves with its exit code (null: it died of the signal). */
  kill(): Promise<number | null>;
  /** Signs up a new workspace on the running server; requests as its owner follow a restart. */
  signUp(name: string, workspaceName: string): Promise<Api>;
  /** Kills the server if it runs, removes the data. For afterAll. */
  close(): Promise<void>;
}

export interface Api {
  call: NetworkClient;
  /** Status and parsed body (null when not JSON). */
  json(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: { data: Record<string, unknown> } }>;
}

export async function crashTestbed(settings: Record<string, string>): Promise<CrashTestbed> {
  const db: TestDatabase = await freshDatabase();
  const dataDir = ENGINE === 'postgres' ? '' : fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-crash-'));
  const env: Record<string, string> = {
    ...(ENGINE === 'postgres' ? { DATABASE_URL: db.databaseUrl ?? '' } : { RAPPORT_DATA_DIR: dataDir }),
    RAPPORT_SEED_DEMO: 'false',
    ...settings,
  };
  const bed: CrashTestbed = {
    env,
    server: undefined,
    base() {
      if (!bed.server) throw new Error('the server is not running');
      return bed.server.url;
    },
    async start() {
      bed.server = await startServerProcess(env);
      return bed.server;
    },
    async kill() {
      const victim = bed.server;
      if (!victim) throw new Error('the server is not running');
      bed.server = undefined;
      victim.child.kill('SIGKILL');
      return victim.exited;
    },
    async signUp(name, workspaceName) {
      const cookie = await signUpOver(bed.base(), {
        name,
        email: uniqueEmail(name.toLowerCase().replace(/\W+/g, '-')),
        password: STRONG_PASSWORD,
        workspaceName,
      });
      const call = networkClient(() => bed.base(), cookie);
      return {
        call,
        async json(method, url, body) {
          const res = await call(method, url, body);
          return {
            status: res.status,
            json: (await res.json().catch(() => null)) as { data: Record<string, unknown> },
          };
        },
      };
    },
    async close() {
      const running = bed.server;
      bed.server = undefined;
      if (running && running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill('SIGKILL');
        await running.exited;
      }
      await db.drop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return bed;
}

/** Polls until `fn` returns a value (not undefined), or fails naming `what` (with the last error). */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 300_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
