import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { transactionTime } from '../../platform/db/transaction-time';
import type { FieldError } from '../../platform/http/errors';
import type { AfterWrite, BeforeWrite } from '../../platform/records/types';
import { businessMinutesBetween } from './business-time';
import { dueTimes, loadSlaPolicies, policyFor } from './sla';

const DONE = ['solved', 'closed'];
const sameInstant = (a: unknown, b: unknown) =>
  (a === null || a === undefined) && (b === null || b === undefined)
    ? true
    : a !== null &&
      a !== undefined &&
      b !== null &&
      b !== undefined &&
      new Date(a as string).getTime() === new Date(b as string).getTime();

/**
 * Every ticket write (single, PATCH, batch, system): defaults of a new ticket, the SLA
 * clock's pause while pending on the customer (the paused business minutes move the due
 * times out), solvedAt, and the SLA policy and due times recomputed from the workspace's
 * policies (the first whose condition the ticket meets, with a target for its priority).
 */
export async function beforeTicketWrite(
  tx: Tx,
  w: BeforeWrite,
): Promise<{ errors?: FieldError[]; set?: Record<string, unknown> }> {
  const { changes, before } = w;
  const set: Record<string, unknown> = {};
  const now = await transactionTime(tx);
  if (!before) {
    if (!changes.status) set.status = 'new';
    if (!changes.priority) set.priority = 'normal';
    if (!changes.channel) set.channel = 'api';
    set.slaBreached = false;
    set.slaPausedMinutes = 0;
  }
  const ticket: Record<string, unknown> = { ...(before ?? {}), ...changes, ...set };
  const policies = await loadSlaPolicies(tx);
  const policy = policyFor(ticket, policies);
  const status = ticket.status as string;
  const wasStatus = before?.status as string | undefined;
  if (status !== wasStatus) {
    if (status === 'pending') set.slaPausedAt = now;
    if (wasStatus === 'pending' && before?.slaPausedAt) {
      const paused = businessMinutesBetween(
        new Date(before.slaPausedAt as string),
        new Date(now),
        policy?.calendar ?? null,
      );
      set.slaPausedMinutes = Number(before.slaPausedMinutes ?? 0) + Math.round(paused);
      set.slaPausedAt = null;
    }
    if (DONE.includes(status) && !before?.solvedAt) set.solvedAt = now;
    if (!DONE.includes(status) && before?.solvedAt) set.solvedAt = null;
  }
  const due = dueTimes(
    {
      priority: ticket.priority,
      createdAt: (before?.createdAt as string | undefined) ?? now,
      slaPausedMinutes: set.slaPausedMinutes ?? before?.slaPausedMinutes,
    },
    policy,
  );
  if ((before?.slaPolicyId ?? null) !== due.slaPolicyId) set.slaPolicyId = due.slaPolicyId;
  if (!sameInstant(before?.firstResponseDueAt, due.firstResponseDueAt)) set.firstResponseDueAt = due.firstResponseDueAt;
  if (!sameInstant(before?.resolutionDueAt, due.resolutionDueAt)) set.resolutionDueAt = due.resolutionDueAt;
  return { set };
}

/**
 * Attainment per ticket (sla_events, for reports): the first response and the resolution,
 * met or missed against the due time they had when they happened; once each.
 */
export async function afterTicketWrite(tx: Tx, w: AfterWrite): Promise<void> {
  const { before, after } = w;
  const outcomes: { target: string; at: string; due: string }[] = [];
  if (after.firstRespondedAt && !before?.firstRespondedAt && after.firstResponseDueAt)
    outcomes.push({
      target: 'first_response',
      at: after.firstRespondedAt as string,
      due: after.firstResponseDueAt as string,
    });
  if (after.solvedAt && !before?.solvedAt && after.resolutionDueAt)
    outcomes.push({ target: 'resolution', at: after.solvedAt as string, due: after.resolutionDueAt as string });
  for (const o of outcomes) {
    const kind = new Date(o.at) <= new Date(o.due) ? 'met' : 'missed';
    await sql`insert into sla_events (workspace_id, ticket_id, target, kind, due_at, at, policy_id)
      values (rapport_workspace(), ${after.id as string}::uuid, ${o.target}, ${kind}, ${o.due}::timestamptz,
        ${o.at}::timestamptz, ${(after.slaPolicyId as string | null) ?? null}::uuid)
      on conflict do nothing`.execute(tx);
  }
}
