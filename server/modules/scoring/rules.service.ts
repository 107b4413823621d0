import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type {
  TCreateScoringRuleRequest,
  TScoringRule,
  TScoringSettings,
  TUpdateScoringRuleRequest,
} from '../../../common/contracts/scoring';
import { checkFilterTree, type FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, notFound } from '../../platform/http/errors';
import { loadSchemas } from '../../platform/records/object-schema';
import { compileFilter } from '../../platform/records/query';
import type { RecordService } from '../../platform/records/records.service';
import { gradeBounds, loadRules, loadSettings, type RuleRow } from './score-engine';

/** Roles that define scoring rules and settings besides administrators. */
const RULE_EDITORS = new Set(['marketing_manager']);

/** 403 unless the caller administers the workspace or is a marketing manager (everyone may read). */
export async function assertRuleEditor(tx: Tx, records: RecordService, actor: Actor): Promise<void> {
  const policy = await records.access.policy(tx, actor);
  const readOnlyKey = actor.scopes.length > 0 && !actor.scopes.some((s) => s === 'write' || s === 'admin');
  const role = actor.kind === 'api_key' && actor.creatorRole ? actor.creatorRole : actor.role;
  if (!readOnlyKey && (policy.admin || (RULE_EDITORS.has(actor.role) && RULE_EDITORS.has(role)))) return;
  throw new AppError('forbidden', 'Only administrators and marketing managers may change lead scoring');
}

export const presentRule = (r: RuleRow): TScoringRule => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  object: r.object,
  condition: r.condition,
  event: r.event,
  match: r.match ?? {},
  points: r.points,
  cap: r.cap,
  halfLifeDays: r.halfLifeDays,
  active: r.active,
  createdAt: new Date(r.createdAt).toISOString(),
  updatedAt: new Date(r.updatedAt).toISOString(),
});

/** A fit condition must be a valid filter tree over the object's fields (custom ones included): 422 on `condition…`. */
async function checkCondition(tx: Tx, records: RecordService, object: string, condition: unknown): Promise<FilterNode> {
  const errors = checkFilterTree(condition, 'condition').slice(0, 20);
  if (errors.length) {
    throw new AppError('validation_failed', `Invalid condition: ${errors.map((e) => e.path).join(', ')}`, { errors });
  }
  const tree = condition as FilterNode;
  const full = await loadSchemas(tx, records.registry);
  const schema = full.get(object);
  if (!schema)
    throw new AppError('validation_failed', 'object: unknown', {
      errors: [{ path: 'object', message: 'unknown object' }],
    });
  compileFilter(schema, tree, { schemas: full }, 'condition');
  return tree;
}

async function getRule(tx: Tx, ws: string, id: string): Promise<RuleRow> {
  const rule = (await loadRules(tx, ws)).find((r) => r.id === id);
  if (!rule) throw notFound('Scoring rule');
  return rule;
}

export async function listRules(tx: Tx, ws: string): Promise<TScoringRule[]> {
  return (await loadRules(tx, ws)).map(presentRule);
}

export async function createRule(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  input: TCreateScoringRuleRequest,
): Promise<TScoringRule> {
  const object = input.object ?? 'leads';
  const id = uuidv7();
  const condition =
    input.kind === 'fit' ? JSON.stringify(await checkCondition(tx, records, object, input.condition)) : null;
  const event = input.kind === 'engagement' ? input.event : null;
  const match = input.kind === 'engagement' ? (input.match ?? {}) : {};
  const halfLife = input.kind === 'engagement' ? (input.halfLifeDays ?? null) : null;
  await sql`insert into scoring_rules (workspace_id, id, name, kind, object, condition, event, match, points, cap,
      half_life_days, active, created_by)
    values (${actor.workspaceId}::uuid, ${id}::uuid, ${input.name}, ${input.kind}, ${object}, ${condition}::jsonb,
      ${event}, ${JSON.stringify(match)}::jsonb, ${input.points}, ${input.cap ?? null}, ${halfLife},
      ${input.active ?? true}, ${actor.userId}::uuid)`.execute(tx);
  return presentRule(await getRule(tx, actor.workspaceId, id));
}

export async function updateRule(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  input: TUpdateScoringRuleRequest,
): Promise<TScoringRule> {
  const rule = await getRule(tx, actor.workspaceId, id);
  const wrong = (field: string, kind: string) =>
    new AppError('validation_failed', `${field}: only ${kind} rules have it`, {
      errors: [{ path: field, message: `only ${kind} rules have it` }],
    });
  if (rule.kind === 'fit') {
    for (const f of ['event', 'match', 'halfLifeDays'] as const)
      if (input[f] !== undefined) throw wrong(f, 'engagement');
  } else if (input.condition !== undefined) throw wrong('condition', 'fit');
  const condition =
    input.condition !== undefined ? await checkCondition(tx, records, rule.object, input.condition) : rule.condition;
  await sql`update scoring_rules set name = ${input.name ?? rule.name},
      condition = ${condition ? JSON.stringify(condition) : null}::jsonb,
      event = ${input.event ?? rule.event}, match = ${JSON.stringify(input.match ?? rule.match ?? {})}::jsonb,
      points = ${input.points ?? rule.points}, cap = ${input.cap === undefined ? rule.cap : input.cap},
      half_life_days = ${input.halfLifeDays === undefined ? rule.halfLifeDays : input.halfLifeDays},
      active = ${input.active ?? rule.active}, updated_at = now()
    where workspace_id = ${actor.workspaceId}::uuid and id = ${id}::uuid`.execute(tx);
  return presentRule(await getRule(tx, actor.workspaceId, id));
}

/** Deletes a rule and the points its events earned (the rescore that follows takes them off the scores). */
export async function deleteRule(tx: Tx, ws: string, id: string): Promise<void> {
  const { rows } = await sql`delete from scoring_rules where workspace_id = ${ws}::uuid and id = ${id}::uuid
    returning id`.execute(tx);
  if (rows.length === 0) throw notFound('Scoring rule');
}

export async function getSettings(tx: Tx, ws: string): Promise<TScoringSettings> {
  const s = await loadSettings(tx, ws);
  return { ...s, grades: gradeBounds(s.mqlThreshold) };
}

export async function updateSettings(
  tx: Tx,
  ws: string,
  input: { mqlThreshold?: number; mqlOwnerId?: string | null },
): Promise<TScoringSettings> {
  const s = await loadSettings(tx, ws);
  const threshold = input.mqlThreshold ?? s.mqlThreshold;
  const owner = input.mqlOwnerId === undefined ? s.mqlOwnerId : input.mqlOwnerId;
  if (owner) {
    const { rows } =
      await sql`select 1 from workspace_members where workspace_id = ${ws}::uuid and user_id = ${owner}::uuid`.execute(
        tx,
      );
    if (rows.length === 0) {
      throw new AppError('validation_failed', 'mqlOwnerId: not a member of this workspace', {
        errors: [{ path: 'mqlOwnerId', message: 'is not a member of this workspace' }],
      });
    }
  }
  await sql`insert into scoring_settings (workspace_id, mql_threshold, mql_owner_id, updated_at)
    values (${ws}::uuid, ${threshold}, ${owner}::uuid, now())
    on conflict (workspace_id) do update set mql_threshold = excluded.mql_threshold,
      mql_owner_id = excluded.mql_owner_id, updated_at = now()`.execute(tx);
  return getSettings(tx, ws);
}
