import { type RawBuilder, sql } from 'kysely';
import type { TScoreFactor } from '../../../common/contracts/scoring';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { loadSchemas, type ObjectSchema } from '../../platform/records/object-schema';
import { compileFilter } from '../../platform/records/query';
import type { RecordService } from '../../platform/records/records.service';
import { withdrawnSql } from '../consents';

type Sql = RawBuilder<unknown>;

/** The actor of the scoring system's own writes (no user: the last editor stays). */
export const systemActor = (workspaceId: string): Actor => ({
  kind: 'user',
  userId: null,
  workspaceId,
  role: 'system',
  scopes: [],
});

/** The record fields scoring keeps. */
export const SCORE_FIELDS = ['score', 'fitScore', 'engagementScore', 'grade'] as const;

export interface RuleRow {
  id: string;
  name: string;
  kind: 'fit' | 'engagement';
  object: 'leads' | 'contacts';
  condition: FilterNode | null;
  event: string | null;
  match: { path?: string; url?: string; kind?: string; formId?: string };
  points: number;
  cap: number | null;
  halfLifeDays: number | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScoringSettings {
  mqlThreshold: number;
  mqlOwnerId: string | null;
}

export const DEFAULT_THRESHOLD = 100;

export async function loadRules(
  tx: Tx,
  ws: string,
  opts: { object?: string; kind?: 'fit' | 'engagement'; event?: string; activeOnly?: boolean } = {},
): Promise<RuleRow[]> {
  const { rows } = await sql<RuleRow>`
    select id, name, kind, object, condition, event, match, points, cap, half_life_days as "halfLifeDays", active,
      created_at as "createdAt", updated_at as "updatedAt"
    from scoring_rules where workspace_id = ${ws}::uuid
      ${opts.object ? sql`and object = ${opts.object}` : sql``}
      ${opts.kind ? sql`and kind = ${opts.kind}` : sql``}
      ${opts.event ? sql`and event = ${opts.event}` : sql``}
      ${opts.activeOnly ? sql`and active` : sql``}
    order by created_at, id`.execute(tx);
  return rows;
}

export async function loadSettings(tx: Tx, ws: string): Promise<ScoringSettings> {
  const { rows } = await sql<ScoringSettings>`
    select mql_threshold as "mqlThreshold", mql_owner_id as "mqlOwnerId" from scoring_settings
    where workspace_id = ${ws}::uuid`.execute(tx);
  return rows[0] ?? { mqlThreshold: DEFAULT_THRESHOLD, mqlOwnerId: null };
}

/** The lowest total of grades A, B and C (D is below C): the MQL threshold, two thirds and one third of it. */
export const gradeBounds = (threshold: number) => ({
  A: threshold,
  B: Math.round((threshold * 2) / 3),
  C: Math.round(threshold / 3),
});

export function gradeOf(total: number, threshold: number): 'A' | 'B' | 'C' | 'D' {
  const b = gradeBounds(threshold);
  return total >= b.A ? 'A' : total >= b.B ? 'B' : total >= b.C ? 'C' : 'D';
}

/** A rule's points within its cap (a cap bounds the points' size, either sign). */
export const capped = (points: number, cap: number | null) =>
  cap == null ? points : Math.sign(points) * Math.min(Math.abs(points), cap);

/** Continuous decay: points × 0.5^(age / half-life); an event in the future counts in full. */
export function decayed(points: number, occurredAt: Date, halfLifeDays: number | null, now: Date): number {
  if (halfLifeDays == null) return points;
  const ageDays = Math.max(0, now.getTime() - occurredAt.getTime()) / 86_400_000;
  return points * 0.5 ** (ageDays / halfLifeDays);
}

/** The fit rules of `object` compiled to conditions on alias `t` (a rule naming a field since removed counts nothing). */
export function fitConditions(
  full: Map<string, ObjectSchema>,
  object: string,
  rules: RuleRow[],
): { rule: RuleRow; cond: Sql }[] {
  const schema = full.get(object);
  if (!schema) return [];
  const out: { rule: RuleRow; cond: Sql }[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'fit' || !rule.active || rule.object !== object || !rule.condition) continue;
    try {
      out.push({ rule, cond: compileFilter(schema, rule.condition, { schemas: full }, 'condition', 't') });
    } catch {
      // The condition names a field that no longer exists: the rule matches nothing until edited.
    }
  }
  return out;
}

/** SQL of an engagement contribution's points now (alias c, its rule r). */
const decaySql = (now: Date) => sql`c.points * case when r.half_life_days is null then 1
  else power(0.5, greatest(0, extract(epoch from (${now.toISOString()}::timestamptz - c.occurred_at))) / 86400.0 / r.half_life_days) end`;

/**
 * The scores of the live records of `object` that `where` (on alias t) selects, as rows
 * `(id, score, fit_score, engagement_score, grade)`: fit from the compiled fit rules,
 * engagement from the stored contributions decayed to `now`, each rule within its cap.
 * `limit` takes the first records by id (keyset chunks: `where` carries `t.id > last`).
 */
/**
 * The consent purpose scoring honours: a person who withdrew `profiling` (objected to
 * profiling, GDPR art. 21) is not scored — no contributions are kept and their scores are cleared.
 */
export const PROFILING = 'profiling';

export function scoreSource(opts: {
  ws: string;
  object: string;
  table: string;
  fit: { rule: RuleRow; cond: Sql }[];
  now: Date;
  threshold: number;
  where: Sql;
  limit?: number;
}): Sql {
  const { ws, object, now } = opts;
  const fit = opts.fit.length
    ? sql.join(
        opts.fit.map((f) => sql`case when ${f.cond} then ${capped(f.rule.points, f.rule.cap)}::bigint else 0 end`),
        sql` + `,
      )
    : sql`0`;
  const g = gradeBounds(opts.threshold);
  return sql`with b as (
      select t.id, (${fit})::bigint as fit from ${sql.table(`${opts.table}_scoped`)} t
      where t.workspace_id = ${ws}::uuid and t.deleted_at is null and ${opts.where}
        and not ${withdrawnSql(object as 'leads' | 'contacts', PROFILING)}
      ${opts.limit ? sql`order by t.id limit ${opts.limit}` : sql``}),
    per_rule as (
      select c.record_id, r.cap, sum(${decaySql(now)}) as s
      from score_contributions c join scoring_rules r on r.workspace_id = c.workspace_id and r.id = c.rule_id and r.active
      where c.workspace_id = ${ws}::uuid and c.object = ${object} and c.record_id in (select id from b)
      group by c.record_id, r.id, r.cap),
    e as (
      select record_id, round(sum(case when cap is null then s else sign(s) * least(abs(s), cap) end))::bigint as eng
      from per_rule group by record_id),
    totals as (
      select b.id, b.fit, coalesce(e.eng, 0)::bigint as eng from b left join e on e.record_id = b.id)
    select id, fit + eng as score, fit as fit_score, eng as engagement_score,
      case when fit + eng >= ${g.A} then 'A' when fit + eng >= ${g.B} then 'B' when fit + eng >= ${g.C} then 'C' else 'D' end as grade
    from totals`;
}

/** A score and its explanation, computed now (the stored fields may lag by the decay job's period). */
export interface Breakdown {
  total: number;
  fit: number;
  engagement: number;
  grade: 'A' | 'B' | 'C' | 'D';
  mqlThreshold: number;
  factors: TScoreFactor[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Every rule that contributes to one record's score, when, with its original and decayed points. */
export async function breakdown(
  tx: Tx,
  records: RecordService,
  ws: string,
  object: 'leads' | 'contacts',
  id: string,
  now: Date,
): Promise<Breakdown> {
  const settings = await loadSettings(tx, ws);
  const rules = await loadRules(tx, ws, { object, activeOnly: true });
  const full = await loadSchemas(tx, records.registry);
  const def = records.registry.get(object);
  const factors: TScoreFactor[] = [];
  let fit = 0;
  const conds = fitConditions(full, object, rules);
  if (conds.length && def) {
    const { rows } = await sql<Record<string, boolean>>`
      select ${sql.join(conds.map((c, i) => sql`coalesce(${c.cond}, false) as ${sql.ref(`m${i}`)}`))}
      from ${sql.table(`${def.table}_scoped`)} t where t.workspace_id = ${ws}::uuid and t.id = ${id}::uuid`.execute(tx);
    const row = rows[0] ?? {};
    conds.forEach((c, i) => {
      if (!row[`m${i}`]) return;
      const points = capped(c.rule.points, c.rule.cap);
      fit += points;
      factors.push({
        rule: c.rule.name,
        ruleId: c.rule.id,
        kind: 'fit',
        points,
        originalPoints: c.rule.points,
        at: null,
        halfLifeDays: null,
        event: null,
      });
    });
  }
  const { rows: contributions } = await sql<{ ruleId: string; points: number; occurredAt: Date }>`
    select rule_id as "ruleId", points, occurred_at as "occurredAt" from score_contributions
    where workspace_id = ${ws}::uuid and object = ${object} and record_id = ${id}::uuid
    order by occurred_at desc, event_id`.execute(tx);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const perRule = new Map<string, { rule: RuleRow; items: TScoreFactor[]; sum: number }>();
  for (const c of contributions) {
    const rule = byId.get(c.ruleId);
    if (rule?.kind !== 'engagement') continue;
    const points = decayed(c.points, new Date(c.occurredAt), rule.halfLifeDays, now);
    const entry = perRule.get(rule.id) ?? { rule, items: [], sum: 0 };
    entry.sum += points;
    entry.items.push({
      rule: rule.name,
      ruleId: rule.id,
      kind: 'engagement',
      points,
      originalPoints: c.points,
      at: new Date(c.occurredAt).toISOString(),
      halfLifeDays: rule.halfLifeDays,
      event: rule.event,
    });
    perRule.set(rule.id, entry);
  }
  let engagement = 0;
  for (const { rule, items, sum } of perRule.values()) {
    const total = capped(sum, rule.cap);
    // Over the cap, each event's share shrinks in proportion, so the factors still add up.
    const scale = sum === 0 ? 1 : total / sum;
    for (const item of items) factors.push({ ...item, points: round2(item.points * scale) });
    engagement += total;
  }
  engagement = round2(engagement);
  const total = round2(fit + engagement);
  return {
    total,
    fit,
    engagement,
    grade: gradeOf(total, settings.mqlThreshold),
    mqlThreshold: settings.mqlThreshold,
    factors,
  };
}
