import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { emitEvents } from '../../platform/events/events';
import { loadSchemas } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import { withdrawnSql } from '../consents';
import {
  fitConditions,
  loadRules,
  loadSettings,
  PROFILING,
  type ScoringSettings,
  scoreSource,
  systemActor,
} from './score-engine';

/** Lead statuses MQL never overrides. */
const NOT_QUALIFIABLE = ['converted', 'disqualified'];

interface Current {
  id: string;
  score: string | null;
  fit_score: string | null;
  engagement_score: string | null;
  grade: string | null;
  status?: string | null;
  mql_at?: Date | null;
}

interface Computed {
  id: string;
  score: string;
  fit_score: string;
  engagement_score: string;
  grade: string;
}

const num = (v: string | number | null | undefined) => (v == null ? null : Number(v));

/**
 * Recomputes the scores of some records now and writes those that changed through the
 * record engine (a system write each: version, audit, `<object>.updated`). A lead whose
 * total reaches the MQL threshold for the first time becomes an MQL in the same write
 * (`lead.mql`); a qualified lead falling back below it stays qualified and the drop is
 * recorded (`lead.score_dropped`). For the few records an event touches; a whole
 * object's rescore is rescore.ts.
 */
export async function rescoreRecords(
  tx: Tx,
  records: RecordService,
  ws: string,
  object: 'leads' | 'contacts',
  ids: string[],
  now: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const def = records.registry.get(object);
  if (!def) return 0;
  // A workspace that scores nothing (no active rule for the object) leaves its records alone:
  // no version bump or update event for every new record. Turning rules off later is the
  // background rescore's work (rescore.ts), which clears what they gave.
  const { rows: anyRule } = await sql`select 1 from scoring_rules
    where workspace_id = ${ws}::uuid and object = ${object} and active limit 1`.execute(tx);
  if (anyRule.length === 0) return 0;
  const settings = await loadSettings(tx, ws);
  const rules = await loadRules(tx, ws, { object, kind: 'fit', activeOnly: true });
  const fit = fitConditions(await loadSchemas(tx, records.registry), object, rules);
  const source = scoreSource({
    ws,
    object,
    table: def.table,
    fit,
    now,
    threshold: settings.mqlThreshold,
    where: sql`t.id = any(${ids}::uuid[])`,
  });
  const { rows: computed } = await sql<Computed>`${source}`.execute(tx);
  const { rows: current } = await sql<Current>`
    select id, score, fit_score, engagement_score, grade ${object === 'leads' ? sql`, status, mql_at` : sql``}
    from ${sql.table(`${def.table}_scoped`)} where workspace_id = ${ws}::uuid and id = any(${ids}::uuid[])`.execute(tx);
  const before = new Map(current.map((c) => [c.id, c]));
  const actor = systemActor(ws);
  let changed = await clearObjected(tx, records, ws, object, def.table, ids);
  for (const c of computed) {
    const b = before.get(c.id);
    if (!b) continue;
    const next = {
      score: Number(c.score),
      fitScore: Number(c.fit_score),
      engagementScore: Number(c.engagement_score),
      grade: c.grade,
    };
    const changes: Record<string, unknown> = {};
    if (num(b.score) !== next.score) changes.score = next.score;
    if (num(b.fit_score) !== next.fitScore) changes.fitScore = next.fitScore;
    if (num(b.engagement_score) !== next.engagementScore) changes.engagementScore = next.engagementScore;
    if (b.grade !== next.grade) changes.grade = next.grade;
    if (Object.keys(changes).length === 0) continue;
    const crossed = object === 'leads' && crossesThreshold(b, next.score, settings);
    if (crossed) Object.assign(changes, mqlChanges(settings, now));
    await records.systemWrite(tx, actor, object, c.id, changes);
    changed++;
    if (object !== 'leads') continue;
    if (crossed) await emitMql(tx, ws, [{ id: c.id, score: next.score, previousStatus: b.status ?? null }], settings);
    else if (dropsBelow(b, next.score, settings)) {
      await emitDrops(tx, ws, [{ id: c.id, from: num(b.score) ?? 0, to: next.score }], settings);
    }
  }
  return changed;
}

/**
 * Records among `ids` whose person withdrew consent to profiling lose their scores and the
 * engagement points behind them (the scoring source skips them, so they are not scored again
 * until they grant it).
 */
async function clearObjected(
  tx: Tx,
  records: RecordService,
  ws: string,
  object: 'leads' | 'contacts',
  table: string,
  ids: string[],
): Promise<number> {
  const { rows: objected } = await sql<{ id: string; scored: boolean }>`select t.id,
      (t.score is not null or t.fit_score is not null or t.engagement_score is not null or t.grade is not null) as scored
    from ${sql.table(`${table}_scoped`)} t
    where t.workspace_id = ${ws}::uuid and t.id = any(${ids}::uuid[]) and ${withdrawnSql(object, PROFILING)}`.execute(
    tx,
  );
  if (objected.length === 0) return 0;
  // The engagement points earned so far are profiling data too: they go with the scores.
  await sql`delete from score_contributions where workspace_id = ${ws}::uuid and object = ${object}
    and record_id = any(${objected.map((r) => r.id)}::uuid[])`.execute(tx);
  const rows = objected.filter((r) => r.scored);
  for (const r of rows)
    await records.systemWrite(tx, systemActor(ws), object, r.id, {
      score: null,
      fitScore: null,
      engagementScore: null,
      grade: null,
    });
  return rows.length;
}

const crossesThreshold = (b: Current, score: number, s: ScoringSettings) =>
  score >= s.mqlThreshold && !b.mql_at && !NOT_QUALIFIABLE.includes(b.status ?? '');

const dropsBelow = (b: Current, score: number, s: ScoringSettings) =>
  !!b.mql_at && (num(b.score) ?? 0) >= s.mqlThreshold && score < s.mqlThreshold;

/** What becoming an MQL changes on a lead: status, qualification, when, and the owner when the workspace assigns MQLs. */
export function mqlChanges(settings: ScoringSettings, now: Date): Record<string, unknown> {
  return {
    status: 'mql',
    qualification: 'mql',
    mqlAt: now.toISOString(),
    ...(settings.mqlOwnerId ? { ownerId: settings.mqlOwnerId } : {}),
  };
}

/** `lead.mql` for each new MQL (on its timeline; workflows and webhooks can react). */
export async function emitMql(
  tx: Tx,
  ws: string,
  leads: { id: string; score: number; previousStatus: string | null }[],
  settings: ScoringSettings,
): Promise<void> {
  await emitEvents(
    tx,
    systemActor(ws),
    leads.map((l) => ({
      type: 'lead.mql',
      object: 'leads',
      recordId: l.id,
      data: {
        score: l.score,
        threshold: settings.mqlThreshold,
        previousStatus: l.previousStatus,
        ownerId: settings.mqlOwnerId,
      },
    })),
  );
}

/** `lead.score_dropped` for qualified leads whose score fell below the threshold (they stay qualified). */
export async function emitDrops(
  tx: Tx,
  ws: string,
  leads: { id: string; from: number; to: number }[],
  settings: ScoringSettings,
): Promise<void> {
  await emitEvents(
    tx,
    systemActor(ws),
    leads.map((l) => ({
      type: 'lead.score_dropped',
      object: 'leads',
      recordId: l.id,
      data: { from: l.from, to: l.to, threshold: settings.mqlThreshold },
    })),
  );
}

/**
 * Makes MQLs of the leads `where` selects (a condition on leads_scoped) whose stored score
 * reached the threshold and that were never qualified: after a bulk rescore, which sets
 * scores only, or a lowered threshold. A system write and `lead.mql` each.
 */
export async function qualifyReached(
  tx: Tx,
  records: RecordService,
  ws: string,
  where: RawBuilder<unknown>,
  settings: ScoringSettings,
  now: Date,
): Promise<number> {
  const { rows } = await sql<{ id: string; score: string; status: string | null }>`
    select id, score, status from leads_scoped
    where workspace_id = ${ws}::uuid and ${where} and deleted_at is null
      and score >= ${settings.mqlThreshold} and mql_at is null
      and coalesce(status, '') <> all(${NOT_QUALIFIABLE}::text[])`.execute(tx);
  const actor = systemActor(ws);
  for (const r of rows) await records.systemWrite(tx, actor, 'leads', r.id, mqlChanges(settings, now));
  await emitMql(
    tx,
    ws,
    rows.map((r) => ({ id: r.id, score: Number(r.score), previousStatus: r.status })),
    settings,
  );
  return rows.length;
}

/** Records `lead.score_dropped` for the qualified leads among `drops` (score moved from ≥ threshold to below). */
export async function recordDrops(
  tx: Tx,
  ws: string,
  drops: { id: string; from: number; to: number }[],
  settings: ScoringSettings,
): Promise<void> {
  if (drops.length === 0) return;
  const { rows } = await sql<{ id: string }>`
    select id from leads_scoped where workspace_id = ${ws}::uuid and id = any(${drops.map((d) => d.id)}::uuid[])
      and mql_at is not null`.execute(tx);
  const qualified = new Set(rows.map((r) => r.id));
  await emitDrops(
    tx,
    ws,
    drops.filter((d) => qualified.has(d.id)),
    settings,
  );
}
