// No zod here: the web app imports this as a value.

export type SlaState = 'none' | 'on_track' | 'at_risk' | 'breached' | 'paused';

const DUE = [
  ['firstResponseDueAt', 'firstRespondedAt'],
  ['nextResponseDueAt', null],
  ['resolutionDueAt', 'solvedAt'],
] as const;

/**
 * A ticket's SLA state at `now`, from its fields: paused (pending on the customer),
 * breached, at risk (the next due time within the hour), on track, or none (no SLA);
 * and that next due time. One rule for the server's summaries and the web app's lists.
 */
export function slaState(t: Record<string, unknown>, now: Date): { state: SlaState; nextDueAt: string | null } {
  const dues = DUE.filter(([due, done]) => typeof t[due] === 'string' && !(done && t[done]))
    .map(([due]) => t[due] as string)
    .sort();
  const nextDueAt = dues[0] ?? null;
  if (t.slaPausedAt) return { state: 'paused', nextDueAt };
  if (t.slaBreached === true || (nextDueAt && new Date(nextDueAt) < now)) return { state: 'breached', nextDueAt };
  if (!nextDueAt) return { state: 'none', nextDueAt };
  return { state: new Date(nextDueAt).getTime() - now.getTime() < 3_600_000 ? 'at_risk' : 'on_track', nextDueAt };
}
