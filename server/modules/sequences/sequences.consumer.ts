import { sql } from 'kysely';
import { enterWorkspace, leaveWorkspace } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { StoredEvent } from '../../platform/events/events';
import { IMPORT_SUMMARY_EVENTS, importedRecordIds, importOf } from '../imports';
import { type ExitReason, enrolInSequence, exitSequences } from '../workflows';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PEOPLE = new Set(['leads', 'contacts']);
/** The consent purpose whose withdrawal is an unsubscribe. */
const MARKETING_EMAIL = 'marketing_email';

/** The people (contacts, leads) a meeting or an interaction event is about. */
function peopleIn(record: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (id: unknown) => {
    if (typeof id === 'string' && UUID.test(id)) out.add(id);
  };
  if (typeof record.relatedObject === 'string' && PEOPLE.has(record.relatedObject)) add(record.relatedId);
  add(record.contactId);
  for (const list of [record.attendeeContactIds, record.participantContactIds]) {
    if (Array.isArray(list)) for (const id of list) add(id);
  }
  return [...out];
}

/** Why this event takes people out of their sequences, and who. */
function exitsOf(e: StoredEvent): { kind: ExitReason; text: string; people: string[]; segmentId?: string }[] {
  const record = (e.data.record ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'lead.converted':
      return e.recordId ? [{ kind: 'converted', text: 'converted', people: [e.recordId] }] : [];
    case 'consent.changed':
      return e.recordId && e.data.purpose === MARKETING_EMAIL && e.data.status === 'withdrawn'
        ? [{ kind: 'unsubscribed', text: 'unsubscribed from marketing email', people: [e.recordId] }]
        : [];
    case 'segment.left':
      return e.recordId && typeof e.data.segmentId === 'string'
        ? [{ kind: 'left_segment', text: 'left the segment', people: [e.recordId], segmentId: e.data.segmentId }]
        : [];
    case 'meeting.created':
      return [{ kind: 'meeting_booked', text: 'a meeting was booked', people: peopleIn(record) }];
    case 'interaction.created':
      return record.channel === 'email' && record.direction === 'inbound'
        ? [{ kind: 'replied', text: 'replied by email', people: peopleIn(record) }]
        : [];
    default:
      return [];
  }
}

/**
 * Enrols and takes out, from events in the dispatcher's transaction (so once per event):
 * a new lead or contact (one an import created, too: read from its summary event) goes into
 * every active sequence that enrols new records; a record
 * entering a segment into those enrolling that segment's entrants; a person who converts,
 * unsubscribes, books a meeting, replies or leaves the segment leaves the sequences whose
 * `exitOn` names that reason (their runs cancelled: no further step happens).
 */
export function sequencesConsumer(deps: { now: () => Date }): EventConsumer {
  return {
    name: 'sequences',
    types: [
      'lead.created',
      'contact.created',
      'segment.entered',
      'segment.left',
      'lead.converted',
      'consent.changed',
      'meeting.created',
      'interaction.created',
      // An import's records are new records too (it writes quietly and emits one summary event).
      ...IMPORT_SUMMARY_EVENTS,
    ],
    async handle(tx, events) {
      const workspaces = [...new Set(events.map((e) => e.workspaceId))];
      const { rows: sequences } = await sql<{
        workspace_id: string;
        id: string;
        object: string;
        enrol_new: boolean;
        enrol_segment_id: string | null;
        enrol_from: Date | null;
      }>`
        select s.workspace_id, s.id, s.object, s.enrol_new, s.enrol_segment_id, s.enrol_from from sequences s
        where s.workspace_id = any(${workspaces}::uuid[]) and s.deleted_at is null`.execute(tx);
      // Deleting a sequence ends its enrolments: without a sequence there is nobody to enrol or take out.
      if (sequences.length === 0) return 'nothing-written';
      let wrote = false;
      for (const e of events) {
        const now = deps.now();
        const enrolIn = async (ids: string[], via: 'new_record' | 'segment') => {
          let n = 0;
          if (!e.object || !e.recordId) return n;
          for (const sequenceId of ids) {
            const r = await enrolInSequence(tx, {
              workspaceId: e.workspaceId,
              sequenceId,
              object: e.object,
              recordId: e.recordId,
              via,
              enrolledBy: null,
              now,
            });
            if (r.enrolled) n++;
          }
          return n;
        };
        // Only events since the sequence was switched on enrol (not the records made before).
        const mine = sequences.filter(
          (s) =>
            s.workspace_id === e.workspaceId &&
            s.object === e.object &&
            s.enrol_from !== null &&
            new Date(e.createdAt) >= new Date(s.enrol_from),
        );
        const imported = importOf(e);
        if (imported) {
          const targets = mine.filter((s) => s.enrol_new && PEOPLE.has(imported.object)).map((s) => s.id);
          if (targets.length === 0) continue;
          const pages: string[][] = [];
          await enterWorkspace(tx, e.workspaceId);
          try {
            for await (const ids of importedRecordIds(tx, imported.importId, { result: 'created' })) pages.push(ids);
          } finally {
            await leaveWorkspace(tx);
          }
          for (const recordId of pages.flat()) {
            for (const sequenceId of targets) {
              const r = await enrolInSequence(tx, {
                workspaceId: e.workspaceId,
                sequenceId,
                object: imported.object,
                recordId,
                via: 'new_record',
                enrolledBy: null,
                now,
              });
              wrote ||= r.enrolled;
            }
          }
          continue;
        }
        if (e.type === 'lead.created' || e.type === 'contact.created') {
          const n = await enrolIn(
            mine.filter((s) => s.enrol_new).map((s) => s.id),
            'new_record',
          );
          wrote ||= n > 0;
          continue;
        }
        if (e.type === 'segment.entered') {
          const n = await enrolIn(
            mine.filter((s) => s.enrol_segment_id && s.enrol_segment_id === e.data.segmentId).map((s) => s.id),
            'segment',
          );
          wrote ||= n > 0;
          continue;
        }
        for (const exit of exitsOf(e)) {
          const only = exit.segmentId
            ? sequences
                .filter((s) => s.workspace_id === e.workspaceId && s.enrol_segment_id === exit.segmentId)
                .map((s) => s.id)
            : undefined;
          if (only && only.length === 0) continue;
          for (const recordId of exit.people) {
            const n = await exitSequences(tx, {
              workspaceId: e.workspaceId,
              recordId,
              now,
              reason: { kind: exit.kind, text: exit.text },
              sequenceIds: only,
            });
            wrote ||= n > 0;
          }
        }
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}
