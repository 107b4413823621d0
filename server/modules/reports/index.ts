import { defineModule } from '../../platform/modules';
import { DELIVERY_QUEUE, deliverSchedule, enqueueDueDeliveries, SCHEDULE_SWEEP_QUEUE } from './delivery.service';
import { seedReportsDemo } from './reports.demo';
import { reportRoutes } from './reports.routes';
import { SNAPSHOT_QUEUE, snapshotAll } from './snapshots.service';

export { runReport } from '../../platform/records/report';
export { forecast } from './forecast.service';

/**
 * Reporting (issue 22): the report builder (`POST /api/v1/reports/run`, also as CSV and
 * XLSX), the sales forecast (`GET /api/v1/forecast`), saved reports and dashboards. Every
 * figure is read through the record engine with the caller's permissions.
 */
export const reportsModule = defineModule({
  name: 'reports',
  routes: reportRoutes,
  work: ({ database, records, jobs, config, now }) => {
    // Forecast snapshots weekly (Monday 06:00 UTC), so the forecast's history shows its change.
    jobs.define(SNAPSHOT_QUEUE, async (_job, ctx) => void (await snapshotAll(database, records, ctx.now())), {
      concurrency: 1,
      maxAttempts: 3,
      leaseSeconds: 1800,
    });
    jobs.schedule(SNAPSHOT_QUEUE, '0 6 * * 1', { queue: SNAPSHOT_QUEUE });
    // Scheduled delivery: a sweep every five minutes enqueues one delivery job per due tick.
    jobs.define(
      SCHEDULE_SWEEP_QUEUE,
      async (_job, ctx) => void (await enqueueDueDeliveries(database, jobs, ctx.now())),
      {
        concurrency: 1,
        maxAttempts: 2,
        leaseSeconds: 600,
      },
    );
    jobs.schedule(SCHEDULE_SWEEP_QUEUE, '*/5 * * * *', { queue: SCHEDULE_SWEEP_QUEUE });
    jobs.define<{ scheduleId: string }>(
      DELIVERY_QUEUE,
      async (job, ctx) => {
        if (!job.workspaceId) return;
        await deliverSchedule(database, records, config.baseUrl, job.workspaceId, job.payload.scheduleId, ctx.now());
      },
      { concurrency: 2, maxAttempts: 5, leaseSeconds: 600 },
    );
    return {
      consumers: [],
      /** Takes the weekly forecast snapshot now (tests, with their clock). */
      snapshot: (at: Date = now()) => snapshotAll(database, records, at),
      /** Enqueues the deliveries due at `at` (tests). */
      sweepSchedules: (at: Date = now()) => enqueueDueDeliveries(database, jobs, at),
    };
  },
  demo: seedReportsDemo,
});
