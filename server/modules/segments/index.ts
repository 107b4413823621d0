import { defineModule } from '../../platform/modules';
import { segmentMembershipConsumer } from './segment-membership.consumer';
import { seedSegmentsDemo } from './segments.demo';
import { segmentsObject } from './segments.object';
import { segmentRoutes } from './segments.routes';
import { SEGMENT_ENTERED, SEGMENT_LEFT } from './segments.service';

export { SEGMENT_ENTERED, SEGMENT_LEFT } from './segments.service';

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
  routes: segmentRoutes,
  work: ({ records, log }) => ({ consumers: [segmentMembershipConsumer({ records, log })] }),
  demo: seedSegmentsDemo,
});
