import { defineModule } from '../../platform/modules';
import { DECAY_QUEUE, IMPORTED_QUEUE, RESCORE_QUEUE, rescoreImported, runDecay, runRescore } from './rescore';
import { scoringConsumer } from './scoring.consumer';
import { seedScoringDemo } from './scoring.demo';
import { scoringRoutes } from './scoring.routes';

export { rescoreRecords } from './scorer';

/**
 * Explainable lead scoring: fit and engagement rules, scores kept current from the event
 * outbox (exactly once) with continuous decay, MQLs at the workspace's threshold, the
 * MQL → SQL hand-off, background rescores when the rules change, and imported records
 * scored in pages after the import's summary event.
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
    // An import's leads or contacts (started by its summary event), a page per transaction.
    jobs.define<{ importId: string; object: 'leads' | 'contacts' }>(
      IMPORTED_QUEUE,
      async (job, ctx) => {
        if (!job.workspaceId) return;
        await rescoreImported(database, records, job.workspaceId, job.payload.object, job.payload.importId, ctx.now());
      },
      { concurrency: 1, maxAttempts: 5, leaseSeconds: 1800 },
    );
    jobs.define(DECAY_QUEUE, async (_job, ctx) => runDecay(database, records, ctx.now()), {
      concurrency: 1,
      maxAttempts: 2,
      leaseSeconds: 1800,
    });
    // Stored scores follow the decay hourly; GET …/score is always computed live.
    jobs.schedule('scoring.decay', '7 * * * *', { queue: DECAY_QUEUE });
    return {
      consumers: [scoringConsumer(records, jobs, now)],
      /** Runs one decay pass now (tests, with their clock). */
      decay: (at: Date = now()) => runDecay(database, records, at),
    };
  },
  demo: seedScoringDemo,
});
