import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../server/platform/config';
import { startRuntime } from '../server/runtime';
import { freshDatabase, type TestDatabase } from '../test/helpers/db';
import { ENGINE } from '../test/helpers/engine';
import { main } from './main';

// These tests start real `rapport` processes (migrations on a fresh database each time):
// give them room on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, 'rapport.js');

describe('the rapport CLI', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await freshDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-'));
    env = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '', RAPPORT_DATA_DIR: dataDir };
    if (ENGINE === 'postgres') env.DATABASE_URL = db.databaseUrl;
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const rapport = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  /** The same command in this process (help and usage errors): no start-up of its own. */
  const inProcess = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ['node', 'rapport', ...args],
      (s) => out.push(s),
      (s) => err.push(s),
    );
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  // Help and argument errors never open a database: checked once, on the embedded run. The
  // installed command once, the rest through the same `main` in this process.
  it.runIf(ENGINE === 'embedded')('prints help for every command', async () => {
    const top = await rapport('--help');
    expect(top.code).toBe(0);
    for (const cmd of ['serve', 'migrate', 'seed', 'users', 'apikeys', 'backup', 'restore', 'import', 'keys'])
      expect(top.stdout).toContain(cmd);
    for (const args of [
      ['serve'],
      ['migrate'],
      ['seed'],
      ['users', 'create'],
      ['apikeys', 'create'],
      ['backup'],
      ['restore'],
      ['import'],
    ]) {
      const res = await inProcess(...args, '--help');
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/Usage: rapport/);
    }
  });

  it.runIf(ENGINE === 'embedded')('fails clearly with a non-zero status on bad usage', async () => {
    const unknown = await rapport('frobnicate');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
    const missing = await inProcess('seed');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--contacts/);
    const badNumber = await inProcess('seed', '--contacts', 'lots');
    expect(badNumber.code).not.toBe(0);
    expect(badNumber.stderr).toMatch(/whole number/);
  });

  it('migrates, creates a user (enforcing the password policy) and an API key that works', async () => {
    const migrated = await rapport('migrate');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/Applied migrations|up to date/);

    const weak = await rapport(
      'users',
      'create',
      '--email',
      'ops@example.com',
      '--name',
      'Ops',
      '--password',
      'password123',
      '--workspace-name',
      'Ops Co',
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/password/i);

    const user = await rapport(
      'users',
      'create',
      '--email',
      'ops@example.com',
      '--name',
      'Ops Person',
      '--password',
      'a long and unusual passphrase',
      '--workspace-name',
      'Ops Co',
    );
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/administrator of workspace "Ops Co"/);

    const key = await rapport('apikeys', 'create', '--name', 'ci', '--role', 'data_analyst', '--workspace', 'Ops Co');
    expect(key.code, key.stderr).toBe(0);
    const secret = key.stdout.trim();
    expect(secret).toMatch(/^rpk_/);

    const badScope = await rapport('apikeys', 'create', '--name', 'x', '--scopes', 'root');
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toMatch(/Unknown scope/);

    const runtime = await startRuntime(
      loadConfig({ databaseUrl: env.DATABASE_URL || undefined, dataDir, logLevel: 'silent', seedDemo: false }, {}),
      { backgroundWork: false },
    );
    try {
      const me = await runtime.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(me.statusCode).toBe(200);
      expect(me.json().data).toMatchObject({ role: 'data_analyst', workspace: { name: 'Ops Co' } });
    } finally {
      await runtime.close();
    }
  });
  it('imports a HubSpot export with `rapport import` (plain progress lines off a terminal), and again without duplicates', async () => {
    const file = path.join(dataDir, 'hubspot.csv');
    const rows = ['Record ID,First Name,Last Name,Email,Company Name,Lifecycle Stage'];
    for (let i = 1; i <= 1200; i++) rows.push(`${i},Cli${i},Import,cli${i}@example.com,Cli Co ${i % 3},customer`);
    rows.push('1201,Bad,Row,not-an-email,Cli Co 0,lead');
    fs.writeFileSync(file, `${rows.join('\n')}\n`);
    const errors = path.join(dataDir, 'errors.csv');
    const first = await rapport(
      'import',
      file,
      '--object',
      'contacts',
      '--preset',
      'hubspot',
      '--workspace',
      'Ops Co',
      '--errors',
      errors,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/completed: 1201 rows read, 1200 created, 0 updated, 1 failed, 3 accounts created/);
    // Not a terminal: plain progress lines, no bar.
    expect(first.stderr).toMatch(/^1,201 read, 1,200 created, 0 updated, 1 failed$/m);
    expect(first.stderr).not.toContain('[');
    expect(fs.readFileSync(errors, 'utf8')).toBe('row,column,message\r\n1202,Email,must be a valid email address\r\n');
    const again = await rapport('import', file, '--object', 'contacts', '--preset', 'hubspot', '--workspace', 'Ops Co');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/1201 rows read, 0 created, 1200 updated, 1 failed\./);
    const bad = await rapport(
      'import',
      file,
      '--object',
      'contacts',
      '--mapping',
      '{"Email": "shoeSize"}',
      '--workspace',
      'Ops Co',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/mapping\.Email/);
  }, 360_000);

  it('`rapport keys rotate` seals everything under the newest key; a ring without it stops the command with a clear error', async () => {
    const key = () => Buffer.from(Array.from({ length: 32 }, () => Math.floor(Math.random() * 256))).toString('base64');
    const withKeys = async (keys: string, ...args: string[]) => {
      const saved = env.RAPPORT_ENCRYPTION_KEYS;
      env.RAPPORT_ENCRYPTION_KEYS = keys;
      try {
        return await rapport(...args);
      } finally {
        env.RAPPORT_ENCRYPTION_KEYS = saved;
      }
    };
    const ring = `v2:${key()}`;
    const rotated = await withKeys(ring, 'keys', 'rotate');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/rotation [0-9a-f-]+: completed/);
    expect(rotated.stdout).toContain('older keys may now be removed');
    const status = await withKeys(ring, 'keys', 'status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('0 value(s) not sealed under the newest key');
    // The data is now sealed under v2: a ring without it is refused, naming what is missing.
    const wrong = await withKeys(`v3:${key()}`, 'keys', 'status');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cannot open this database's encrypted data: it was sealed with key [0-9a-f]{8}/);
  }, 360_000);
});
