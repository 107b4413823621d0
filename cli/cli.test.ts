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

  // Help and argument errors never open a database: checked once, on the embedded run.
  it.runIf(ENGINE === 'embedded')('prints help for every command', async () => {
    const top = await rapport('--help');
    expect(top.code).toBe(0);
    for (const cmd of ['serve', 'migrate', 'seed', 'users', 'apikeys']) expect(top.stdout).toContain(cmd);
    for (const args of [['serve'], ['migrate'], ['seed'], ['users', 'create'], ['apikeys', 'create']]) {
      const res = await rapport(...args, '--help');
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/Usage: rapport/);
    }
  });

  it.runIf(ENGINE === 'embedded')('fails clearly with a non-zero status on bad usage', async () => {
    const unknown = await rapport('frobnicate');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
    const missing = await rapport('seed');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--contacts/);
    const badNumber = await rapport('seed', '--contacts', 'lots');
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
});
