import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, uniqueEmail } from './helpers/app';
import { freshDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { networkClient, signUpOver } from './helpers/http';
import { type ServerProcess, startServerProcess } from './helpers/server-process';

/** Polls until `fn` returns a value (not undefined), or fails naming `what`. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 180_000, everyMs = 100): Promise<T> {
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
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const ROWS = 12_000;

interface ImportState {
  status: string;
  counts: { read: number; created: number; updated: number; failed: number };
}

describe('an import survives SIGKILL mid-file: it resumes where it stopped, nothing duplicated or lost', () => {
  let db: TestDatabase | undefined;
  let dataDir = '';
  let server: ServerProcess | undefined;
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await db?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is killed after some batches committed; after a restart every row is imported exactly once', async () => {
    db = await freshDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-import-crash-'));
    const env: Record<string, string> = {
      ...(ENGINE === 'postgres' ? { DATABASE_URL: db.databaseUrl ?? '' } : { RAPPORT_DATA_DIR: dataDir }),
      RAPPORT_SEED_DEMO: 'false',
    };
    server = await startServerProcess(env);
    let base = server.url;
    const cookie = await signUpOver(base, {
      name: 'Ivy Import',
      email: uniqueEmail('import'),
      password: STRONG_PASSWORD,
      workspaceName: 'Import Crash Co',
    });
    const call = networkClient(() => base, cookie);
    const state = async (id: string) => {
      const res = await call('GET', `/api/v1/imports/${id}`);
      if (res.status !== 200) throw new Error(`GET import answered ${res.status}`);
      return ((await res.json()) as { data: ImportState }).data;
    };

    const lines = ['Record ID,First Name,Last Name,Email,Company Name'];
    for (let i = 0; i < ROWS; i++) lines.push(`${i + 1},P${i},Crash,p${i}@crash.example,Company ${i % 7}`);
    const form = new FormData();
    form.append('object', 'contacts');
    form.append('preset', 'hubspot');
    form.append('file', new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), 'contacts.csv');
    const res = await fetch(`${base}/api/v1/imports`, { method: 'POST', headers: { cookie }, body: form });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = ((await res.json()) as { data: { id: string } }).data;

    // Kill as soon as some batches have committed and rows are left.
    const first = server;
    const seen = await until(
      'some batches to commit',
      async () => {
        const s = await state(id);
        return s.counts.read > 0 ? s : undefined;
      },
      300_000,
      20,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(seen.counts.read).toBeLessThan(ROWS);

    server = await startServerProcess(env);
    base = server.url;
    const before = await state(id);
    expect(before.status).toBe('running');
    const done = await until(
      'the import to complete after the restart',
      async () => {
        const s = await state(id);
        return s.status === 'completed' || s.status === 'failed' ? s : undefined;
      },
      900_000,
      500,
    );
    expect(done.status).toBe('completed');
    expect(done.counts).toEqual({ read: ROWS, created: ROWS, updated: 0, failed: 0 });
    const count = await call('GET', '/api/v1/contacts?limit=1&count=true');
    expect(((await count.json()) as { total: number }).total).toBe(ROWS);
    const accounts = await call('GET', '/api/v1/accounts?limit=100');
    const names = ((await accounts.json()) as { data: { name: string }[] }).data.map((a) => a.name).sort();
    expect(names).toEqual(['Company 0', 'Company 1', 'Company 2', 'Company 3', 'Company 4', 'Company 5', 'Company 6']);
    // Spot checks at both ends and around the kill: each person once, linked.
    for (const n of [0, seen.counts.read - 1, seen.counts.read, ROWS - 1]) {
      const r = await call(
        'GET',
        `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: `p${n}@crash.example` }))}`,
      );
      const found = ((await r.json()) as { data: { accountId: string | null }[] }).data;
      expect(found, `p${n}`).toHaveLength(1);
      expect(found[0]?.accountId).toBeTruthy();
    }
  }, 1_800_000);
});
