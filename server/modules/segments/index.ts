import { defineModule } from '../../platform/modules';
import { BEHAVIOUR_CONDITIONS } from './engagement';
import { segmentMembershipConsumer } from './segment-membership.consumer';
import { runSegmentWindows, WINDOWS_QUEUE } from './segment-windows';
import { seedSegmentsDemo } from './segments.demo';
import { segmentsObject } from './segments.object';
import { segmentRoutes } from './segments.routes';
import { SEGMENT_ENTERED, SEGMENT_LEFT } from './segments.service';

export { engagementRows } from './engagement';
export { listMembers as listSegmentMembers, SEGMENT_ENTERED, SEGMENT_LEFT } from './segments.service';

const READ_ONLY = { create: false, read: true, update: false, delete: false, export: true, scope: 'all' } as const;

/**
 * Segments: named audiences of contacts, leads or accounts — dynamic (a filter evaluated
 * at read time) or static (hand-picked, also from a CSV of emails); members read as the
 * object's list with the reader's permissions; segment.entered / segment.left for
 * workflows. Marketing managers and administrators manage them; everyone else reads.
 */
export const segmentsModule = defineModule({
  name: 'segments',
  objects: [segmentsObject],
  permissions: {
    marketing_manager: {
      segments: { create: true, read: true, update: true, delete: true, export: true, scope: 'all' },
    },
    sales_rep: { segments: { ...READ_ONLY, export: false } },
    service_rep: { segments: { ...READ_ONLY, export: false } },
    data_analyst: { segments: READ_ONLY },
  },
  triggers: [SEGMENT_ENTERED, SEGMENT_LEFT],
  // "Visited a page matching X in the last N days", "submitted form F", "opened or clicked an email".
  filterConditions: BEHAVIOUR_CONDITIONS,
  routes: segmentRoutes,
  work: ({ database, records, jobs, log }) => {
    jobs.define(WINDOWS_QUEUE, async () => void (await runSegmentWindows(database, records)), {
      concurrency: 1,
      maxAttempts: 2,
      leaseSeconds: 1800,
    });
    // Behaviour conditions "in the last N days" age: entered / left follow hourly.
    jobs.schedule(WINDOWS_QUEUE, '23 * * * *', { queue: WINDOWS_QUEUE });
    return {
      consumers: [segmentMembershipConsumer({ records, log })],
      /** Runs one time-window pass now (tests). */
      windows: () => runSegmentWindows(database, records),
    };
  },
  demo: seedSegmentsDemo,
});
