import { MqlQueueView } from '../modules/scoring/components/MqlQueueView';

/** The MQL → SQL hand-off queue. */
export function MqlQueuePage() {
  return <MqlQueueView />;
}
