import { defineModule } from '../../platform/modules';
import { DECAY_QUEUE, RESCORE_QUEUE, runDecay, runRescore } from './rescore';
import { scoringConsumer } from './scoring.consumer';
import { seedScoringDemo } from './scoring.demo';
import { scoringRoutes } from './scoring.routes';

export { rescoreRecords } from './scorer';

/**
 * Explainable lead scoring: fit and engagement rules, scores kept current from the event
 * outbox (exactly once) with continuous decay, MQLs at the workspace's threshold, the
 * MQL → SQL hand-off, and background rescores when the rules change.
 */
export const scoringModule = defineModule({
  name: 'scoring',
  /** Event types workflows may start on (each names a record). */
  triggers: ['lead.mql', 'lead.sql_accepted', 'lead.mql_rejected'],
  routes: scoringRoutes,
  work: (deps) => {
    const { database, records, jobs, now } = deps;
    jobs.define<{ rescoreId: string }>(
      RESCORE_QUEUE,
      async (job, ctx) => {
        if (!job.workspaceId) return;
        await runRescore(database, records, job.workspaceId, job.payload.rescoreId, ctx.now());
      },
      { concurrency: 1, maxAttempts: 3, leaseSeconds: 1800 },
    );
    jobs.define(DECAY_QUEUE, async (_job, ctx) => runDecay(database, records, ctx.now()), {
      concurrency: 1,
      maxAttempts: 2,
      leaseSeconds: 1800,
    });
    // Stored scores follow the decay hourly; GET …/score is always computed live.
    jobs.schedule('scoring.decay', '7 * * * *', { queue: DECAY_QUEUE });
    return {
      consumers: [scoringConsumer(records, now)],
      /** Runs one decay pass now (tests, with their clock). */
      decay: (at: Date = now()) => runDecay(database, records, at),
    };
  },
  demo: seedScoringDemo,
});
