import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEMO_EMAIL } from '../server/modules/demo';
import { createTestApp, STRONG_PASSWORD, uniqueEmail } from './helpers/app';
import { freshDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { startServerProcess } from './helpers/server-process';

// These tests start real `rapport` processes (migrations on a fresh database each time):
// give them room on a busy 2-core machine.
vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 900_000 });

/** Resolves once nothing listens at `url` any more (a new connection is refused). */
async function listenerClosed(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the process', () => {
  it('answers /health while a multi-second query runs in the database', async () => {
    const t = await createTestApp();
    try {
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
      // The query reports when the database started and finished it (the same machine's
      // clock): answers timed inside that window came while it ran, however busy the machine.
      let longDone = false;
      const long = t.database.pool
        .query<{ started: Date; ended: Date }>(
          'select statement_timestamp() as started, pg_sleep(3), clock_timestamp() as ended',
        )
        .then((r) => {
          longDone = true;
          return r.rows[0] as { started: Date; ended: Date };
        });
      const answeredAt: number[] = [];
      while (!longDone) {
        const res = await fetch(`${address}/health`);
        expect(res.status).toBe(200);
        answeredAt.push(Date.now());
      }
      const { started, ended } = await long;
      const during = answeredAt.filter((at) => at > started.getTime() && at < ended.getTime());
      // A blocked event loop answers nothing during the query; a free one answers many times
      // in its 3 s (tens of times on a quiet machine).
      expect(during.length, `${answeredAt.length} answers, ${during.length} during the query`).toBeGreaterThanOrEqual(
        3,
      );
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

    // A safety net, not an expectation: two starts (the first seeds the whole demo workspace,
    // which every module adds to) and a shutdown took over the 120 s default on a busy machine.
    it('seeds a demo on first start, finishes an in-flight request on SIGTERM, exits 0, and keeps the data', {
      timeout: 900_000,
    }, async () => {
      db = await freshDatabase();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-proc-'));
      const env: Record<string, string> =
        ENGINE === 'postgres' ? { DATABASE_URL: db.databaseUrl ?? '' } : { RAPPORT_DATA_DIR: dataDir };
      env.RAPPORT_SEED_DEMO = '1';
      env.RAPPORT_BASE_URL = ''; // unset: the default, http://localhost:<port>
      env.LOG_LEVEL = 'info'; // every log line in the output, to check the password is in none of them
      // A first start migrates a new data directory and seeds the demo (argon2, sample data): slow on a busy machine.
      const first = await startServerProcess(env, 600_000);
      // A password generated for this installation, printed beside the URL on one line per
      // demo user (`email … password …`), people in different roles.
      const printed = [...first.output().matchAll(/^ +email (\S+@\S+) +password (\S+) +\((.+)\)$/gm)];
      expect(printed.length, first.output()).toBeGreaterThanOrEqual(3);
      expect(printed[0]?.[1]).toBe(DEMO_EMAIL);
      const demoPassword = printed[0]?.[2] as string;
      expect(demoPassword, first.output()).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
      expect(new Set(printed.map((m) => m[2]))).toEqual(new Set([demoPassword]));
      const roles = new Set(printed.map((m) => (m[3] as string).split(',')[0]));
      expect(roles.size, [...roles].join(' / ')).toBeGreaterThanOrEqual(3);
      // Only on those lines: in no log line.
      expect(first.output().split(demoPassword)).toHaveLength(printed.length + 1);

      // An in-flight request: the body arrives in two parts, with SIGTERM in between.
      const email = uniqueEmail('inflight');
      const body = JSON.stringify({ name: 'In Flight', email, password: STRONG_PASSWORD, workspaceName: 'Flight' });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          `${first.url}/api/v1/auth/sign-up`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              expect: '100-continue',
            },
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
        // 100-continue: the server answers "continue" once it has the request's headers, so
        // the request is in flight before SIGTERM, however slow the machine.
        req.once('continue', () => {
          req.write(body.slice(0, 20));
          first.child.kill('SIGTERM');
          // The rest of the body only once the server is shutting down (it stops listening).
          listenerClosed(first.url).then(() => req.end(body.slice(20)), reject);
        });
        req.flushHeaders();
      });
      const res = await response;
      expect(res.status).toBe(201);
      expect(await first.exited).toBe(0);
      if (ENGINE === 'embedded') expect(fs.existsSync(path.join(dataDir, 'rapport.lock'))).toBe(false);

      // After a restart on the same database the user can sign in: nothing was lost.
      const second = await startServerProcess(env, 180_000);
      try {
        for (const [, email] of printed) {
          expect(second.output()).toMatch(new RegExp(`email ${email} +password \\(shown at the first start\\)`));
        }
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
        // The demo administrator sees every printed person among the members.
        const cookie = demo.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; ');
        const members = await fetch(`${second.url}/api/v1/members`, { headers: { cookie } });
        const memberEmails = ((await members.json()) as { data: { email: string }[] }).data.map((m) => m.email);
        expect(memberEmails.sort()).toEqual(printed.map((m) => m[1]).sort());
        // RAPPORT_BASE_URL unset (http://localhost:<port>), the app opened at 127.0.0.1: a cookie
        // write from its page is accepted; one from another port of the machine is not.
        const port = new URL(second.url).port;
        const write = (origin: string) =>
          fetch(`http://127.0.0.1:${port}/api/v1/accounts`, {
            method: 'POST',
            headers: { cookie, origin, 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Opened at ${origin}` }),
          });
        expect((await write(`http://127.0.0.1:${port}`)).status).toBe(201);
        expect((await write('http://127.0.0.1:1')).status).toBe(403);
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
    });

    it.runIf(ENGINE === 'embedded')('refuses to open a data directory another process holds', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-lock-'));
      const first = await startServerProcess({ RAPPORT_DATA_DIR: dir, RAPPORT_SEED_DEMO: '0' });
      try {
        await expect(startServerProcess({ RAPPORT_DATA_DIR: dir, RAPPORT_SEED_DEMO: '0' })).rejects.toThrow(
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
