import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backupToFile } from '../server/platform/backup/backup';
import { readBackup, restoreFromFile } from '../server/platform/backup/restore';
import { backupCron, backupFileName } from '../server/platform/backup/scheduled';
import { openDatabase } from '../server/platform/db/database';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { openTestDatabase } from './helpers/db';
import { freshEmptyDatabase } from './helpers/empty-db';
import { ENGINE } from './helpers/engine';
import {
  buildAccount,
  buildContact,
  buildLead,
  buildNote,
  buildOpportunity,
  buildTask,
  buildTicket,
} from './helpers/factories';
import { client } from './helpers/http';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const CLI = path.resolve(import.meta.dirname, '../cli/rapport.js');
const run = promisify(execFile);

type Target = Awaited<ReturnType<typeof openTestDatabase>>;

/** Every public table's row count and an order-independent checksum of its rows' text. */
async function fingerprint(pool: pg.Pool, where?: { workspaceId: string }): Promise<Record<string, string>> {
  const { rows: tables } = await pool.query<{ name: string; scoped: boolean }>(`
    select c.relname as name, exists(select 1 from pg_attribute a where a.attrelid = c.oid
      and a.attname = 'workspace_id' and not a.attisdropped) as scoped
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`);
  const out: Record<string, string> = {};
  for (const { name, scoped } of tables) {
    const filter = where && scoped ? `where workspace_id = '${where.workspaceId}'` : '';
    // Restore migrates the database to the backup's level: the same migrations, applied at another time.
    const row = name === 'schema_migrations' ? 'row(t.version, t.name, t.checksum)' : 't';
    const { rows } = await pool.query<{ n: string; sum: string | null }>(
      `select count(*)::text as n, md5(string_agg(md5(${row}::text), ',' order by md5(${row}::text))) as sum from "${name}" t ${filter}`,
    );
    out[name] = `${rows[0]?.n}:${rows[0]?.sum ?? ''}`;
  }
  return out;
}

/** The number a `select count(*) …` answers. */
const count = async (pool: pg.Pool, sql: string, values: unknown[] = []) =>
  Number((await pool.query<{ count: string }>(sql, values)).rows[0]?.count);

describe('backups: rapport backup and rapport restore', () => {
  let t: TestApp;
  let alpha: SignedUp;
  let beta: SignedUp;
  let dir: string;
  let full: string;
  let fullPrint: Record<string, string>;
  const targets: Target[] = [];
  let now = new Date();

  const newTarget = async () => {
    const target = await openTestDatabase();
    targets.push(target);
    return target;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-backup-'));
    t = await createTestApp(
      { backupDir: path.join(dir, 'scheduled'), backupEvery: '1h', backupKeep: 2 },
      { clock: () => now },
    );
    alpha = await signUp(t.app, { workspaceName: 'Alpha Backups', name: 'Ada Alpha' });
    beta = await signUp(t.app, { workspaceName: 'Beta Backups', name: 'Bea Beta' });
    const a = client(t, alpha);
    const parent = await buildAccount(a, { name: 'Alpha Holdings' });
    const account = await buildAccount(a, { name: 'Alpha Retail', parentAccountId: parent.id });
    for (const name of ['Ng', "O'Brien", 'Zoë “quoted” \\ back\nslash'])
      await buildContact(a, { lastName: name, accountId: account.id });
    await buildLead(a, { lastName: 'Lead Alpha', company: 'Prospect Ltd' });
    await buildOpportunity(a, { name: 'Alpha deal', accountId: account.id });
    await buildTask(a, { title: 'Call Alpha back' });
    await buildNote(a, { body: 'A note with emoji 🎉 and tabs\tinside' });
    await buildTicket(a, { subject: 'Printer on fire' });
    const b = client(t, beta);
    await buildContact(b, { lastName: 'Beta Person' });
    await buildAccount(b, { name: 'Beta Corp' });

    full = path.join(dir, 'full.backup');
    await backupToFile(t.database, full);
    fullPrint = await fingerprint(t.database.pool);
  });

  afterAll(async () => {
    for (const target of targets) await target.drop();
    await t?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('restores a whole-instance backup into a fresh database: every table has the same rows and content', async () => {
    expect(Number(fullPrint.contacts?.split(':')[0])).toBe(4);
    const target = await newTarget();
    // Rows outside any workspace (as a migration may seed) leave a database empty; the backup's replace them.
    await target.pool.query(`insert into instance_settings (key, value) values ('seeded.by.a.migration', 'x')`);
    const result = await restoreFromFile(target, full);
    expect(result.rows).toBeGreaterThan(20);
    expect(result.manifest.tables.map((x) => x.name)).toContain('contacts');
    expect(await fingerprint(target.pool)).toEqual(fullPrint);
    // Sequences continue after the restored rows: a new audit entry takes a fresh id.
    const { rows } = await target.pool.query<{ last: string; max: string }>(
      `select (select last_value::text from audit_log_id_seq) as last, (select coalesce(max(id), 0)::text from audit_log) as max`,
    );
    expect(BigInt(rows[0]?.last ?? '0')).toBeGreaterThanOrEqual(BigInt(rows[0]?.max ?? '1'));

    // The same file again: the database now holds data, so only --force replaces it.
    await expect(restoreFromFile(target, full)).rejects.toThrow(/not empty.*--force/);
    await restoreFromFile(target, full, { force: true });
    expect(await fingerprint(target.pool)).toEqual(fullPrint);
  });

  it('refuses a file whose row content was changed (checksum against the manifest) and writes nothing', async () => {
    const raw = fs.readFileSync(full);
    const newline = raw.indexOf(0x0a);
    const body = gunzipSync(raw.subarray(newline + 1)).toString('utf8');
    expect(body).toContain('Printer on fire');
    const altered = Buffer.concat([
      raw.subarray(0, newline + 1),
      gzipSync(Buffer.from(body.replaceAll('Printer on fire', 'Printer on ice!'))),
    ]);
    const file = path.join(dir, 'altered.backup');
    fs.writeFileSync(file, altered);
    const target = await newTarget();
    await expect(restoreFromFile(target, file)).rejects.toThrow(
      /table \w+ does not match its SHA-256 checksum in the manifest/,
    );
    expect(await count(target.pool, 'select count(*) from workspaces')).toBe(0);
    expect(await count(target.pool, 'select count(*) from contacts')).toBe(0);
  });

  it('refuses a tampered byte and a truncated file with a clear message', async () => {
    const raw = fs.readFileSync(full);
    const tampered = Buffer.from(raw);
    const at = Math.floor(raw.length * 0.6);
    tampered[at] = (tampered[at] ?? 0) ^ 0x5a;
    fs.writeFileSync(path.join(dir, 'tampered.backup'), tampered);
    fs.writeFileSync(path.join(dir, 'truncated.backup'), raw.subarray(0, Math.floor(raw.length * 0.7)));
    const target = await newTarget();
    await expect(restoreFromFile(target, path.join(dir, 'tampered.backup'))).rejects.toThrow(
      /damaged or was altered|truncated/,
    );
    await expect(restoreFromFile(target, path.join(dir, 'truncated.backup'))).rejects.toThrow(/is truncated/);
    fs.writeFileSync(path.join(dir, 'other.backup'), 'hello\n');
    await expect(readBackup(path.join(dir, 'other.backup'), undefined)).rejects.toThrow(/not a Rapport backup/);
    expect(await count(target.pool, 'select count(*) from workspaces')).toBe(0);
  });

  it('encrypts with a passphrase: the wrong one, none, or an altered byte is refused; the right one restores', async () => {
    const file = path.join(dir, 'sealed.backup');
    await backupToFile(t.database, file, { passphrase: 'a long backup passphrase' });
    const raw = fs.readFileSync(file);
    expect(raw.includes(Buffer.from('Alpha Holdings'))).toBe(false);
    await expect(readBackup(file, 'not the passphrase')).rejects.toThrow(/Wrong passphrase/);
    await expect(readBackup(file, undefined)).rejects.toThrow(/is encrypted.*passphrase/);
    const tampered = Buffer.from(raw);
    const at = raw.length - 40;
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    fs.writeFileSync(path.join(dir, 'sealed-tampered.backup'), tampered);
    await expect(readBackup(path.join(dir, 'sealed-tampered.backup'), 'a long backup passphrase')).rejects.toThrow(
      /damaged or was altered/,
    );
    const target = await newTarget();
    await expect(restoreFromFile(target, file, { passphrase: 'wrong passphrase!' })).rejects.toThrow(
      /Wrong passphrase/,
    );
    await restoreFromFile(target, file, { passphrase: 'a long backup passphrase' });
    expect(await count(target.pool, `select count(*) from accounts where name = 'Alpha Holdings'`)).toBe(1);
  });

  it('a workspace backup restores that workspace only, with the users it references', async () => {
    const file = path.join(dir, 'alpha.backup');
    const manifest = await backupToFile(t.database, file, { workspaceId: alpha.workspaceId });
    expect(manifest.workspaceId).toBe(alpha.workspaceId);
    const alphaPrint = await fingerprint(t.database.pool, { workspaceId: alpha.workspaceId });
    const target = await newTarget();
    await restoreFromFile(target, file);
    const restored = await fingerprint(target.pool, { workspaceId: alpha.workspaceId });
    // Every workspace table holds exactly Alpha's rows, unchanged.
    const { rows: scoped } = await target.pool.query<{ name: string }>(`
      select c.relname as name from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'workspace_id'
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'`);
    expect(scoped.length).toBeGreaterThan(50);
    for (const { name } of scoped) {
      expect(restored[name], name).toBe(alphaPrint[name]);
      expect(
        await count(target.pool, `select count(*) from "${name}" where workspace_id <> $1`, [alpha.workspaceId]),
        name,
      ).toBe(0);
    }
    expect(await count(target.pool, 'select count(*) from workspaces')).toBe(1);
    expect(await count(target.pool, 'select count(*) from users where id = $1', [alpha.userId])).toBe(1);
    expect(await count(target.pool, 'select count(*) from users where id = $1', [beta.userId])).toBe(0);
    expect(await count(target.pool, 'select count(*) from auth_accounts where user_id = $1', [alpha.userId])).toBe(1);
    expect(await count(target.pool, 'select count(*) from instance_settings')).toBe(0);

    // Beside another workspace (--force adds it); the same workspace twice is refused.
    const betaFile = path.join(dir, 'beta.backup');
    await backupToFile(t.database, betaFile, { workspaceId: beta.workspaceId });
    await expect(restoreFromFile(target, betaFile)).rejects.toThrow(/not empty/);
    await restoreFromFile(target, betaFile, { force: true });
    expect(await count(target.pool, 'select count(*) from workspaces')).toBe(2);
    await expect(restoreFromFile(target, file, { force: true })).rejects.toThrow(/already exists/);
  });

  it('makes scheduled backups through the job queue and keeps the newest RAPPORT_BACKUP_KEEP', async () => {
    expect(backupCron('1d')).toBe('37 2 * * *');
    expect(backupCron('6h')).toBe('7 */6 * * *');
    expect(backupCron('15m')).toBe('*/15 * * * *');
    expect(backupCron('0 4 * * 0')).toBe('0 4 * * 0');
    expect(() => backupCron('7h')).toThrow(/RAPPORT_BACKUP_EVERY/);
    expect(() => backupCron('whenever')).toThrow(/RAPPORT_BACKUP_EVERY/);
    expect(backupFileName(new Date('2026-12-07T02:30:05.123Z'))).toBe('rapport-20261207T023005Z.backup');

    const scheduled = path.join(dir, 'scheduled');
    const files = () => (fs.existsSync(scheduled) ? fs.readdirSync(scheduled).sort() : []);
    await t.jobs.runDue({ queues: ['platform.backup'] }); // declares the schedule; its first tick is ahead
    expect(files()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      now = new Date(now.getTime() + 2 * 3_600_000);
      expect((await t.jobs.runDue({ queues: ['platform.backup'] })).completed).toBe(1);
      expect(files()).toHaveLength(Math.min(i + 1, 2));
    }
    expect(files()).toEqual([backupFileName(new Date(now.getTime() - 2 * 3_600_000)), backupFileName(now)]);
    expect(files()).toHaveLength(2);
    expect(files().every((f) => /^rapport-\d{8}T\d{6}Z\.backup$/.test(f))).toBe(true);
    const { manifest } = await readBackup(path.join(scheduled, files()[1] as string), undefined);
    expect(manifest.tables.find((x) => x.name === 'contacts')?.rows).toBe(4);
  });

  // Real processes on a data directory on disk: each opens PGlite from its files (tens of seconds on a busy machine).
  it('works from the command line (embedded data directory or DATABASE_URL), refusing a data directory in use', {
    timeout: 600_000,
  }, async () => {
    const cliDir = fs.mkdtempSync(path.join(dir, 'cli-'));
    const rapport = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
      try {
        const res = await run(process.execPath, [CLI, ...args], {
          env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '', ...env },
          timeout: 120_000,
        });
        return { code: 0, stdout: res.stdout, stderr: res.stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };
    let source: NodeJS.ProcessEnv;
    let target: NodeJS.ProcessEnv;
    let dropTarget = async () => {};
    if (ENGINE === 'postgres') {
      source = { DATABASE_URL: t.config.databaseUrl };
      const empty = await freshEmptyDatabase(); // not even migrated: restore migrates it to the backup's level
      target = { DATABASE_URL: empty.databaseUrl };
      dropTarget = empty.drop;
    } else {
      source = { RAPPORT_DATA_DIR: path.join(cliDir, 'source') };
      const made = await rapport(
        source,
        'users',
        'create',
        '--email',
        'cli@example.com',
        '--name',
        'Cli Person',
        '--password',
        'a long and unusual passphrase',
        '--workspace-name',
        'Cli Co',
      );
      expect(made.code, made.stderr).toBe(0);
      target = { RAPPORT_DATA_DIR: path.join(cliDir, 'target') };
    }
    try {
      const help = await rapport({}, '--help');
      expect(help.stdout).toMatch(/backup/);
      expect(help.stdout).toMatch(/restore/);

      const file = path.join(cliDir, 'cli.backup');
      const passFile = path.join(cliDir, 'pass.txt');
      fs.writeFileSync(passFile, 'cli backup passphrase\n');
      const backup = await rapport(source, 'backup', '--out', file, '--passphrase-file', passFile);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toMatch(/Backed up .* rows of \d+ tables .* encrypted/);
      expect(backup.stderr).toMatch(/backup: 100%/); // progress (lines when stderr is not a terminal)

      const wrong = await rapport({ ...target, RAPPORT_BACKUP_PASSPHRASE: 'not the right one' }, 'restore', file);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/Wrong passphrase/);
      const check = await rapport({}, 'restore', file, '--check', '--passphrase-file', passFile);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toMatch(/is intact/);

      const restored = await rapport(target, 'restore', file, '--passphrase-file', passFile);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(/Restored .* every checksum verified/);
      const sourceDb = await openDatabase({
        databaseUrl: source.DATABASE_URL,
        dataDir: source.RAPPORT_DATA_DIR ?? 'memory://',
      });
      const sourcePrint = await fingerprint(sourceDb.pool).finally(() => sourceDb.close());
      const targetDb = await openDatabase({
        databaseUrl: target.DATABASE_URL,
        dataDir: target.RAPPORT_DATA_DIR ?? 'memory://',
      });
      const targetPrint = await fingerprint(targetDb.pool).finally(() => targetDb.close());
      expect(targetPrint).toEqual(sourcePrint);

      if (ENGINE === 'embedded') {
        // A live process holds the data directory (as `rapport serve` would): backup says what to do.
        fs.writeFileSync(path.join(source.RAPPORT_DATA_DIR as string, 'rapport.lock'), String(process.pid));
        const busy = await rapport(source, 'backup', '--out', path.join(cliDir, 'busy.backup'));
        fs.rmSync(path.join(source.RAPPORT_DATA_DIR as string, 'rapport.lock'));
        expect(busy.code).not.toBe(0);
        expect(busy.stderr).toMatch(/in use by process .* stop it for `rapport backup`/);
        expect(fs.existsSync(path.join(cliDir, 'busy.backup'))).toBe(false);
      }
    } finally {
      await dropTarget();
    }
  });
});
