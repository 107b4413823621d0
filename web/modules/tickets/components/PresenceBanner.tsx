import { Alert } from '@mantine/core';
import type { Presence } from '../api/service-desk.api';

/** "Rita is replying" / "Sam is viewing": the collision warning before anyone sends. */
export function PresenceBanner({ others }: { others: Presence[] }) {
  if (others.length === 0) return null;
  const replying = others.filter((o) => o.state === 'replying');
  const viewing = others.filter((o) => o.state === 'viewing');
  const names = (list: Presence[]) => list.map((o) => o.name).join(', ');
  return (
    <Alert color="blue" role="status" data-testid="ticket-presence">
      {replying.length > 0 && `${names(replying)} ${replying.length === 1 ? 'is' : 'are'} replying to this ticket. `}
      {viewing.length > 0 && `${names(viewing)} ${viewing.length === 1 ? 'is' : 'are'} viewing it.`}
    </Alert>
  );
}
