import { afterAll, describe, expect, it } from 'vitest';
import { type CrashTestbed, crashTestbed } from './helpers/crash-testbed';
import { ENGINE } from './helpers/engine';

const TASKS = 450; // more than two of the sweeper's batches of 200

/**
 * SIGKILL while a batch of reminders is firing: after the restart every task has had its
 * reminder exactly once — none lost with the killed process, none sent again.
 */
describe('task reminders survive a killed server', () => {
  let bed: CrashTestbed | undefined;
  afterAll(async () => {
    await bed?.close();
  });

  it('fires each reminder once across SIGKILL and restart', { timeout: 1_800_000 }, async () => {
    bed = await crashTestbed({ RAPPORT_RATE_LIMIT: '0' });
    await bed.start();
    const { call } = await bed.signUp('Rita Remind', 'Reminders');
    const reminders = async () => {
      const seen: { recordId: string }[] = [];
      for (let cursor: string | undefined; ; ) {
        const res = await call('GET', `/api/v1/notifications?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        const page = (await res.json()) as {
          data: { kind: string; recordId: string }[];
          page: { nextCursor: string | null };
        };
        seen.push(...page.data.filter((n) => n.kind === 'reminder'));
        cursor = page.page.nextCursor ?? undefined;
        if (!cursor) return seen;
      }
    };

    // Tasks whose reminders all come due together a few seconds from now.
    const remindAt = new Date(Date.now() + 3_000).toISOString();
    const ids: string[] = [];
    for (let start = 0; start < TASKS; start += 150) {
      const res = await call('POST', '/api/v1/tasks/batch', {
        mode: 'create',
        atomic: true,
        records: Array.from({ length: Math.min(150, TASKS - start) }, (_, i) => ({
          title: `Follow up ${start + i}`,
          remindAt,
        })),
      });
      expect(res.status).toBe(200);
      ids.push(...((await res.json()) as { data: { id: string }[] }).data.map((r) => r.id));
    }
    expect(ids).toHaveLength(TASKS);

    // Kill the process as soon as the first reminders have fired (the sweep is under way).
    const deadline = Date.now() + 300_000;
    let before = 0;
    while (Date.now() < deadline) {
      before = (await reminders()).length;
      if (before > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await bed.kill()).toBeNull();
    expect(before).toBeGreaterThan(0);

    await bed.start();
    let after: { recordId: string }[] = [];
    for (const settleBy = Date.now() + 300_000; Date.now() < settleBy; ) {
      after = await reminders();
      if (after.length >= TASKS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 1_000)); // a duplicate would show up now
    after = await reminders();
    process.stdout.write(`reminders crash test (${ENGINE}): ${before} fired before the kill, ${after.length} in all\n`);
    expect(after).toHaveLength(TASKS);
    expect(new Set(after.map((n) => n.recordId))).toEqual(new Set(ids));
  });
});
