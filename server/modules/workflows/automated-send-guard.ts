import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../../platform/db/database';

export type SendDecision = { ok: true } | { ok: false; reason: string };

export const DEFAULT_COOLDOWN_HOURS = 24;

/** The workspace's cool-down between automated emails to one address (hours). */
export async function workspaceCooldownHours(tx: Tx): Promise<number> {
  const { rows } = await sql<{ h: number }>`select email_cooldown_hours as h from automation_settings`.execute(tx);
  return rows[0]?.h ?? DEFAULT_COOLDOWN_HOURS;
}

/**
 * "Don't contact twice" for automation: refuses an automated email to an address
 * that is suppressed, belongs to a contact flagged do-not-contact, or received an
 * automated email within the cool-down. Takes a transaction-scoped lock on the
 * address first, so two runs racing for the same person cannot both pass.
 * Runs in the workspace's tenant transaction (RLS scopes every table).
 */
export async function checkAutomatedSend(
  tx: Tx,
  input: { workspaceId: string; email: string; cooldownHours: number; now: Date },
): Promise<SendDecision> {
  const email = input.email.trim().toLowerCase();
  await sql`select pg_advisory_xact_lock(hashtextextended(${`send:${input.workspaceId}:${email}`}, 0))`.execute(tx);
  const suppressed = await sql<{ reason: string }>`
    select reason from email_suppressions where email = ${email}`.execute(tx);
  if (suppressed.rows[0]) return { ok: false, reason: `suppressed (${suppressed.rows[0].reason})` };
  const dnc = await sql`select 1 from contacts
    where lower(email) = ${email} and do_not_contact and deleted_at is null limit 1`.execute(tx);
  if (dnc.rows.length > 0) return { ok: false, reason: 'the contact is marked do not contact' };
  if (input.cooldownHours > 0) {
    const since = new Date(input.now.getTime() - input.cooldownHours * 3_600_000);
    const { rows } = await sql<{ sent_at: Date }>`
      select sent_at from automated_sends where email = ${email} and sent_at > ${since}
      order by sent_at desc limit 1`.execute(tx);
    if (rows[0]) {
      return {
        ok: false,
        reason: `cool-down: an automated email went to this address at ${new Date(rows[0].sent_at).toISOString()} (within ${input.cooldownHours} h)`,
      };
    }
  }
  return { ok: true };
}

/** Records an automated send (in the same transaction as the queued mail). */
export async function recordAutomatedSend(
  tx: Tx,
  input: {
    workspaceId: string;
    email: string;
    contactId?: string | null;
    workflowId?: string;
    runId?: string;
    mailId: string;
    now: Date;
  },
): Promise<void> {
  await sql`insert into automated_sends (workspace_id, id, email, contact_id, workflow_id, run_id, mail_id, sent_at)
    values (${input.workspaceId}, ${uuidv7()}, ${input.email.trim().toLowerCase()}, ${input.contactId ?? null},
      ${input.workflowId ?? null}, ${input.runId ?? null}, ${input.mailId}, ${input.now})`.execute(tx);
}
