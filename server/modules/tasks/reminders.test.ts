import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { signUp } from '../../../test/helpers/app';
import { freshDatabase } from '../../../test/helpers/db';
import { ENGINE } from '../../../test/helpers/engine';
import { loadConfig } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { startRuntime } from '../../runtime';

const reminders = async (database: Database) =>
  (
    await sql<{ record_id: string; dedupe_key: string }>`
      select record_id, dedupe_key from notifications where kind = 'reminder' order by record_id`.execute(database.db)
  ).rows;

describe('task reminders fire exactly once, across a crash and a restart', () => {
  it('a sweep that dies before its commit leaves the reminders for the next process, which sends each once', async () => {
    const target = await freshDatabase();
    const dataDir = ENGINE === 'embedded' ? mkdtempSync(path.join(tmpdir(), 'rapport-reminders-')) : target.dataDir;
    const config = loadConfig(
      {
        databaseUrl: target.databaseUrl,
        dataDir,
        embeddedTemplate: target.embeddedTemplate, // a migrated copy, not every migration again
        baseUrl: 'http://localhost:3000',
        logLevel: 'silent',
        seedDemo: false,
      },
      {},
    );
    const due = new Date('2030-06-01T09:00:00Z');
    const after = new Date(due.getTime() + 30_000); // within a minute of the reminder time
    try {
      const first = await startRuntime(config, { backgroundWork: false });
      const user = await signUp(first.app);
      const ids: string[] = [];
      for (const title of ['One', 'Two', 'Three']) {
        const res = await first.app.inject({
          method: 'POST',
          url: '/api/v1/tasks',
          headers: { cookie: user.cookie },
          payload: { title, remindAt: due.toISOString() },
        });
        expect(res.statusCode).toBe(201);
        ids.push(res.json().data.id);
      }
      // The process dies after claiming and notifying, before the commit.
      await expect(
        first.modules.tasks.reminders.sweep(after, {
          beforeCommit: async (tx) => {
            const { rows } = await sql<{ n: number }>`select count(*)::int as n from notifications`.execute(tx);
            expect(rows[0]?.n).toBe(3); // written, but not committed
            throw new Error('simulated crash');
          },
        }),
      ).rejects.toThrow('simulated crash');
      expect(await reminders(first.database)).toEqual([]);
      const { rows: armed } = await sql<{
        n: number;
      }>`select count(*)::int as n from tasks where reminded_at is null`.execute(first.database.db);
      expect(armed[0]?.n).toBe(3);
      await first.close();

      const second = await startRuntime(config, { backgroundWork: false });
      try {
        expect(await second.modules.tasks.reminders.sweep(after)).toBe(3);
        expect(await second.modules.tasks.reminders.sweep(new Date(after.getTime() + 15_000))).toBe(0);
        const sent = await reminders(second.database);
        expect(sent.map((n) => n.record_id).sort()).toEqual([...ids].sort());
        expect(new Set(sent.map((n) => n.dedupe_key)).size).toBe(3);
      } finally {
        await second.close();
      }
      // And a restart after the commit sends nothing again.
      const third = await startRuntime(config, { backgroundWork: false });
      try {
        expect(await third.modules.tasks.reminders.sweep(new Date(after.getTime() + 60_000))).toBe(0);
        expect(await reminders(third.database)).toHaveLength(3);
      } finally {
        await third.close();
      }
    } finally {
      await target.drop();
      if (ENGINE === 'embedded') rmSync(dataDir, { recursive: true, force: true });
    }
  }, 1_800_000); // three process starts on a database on disk

  // On PostgreSQL two app servers; embedded has one process per database, so concurrent sweeps in it.
  it('sweeps running at once (two app servers on PostgreSQL) send each reminder once', async () => {
    const target = await freshDatabase();
    const config = loadConfig(
      {
        databaseUrl: target.databaseUrl,
        dataDir: target.dataDir,
        baseUrl: 'http://localhost:3000',
        logLevel: 'silent',
        seedDemo: false,
      },
      {},
    );
    const a = await startRuntime(config, { backgroundWork: false });
    const b = ENGINE === 'postgres' ? await startRuntime(config, { backgroundWork: false }) : a;
    try {
      const user = await signUp(a.app);
      const payload = Array.from({ length: 60 }, (_, i) => ({ title: `T${i}`, remindAt: '2030-01-01T00:00:00Z' }));
      const res = await a.app.inject({
        method: 'POST',
        url: '/api/v1/tasks/batch',
        headers: { cookie: user.cookie },
        payload: { mode: 'create', records: payload },
      });
      expect(res.statusCode, res.body).toBe(200);
      const now = new Date('2030-01-01T00:00:10Z');
      const sweeps = await Promise.all([
        a.modules.tasks.reminders.sweep(now),
        b.modules.tasks.reminders.sweep(now),
        a.modules.tasks.reminders.sweep(now),
        b.modules.tasks.reminders.sweep(now),
      ]);
      expect(sweeps.reduce((x, y) => x + y, 0)).toBe(60);
      expect(await reminders(a.database)).toHaveLength(60);
    } finally {
      await a.close();
      if (b !== a) await b.close();
      await target.drop();
    }
  }, 120_000);
});
