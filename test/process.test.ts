import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEMO_EMAIL } from '../server/modules/demo/demo-seed';
import { createTestApp, STRONG_PASSWORD, uniqueEmail } from './helpers/app';
import { freshDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { startServerProcess } from './helpers/server-process';

// These tests start real `rapport` processes (migrations on a fresh database each time):
// give them room on a busy 2-core machine.
vi.setConfig({ testTimeout: 420_000, hookTimeout: 180_000 });

describe('the process', () => {
  it('answers /health in well under 100 ms while a multi-second query runs in the database', async () => {
    const t = await createTestApp();
    try {
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
      let longDone = false;
      const long = t.database.pool.query('select pg_sleep(3)').then(() => {
        longDone = true;
      });
      await new Promise((r) => setTimeout(r, 300)); // the query is now running in the database
      const timings: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const res = await fetch(`${address}/health`);
        expect(res.status).toBe(200);
        timings.push(performance.now() - started);
      }
      // Every answer came while the query still ran (not blocked by it); the median is well
      // under 100 ms — one answer may be late when the 2-core machine is busy elsewhere.
      expect(longDone).toBe(false);
      timings.sort((a, b) => a - b);
      expect(timings[2]).toBeLessThan(100);
      expect(Math.max(...timings)).toBeLessThan(1_000);
      await long;
    } finally {
      await t.stop();
    }
  });

  describe('serve, SIGTERM and restart', () => {
    let db: TestDatabase;
    let dataDir: string;
    afterAll(async () => {
      await db?.drop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('seeds a demo on first start, finishes an in-flight request on SIGTERM, exits 0, and keeps the data', async () => {
      db = await freshDatabase();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-proc-'));
      const env: Record<string, string> =
        ENGINE === 'postgres' ? { DATABASE_URL: db.databaseUrl ?? '' } : { RAPPORT_DATA_DIR: dataDir };
      env.RAPPORT_SEED_DEMO = '1';
      env.LOG_LEVEL = 'info'; // every log line in the output, to check the password is in none of them
      // A first start migrates a new data directory and seeds the demo (argon2, sample data): slow on a busy machine.
      const first = await startServerProcess(env, 180_000);
      // A password generated for this installation, printed once beside the URL.
      const printed = new RegExp(`Demo login: ${DEMO_EMAIL} / (\\S+)`).exec(first.output());
      const demoPassword = printed?.[1] as string;
      expect(demoPassword, first.output()).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
      expect(first.output().split(demoPassword)).toHaveLength(2); // once: not in any log line

      // An in-flight request: the body arrives in two parts, with SIGTERM in between.
      const email = uniqueEmail('inflight');
      const body = JSON.stringify({ name: 'In Flight', email, password: STRONG_PASSWORD, workspaceName: 'Flight' });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          `${first.url}/api/v1/auth/sign-up`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 20));
        setTimeout(() => {
          first.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(20)), 500);
        }, 200);
      });
      const res = await response;
      expect(res.status).toBe(201);
      expect(await first.exited).toBe(0);
      if (ENGINE === 'embedded') expect(fs.existsSync(path.join(dataDir, 'rapport.lock'))).toBe(false);

      // After a restart on the same database the user can sign in: nothing was lost.
      const second = await startServerProcess(env, 180_000);
      try {
        expect(second.output()).toContain(`Demo login: ${DEMO_EMAIL} (its password was shown at the first start)`);
        expect(second.output()).not.toContain(demoPassword); // not seeded twice, and never shown again
        const signIn = await fetch(`${second.url}/api/v1/auth/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: STRONG_PASSWORD }),
        });
        expect(signIn.status).toBe(200);
        const demo = await fetch(`${second.url}/api/v1/auth/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: DEMO_EMAIL, password: demoPassword }),
        });
        expect(demo.status).toBe(200);
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
    });

    it.runIf(ENGINE === 'embedded')('refuses to open a data directory another process holds', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-lock-'));
      const first = await startServerProcess({ RAPPORT_DATA_DIR: dir, RAPPORT_SEED_DEMO: '0' });
      try {
        await expect(startServerProcess({ RAPPORT_DATA_DIR: dir, RAPPORT_SEED_DEMO: '0' }, 30_000)).rejects.toThrow(
          /in use by process/,
        );
      } finally {
        first.child.kill('SIGTERM');
        await first.exited;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
