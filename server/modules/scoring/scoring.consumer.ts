import { sql } from 'kysely';
import { ENGAGEMENT_EVENTS } from '../../../common/contracts/scoring';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { StoredEvent } from '../../platform/events/events';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { RecordService } from '../../platform/records/records.service';
import { withdrawnSql } from '../consents';
import { IMPORT_SUMMARY_EVENTS, importOf } from '../imports';
import { IMPORTED_QUEUE, scoresObject } from './rescore';
import { loadRules, PROFILING, type RuleRow } from './score-engine';
import { rescoreRecords } from './scorer';

type Scored = 'leads' | 'contacts';

/** Changes scoring makes itself (or that no fit rule should wait for): an update of only these rescores nothing. */
const OWN_FIELDS = new Set([
  'score',
  'fitScore',
  'engagementScore',
  'grade',
  'mqlAt',
  'qualification',
  'updatedAt',
  'version',
  'lastContactedAt',
]);

const RECORD_EVENTS = [
  'lead.created',
  'lead.updated',
  'lead.restored',
  'contact.created',
  'contact.updated',
  'contact.restored',
];

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The leads and contacts an engagement event is about: the event's own record, the
 * `leadId` / `contactId` in its data (tracking, forms, campaigns), or for meetings and
 * interactions the related record and contacts of the record in the event.
 */
export function targetsOf(e: StoredEvent): { object: Scored; id: string }[] {
  const out: { object: Scored; id: string }[] = [];
  const add = (object: Scored, id: unknown) => {
    const s = str(id);
    if (s && UUID.test(s) && !out.some((o) => o.object === object && o.id === s)) out.push({ object, id: s });
  };
  if ((e.object === 'leads' || e.object === 'contacts') && e.recordId) add(e.object, e.recordId);
  add('leads', e.data.leadId);
  add('contacts', e.data.contactId);
  const r = e.data.record as Record<string, unknown> | undefined;
  if (r && typeof r === 'object') {
    if (r.relatedObject === 'leads' || r.relatedObject === 'contacts') add(r.relatedObject, r.relatedId);
    add('contacts', r.contactId);
    for (const list of [r.participantContactIds, r.attendeeContactIds]) {
      if (Array.isArray(list)) for (const id of list) add('contacts', id);
    }
  }
  return out;
}

/** "/pricing*" as a case-insensitive, anchored pattern (* is any run of characters). */
export function globMatches(glob: string, value: string): boolean {
  const re = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 'i').test(value);
}

const pathOf = (data: Record<string, unknown>): string | null => {
  const path = str(data.path);
  if (path) return path;
  const url = str(data.url);
  if (!url) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
};

/** Whether an event's data satisfies a rule's `match` (every key given must match). */
export function eventMatches(rule: Pick<RuleRow, 'match'>, data: Record<string, unknown>): boolean {
  const m = rule.match ?? {};
  if (m.path !== undefined) {
    const path = pathOf(data);
    if (path === null || !globMatches(m.path, path)) return false;
  }
  if (m.url !== undefined) {
    const url = str(data.url);
    if (url === null || !globMatches(m.url, url)) return false;
  }
  if (m.kind !== undefined && data.kind !== m.kind) return false;
  if (m.formId !== undefined && data.formId !== m.formId) return false;
  return true;
}

/** When the event happened: its data's `occurredAt` when a valid time, else when it was recorded. */
export function occurredAt(e: StoredEvent): Date {
  const at = str(e.data.occurredAt);
  const d = at ? new Date(at) : null;
  return d && !Number.isNaN(d.getTime()) ? d : new Date(e.createdAt);
}

/**
 * Keeps scores current from the event outbox. An engagement event (page.viewed,
 * form.submitted, email.opened/clicked, meeting.created, interaction.created) earns each
 * matching active rule's points once: a row in score_contributions keyed (rule, event),
 * so a redelivered event adds nothing. A new or changed lead or contact is re-checked
 * against the fit rules. Each touched record is then rescored (scorer.ts) in the
 * dispatcher's transaction, so contributions, scores and the cursor commit together.
 * An import writes its records quietly and emits one summary event: its leads or contacts
 * are scored by a job (IMPORTED_QUEUE), in pages through the bulk path, not one by one here.
 */
export function scoringConsumer(records: RecordService, jobs: JobQueue, now: () => Date): EventConsumer {
  return {
    name: 'scoring',
    // consent.changed: a person who withdraws (or grants again) consent to profiling is rescored at once.
    types: [...ENGAGEMENT_EVENTS, ...RECORD_EVENTS, 'consent.changed', ...IMPORT_SUMMARY_EVENTS],
    async handle(tx, events) {
      // Records to rescore, by workspace and object.
      const touched = new Map<string, { ws: string; object: Scored; ids: Set<string> }>();
      const touch = (ws: string, object: Scored, id: string) => {
        const key = `${ws}:${object}`;
        const entry = touched.get(key) ?? { ws, object, ids: new Set<string>() };
        entry.ids.add(id);
        touched.set(key, entry);
      };
      let queued = false;
      try {
        for (const e of events) {
          const imported = importOf(e);
          if (imported) {
            const object = imported.object;
            if (object !== 'leads' && object !== 'contacts') continue;
            if (!(await scoresObject(tx, e.workspaceId, object))) continue;
            await jobs.enqueue(tx, {
              queue: IMPORTED_QUEUE,
              workspaceId: e.workspaceId,
              payload: { importId: imported.importId, object },
              key: `import:${imported.importId}`,
            });
            queued = true;
            continue;
          }
          if (IMPORT_SUMMARY_EVENTS.includes(e.type)) continue;
          if (e.type === 'consent.changed') {
            if (e.data.purpose === PROFILING && e.recordId && (e.object === 'leads' || e.object === 'contacts'))
              touch(e.workspaceId, e.object, e.recordId);
            continue;
          }
          if (RECORD_EVENTS.includes(e.type)) {
            const changes = Object.keys((e.data.changes ?? {}) as Record<string, unknown>);
            if (e.type.endsWith('.updated') && changes.every((f) => OWN_FIELDS.has(f))) continue;
            if (e.recordId && (e.object === 'leads' || e.object === 'contacts'))
              touch(e.workspaceId, e.object, e.recordId);
            continue;
          }
          for (const target of await earn(tx, e)) touch(e.workspaceId, target.object, target.id);
        }
        if (touched.size === 0) return queued ? undefined : 'nothing-written';
        for (const { ws, object, ids } of touched.values()) {
          await enterWorkspace(tx, ws);
          await rescoreRecords(tx, records, ws, object, [...ids], now());
        }
      } finally {
        await leaveWorkspace(tx);
      }
    },
  };
}

/** Writes the contributions an engagement event earns; the records that earned any. */
export async function earn(tx: Tx, e: StoredEvent): Promise<{ object: Scored; id: string }[]> {
  const targets = targetsOf(e);
  if (targets.length === 0) return [];
  const rules = (await loadRules(tx, e.workspaceId, { kind: 'engagement', event: e.type, activeOnly: true })).filter(
    (r) => eventMatches(r, e.data),
  );
  if (rules.length === 0) return [];
  const at = occurredAt(e);
  const earned: { object: Scored; id: string }[] = [];
  for (const t of targets) {
    const mine = rules.filter((r) => r.object === t.object);
    if (mine.length === 0) continue;
    const rows = mine.map((r) => ({ rule_id: r.id, points: r.points }));
    // Only a live record of this workspace earns points.
    const { rows: inserted } = await sql<{ rule_id: string }>`
      insert into score_contributions (workspace_id, object, record_id, rule_id, event_id, points, occurred_at)
      select ${e.workspaceId}::uuid, ${t.object}, ${t.id}::uuid, v.rule_id, ${e.id}::uuid, v.points, ${at.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(rule_id uuid, points int)
      where exists (select 1 from ${sql.table(t.object)} r
        where r.workspace_id = ${e.workspaceId}::uuid and r.id = ${t.id}::uuid and r.deleted_at is null
          and not ${withdrawnSql(t.object, PROFILING, 'r')})
      on conflict (workspace_id, rule_id, event_id) do nothing
      returning rule_id`.execute(tx);
    if (inserted.length > 0) earned.push(t);
  }
  return earned;
}
