import { afterAll, describe, expect, it } from 'vitest';
import { type CrashTestbed, crashTestbed } from './helpers/crash-testbed';
import { ENGINE } from './helpers/engine';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';

/**
 * SIGKILL in the middle of a webhook burst. Afterwards every committed record change
 * has reached the receiver, and — deduplicating by event id, as docs/API.md tells
 * receivers to — each exactly once. Copies on the wire may repeat only for deliveries
 * that were in flight when the process died, and then with the identical body.
 */
describe('webhooks survive a killed server', () => {
  let bed: CrashTestbed | undefined;
  let receiver: WebhookReceiver | undefined;
  afterAll(async () => {
    await bed?.close();
    await receiver?.close();
  });

  it('delivers every event exactly once by event id after SIGKILL and restart', { timeout: 1_800_000 }, async () => {
    bed = await crashTestbed({
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_WEBHOOKS_ALLOW_PRIVATE: '1', // the receiver is on loopback
      RAPPORT_WEBHOOK_TIMEOUT_MS: '5000', // lease = 10 s: deliveries in flight at the kill are retried soon, and a
      // slow answer on a busy machine is not a timeout
    });
    receiver = await startWebhookReceiver();
    const rx = receiver;
    // Answer a little later than at once, so deliveries are in flight when the kill comes.
    rx.respond = () => ({ status: 200, body: 'ok' });
    await bed.start();
    const { call } = await bed.signUp('Crash', 'Crash');
    const sub = await call('POST', '/api/v1/webhooks', {
      url: `${rx.url}/crash`,
      eventTypes: ['contact.created'],
    });
    expect(sub.status).toBe(201);
    const subId = ((await sub.json()) as { data: { id: string } }).data.id;

    // The burst: 8 writers creating contacts until the process dies.
    let killed = false;
    let created = 0;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !killed; i++) {
        try {
          const res = await call('POST', '/api/v1/contacts', { firstName: `W${w}`, lastName: `N${i}` });
          if (res.status === 201) created++;
        } catch {
          return; // the server is gone
        }
      }
    });
    const deadline = Date.now() + 300_000;
    while (rx.received.length < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const exited = bed.kill();
    killed = true;
    expect(await exited).toBeNull();
    await Promise.all(writers);
    const beforeRestart = rx.received.length;
    expect(beforeRestart).toBeGreaterThanOrEqual(60);
    expect(created).toBeGreaterThan(beforeRestart - 1); // the kill really came mid-burst: more were created than delivered

    await bed.start();

    // Ground truth after the restart: every contact that committed (including any whose
    // request died with the process but whose transaction had committed).
    const contactIds: string[] = [];
    for (let cursor: string | undefined; ; ) {
      const res = await call('GET', `/api/v1/contacts?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { data: { id: string }[]; page: { nextCursor: string | null } };
      contactIds.push(...page.data.map((c: { id: string }) => c.id));
      cursor = page.page.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(contactIds.length).toBeGreaterThanOrEqual(created);

    const unique = () => new Map(rx.received.map((r) => [r.json.id, r]));
    const until = Date.now() + 300_000;
    while (unique().size < contactIds.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // anything still to come would show up now

    const byEvent = unique();
    const receivedRecordIds = [...byEvent.values()].map((r) => (r.json.data.record as { id: string }).id);
    expect(byEvent.size).toBe(contactIds.length); // nothing lost…
    expect(new Set(receivedRecordIds)).toEqual(new Set(contactIds)); // …one event per committed contact
    expect(new Set(receivedRecordIds).size).toBe(receivedRecordIds.length);
    // Repeats on the wire carry the same event id and the same body (what receivers dedupe on),
    // and only as many as could have been in flight when the process died.
    const repeats = rx.received.length - byEvent.size;
    for (const r of rx.received) expect(r.body).toBe(byEvent.get(r.json.id)?.body);
    expect(repeats).toBeLessThanOrEqual(128); // the delivery worker’s concurrency

    // The delivery log agrees: one delivery per event, all succeeded. A delivery that was in
    // flight at the kill reached the receiver but is marked only when its lease expires and
    // it is sent again (same event id), so wait for the log to settle.
    const readLog = async () => {
      const out: { eventId: string; status: string }[] = [];
      for (let before: string | undefined; ; ) {
        const res = await call(
          'GET',
          `/api/v1/webhooks/${subId}/deliveries?limit=200${before ? `&before=${before}` : ''}`,
        );
        const page = (await res.json()) as { data: { eventId: string; status: string }[]; next: string | null };
        out.push(...page.data);
        before = page.next ?? undefined;
        if (!before) break;
      }
      return out;
    };
    let log = await readLog();
    for (const settleBy = Date.now() + 300_000; Date.now() < settleBy; log = await readLog()) {
      if (log.every((d) => d.status === 'succeeded')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(log).toHaveLength(contactIds.length);
    expect(log.filter((d) => d.status !== 'succeeded')).toEqual([]);
    process.stdout.write(
      `webhook crash test (${ENGINE}): ${created} created before the kill, ${contactIds.length} committed, ` +
        `${beforeRestart} received before the kill, ${rx.received.length} requests in all, ${repeats} repeats\n`,
    );
    expect(new Set(log.map((d) => d.eventId))).toEqual(new Set(byEvent.keys()));
  });
});
