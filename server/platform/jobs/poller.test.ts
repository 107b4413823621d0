import { describe, expect, it } from 'vitest';
import { Poller } from './poller';

/** Resolves when `check` holds (polled on the event loop, no fixed sleep); fails after 5 s. */
async function until(check: () => boolean): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 5000) throw new Error('condition not reached');
    await new Promise((r) => setImmediate(r));
  }
}

describe('Poller: the background loop for row-draining workers', () => {
  it('repeats a round at once while it reports more work, then waits the interval', async () => {
    let rounds = 0;
    const loop = new Poller({
      name: 'test',
      intervalMs: 60_000,
      run: async () => ++rounds < 3,
      log: { warn: () => {} },
    });
    loop.start();
    await until(() => rounds === 3);
    await loop.stop();
    expect(rounds).toBe(3); // the fourth round waits for the (long) interval and stop cancelled it
  });

  it('logs a failed round and carries on at the next wake', async () => {
    const warnings: string[] = [];
    let rounds = 0;
    const loop = new Poller({
      name: 'flaky',
      intervalMs: 60_000,
      run: async () => {
        rounds++;
        if (rounds === 1) throw new Error('boom');
      },
      log: { warn: (_obj, msg) => warnings.push(msg) },
    });
    loop.start();
    await until(() => warnings.length === 1);
    expect(warnings).toEqual(['flaky failed']);
    loop.wake();
    await until(() => rounds === 2);
    await loop.stop();
  });

  it('stop() waits for the running round and no round starts afterwards', async () => {
    let release!: () => void;
    let started = 0;
    let finished = 0;
    const loop = new Poller({
      name: 'slow',
      intervalMs: 0,
      run: async () => {
        started++;
        await new Promise<void>((r) => {
          release = r;
        });
        finished++;
        return true;
      },
      log: { warn: () => {} },
    });
    loop.start();
    await until(() => started === 1);
    const stopping = loop.stop();
    release();
    await stopping;
    expect(finished).toBe(1);
    loop.wake(); // ignored once stopped
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(1);
  });
});
