import { useEffect, useState } from 'react';
import { beatPresence, leavePresence, type Presence } from '../api/service-desk.api';

const BEAT_MS = 15_000;

/**
 * Tells the server this agent has the ticket open (and whether they are writing), every
 * 15 seconds and whenever that changes; answers the other agents on it. Leaves on unmount.
 */
export function useTicketPresence(ticketId: string, replying: boolean): Presence[] {
  const [others, setOthers] = useState<Presence[]>([]);
  useEffect(() => {
    let live = true;
    const beat = () =>
      beatPresence(ticketId, replying ? 'replying' : 'viewing')
        .then((o) => live && setOthers(o))
        .catch(() => undefined);
    void beat();
    const timer = setInterval(beat, BEAT_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [ticketId, replying]);
  useEffect(() => () => void leavePresence(ticketId).catch(() => undefined), [ticketId]);
  return others;
}
