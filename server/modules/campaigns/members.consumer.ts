import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { StoredEvent } from '../../platform/events/events';
import { engagementRows, SEGMENT_ENTERED, SEGMENT_LEFT } from '../segments';
import { advanceMember } from './members.service';

/** A form submitted this long after a campaign mail went to the person is a response to it. */
export const RESPONSE_WINDOW_DAYS = 30;

/**
 * Campaign members that follow what happens elsewhere, exactly once with the dispatcher's
 * cursor:
 * - **Synced segments** (`campaign_segment_syncs`): `segment.entered` adds the record as a
 *   targeted member of every campaign that keeps that segment in sync; `segment.left` removes
 *   it while it is still only targeted (a member that was mailed keeps its history).
 * - **Responded**: a form submitted by a member's person within 30 days after their campaign
 *   mail was sent.
 * - **Converted**: a member's lead converted (the lead's memberships, and those of the contact
 *   it became).
 * A status only moves forward (advanceMember): an unsubscribed or bounced member stays so.
 */
export function campaignMembersConsumer(): EventConsumer {
  return {
    name: 'campaigns.members',
    types: [SEGMENT_ENTERED, SEGMENT_LEFT, 'form.submitted', 'lead.converted'],
    async handle(tx, events) {
      let wrote = false;
      const byWorkspace = new Map<string, StoredEvent[]>();
      for (const e of events) byWorkspace.set(e.workspaceId, [...(byWorkspace.get(e.workspaceId) ?? []), e]);
      for (const [ws, list] of byWorkspace) {
        await enterWorkspace(tx, ws);
        try {
          wrote = (await followSegments(tx, ws, list)) || wrote;
          wrote = (await markResponses(tx, ws, list)) || wrote;
          wrote = (await markConversions(tx, ws, list)) || wrote;
        } finally {
          await leaveWorkspace(tx);
        }
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}

async function followSegments(tx: Tx, ws: string, events: StoredEvent[]): Promise<boolean> {
  const moves = events.filter((e) => (e.type === SEGMENT_ENTERED || e.type === SEGMENT_LEFT) && e.recordId);
  if (moves.length === 0) return false;
  const segmentIds = [...new Set(moves.map((e) => String(e.data.segmentId ?? '')))].filter(Boolean);
  const { rows: syncs } = await sql<{ campaign_id: string; segment_id: string; object: string }>`
    select campaign_id, segment_id, object from campaign_segment_syncs
    where workspace_id = ${ws}::uuid and segment_id = any(${segmentIds}::uuid[])`.execute(tx);
  if (syncs.length === 0) return false;
  let wrote = false;
  // In event order: entering then leaving (or the reverse) within one batch ends as the last says.
  for (const e of moves) {
    for (const s of syncs.filter((x) => x.segment_id === e.data.segmentId && x.object === e.object)) {
      if (e.type === SEGMENT_ENTERED) {
        await sql`insert into campaign_members (workspace_id, id, campaign_id, object, record_id, added_by)
          values (${ws}::uuid, ${uuidv7()}::uuid, ${s.campaign_id}::uuid, ${s.object}, ${e.recordId}::uuid, null)
          on conflict (workspace_id, campaign_id, record_id) do nothing`.execute(tx);
      } else {
        await sql`delete from campaign_members
          where workspace_id = ${ws}::uuid and campaign_id = ${s.campaign_id}::uuid
            and record_id = ${e.recordId}::uuid and status = 'targeted'`.execute(tx);
      }
      wrote = true;
    }
  }
  return wrote;
}

async function markResponses(tx: Tx, ws: string, events: StoredEvent[]): Promise<boolean> {
  const forms = engagementRows(events.filter((e) => e.type === 'form.submitted'));
  let wrote = false;
  for (const f of forms) {
    const at = new Date(f.occurred_at);
    const { rows } = await sql<{ id: string }>`
      select id from campaign_members
      where workspace_id = ${ws}::uuid and record_id = ${f.record_id}::uuid and sent_at is not null
        and sent_at <= ${at} and sent_at > ${at}::timestamptz - make_interval(days => ${RESPONSE_WINDOW_DAYS})`.execute(
      tx,
    );
    for (const m of rows) await advanceMember(tx, ws, m.id, 'responded', at);
    wrote = wrote || rows.length > 0;
  }
  return wrote;
}

async function markConversions(tx: Tx, ws: string, events: StoredEvent[]): Promise<boolean> {
  let wrote = false;
  for (const e of events.filter((x) => x.type === 'lead.converted')) {
    const people = [e.data.leadId, e.data.contactId].filter((x): x is string => typeof x === 'string');
    if (people.length === 0) continue;
    const { rows } = await sql<{ id: string }>`
      select id from campaign_members
      where workspace_id = ${ws}::uuid and record_id = any(${people}::uuid[]) and added_at <= ${e.createdAt}`.execute(
      tx,
    );
    for (const m of rows) await advanceMember(tx, ws, m.id, 'converted', e.createdAt);
    wrote = wrote || rows.length > 0;
  }
  return wrote;
}
