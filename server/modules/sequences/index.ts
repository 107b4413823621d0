import { defineModule } from '../../platform/modules';
import { sequencesConsumer } from './sequences.consumer';
import { seedSequencesDemo } from './sequences.demo';
import { sequenceRoutes } from './sequences.routes';

export { SequenceService } from './sequences.service';

/**
 * Nurture sequences (`/api/v1/sequences`): emails, waits, conditions on the record or its
 * engagement, tasks for a rep and moves to other sequences, as a workflow of kind
 * `sequence` (durable steps: a restart loses none and sends nothing twice); enrolment of
 * new records, a segment's entrants, by hand or by a workflow step; exit on reply,
 * unsubscribe, meeting booked, conversion or leaving the segment. Its emails are messages
 * of a campaign (consent, unsubscribe, tracking, bounces, results).
 */
export const sequencesModule = defineModule({
  name: 'sequences',
  routes: sequenceRoutes,
  work: ({ now }) => ({ consumers: [sequencesConsumer({ now })] }),
  demo: seedSequencesDemo,
});
