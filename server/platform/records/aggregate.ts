import Decimal from 'decimal.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type RawBuilder, sql } from 'kysely';
import { z } from 'zod';
import { AggregateQuery, AggregateSchema, type TAggregate } from '../../../common/contracts/records';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../auth/actor';
import type { Database, Tx } from '../db/database';
import { actorOf } from '../http/context';
import { AppError, type FieldError } from '../http/errors';
import { isEncrypted, normaliseDecimal } from './field-types';
import { nameRecords } from './names';
import { compileFilter, directAccessor } from './query';
import { parseFilter } from './records.routes';
import type { RecordContext, RecordService } from './records.service';
import type { FieldDef } from './types';

type Sql = RawBuilder<unknown>;

/**
 * Field types a group can be made of — a select (one group per option), a person (the
 * owner: sales by rep) or a to-one relation (per account) — and field types that can be
 * totalled (money per currency).
 */
const GROUPABLE = new Set(['select', 'user', 'relation']);
const SUMMABLE = new Set(['money', 'integer', 'decimal', 'percent']);

export type AggregateResult = TAggregate;
type AggregateGroup = AggregateResult['groups'][number];
type MoneySum = { currency: string; amount: string };

export interface AggregateOptions {
  groupBy: string;
  sum?: string;
  filter?: FilterNode;
}

const invalid = (errors: FieldError[]) =>
  new AppError('validation_failed', `Cannot aggregate: ${errors.map((e) => e.path).join(', ')}`, { errors });

/**
 * Per-group counts and totals of an object's records (a board's column headers), with
 * exactly the permissions of a list: the caller's record scope and row rules, and the
 * fields as their role sees them — a hidden field cannot be grouped, summed or filtered
 * on (it is unknown, like in a list filter). Grouped by a select, every option comes
 * back in declaration order; by a person (owner: sales by rep) or a to-one relation (per
 * account), each value the records have, by name; "no value" last.
 */
export async function aggregateRecords(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  object: string,
  opts: AggregateOptions,
): Promise<AggregateResult> {
  const ctx = await records.context(tx, actor, object, 'read');
  const { schema } = ctx;
  const errors: FieldError[] = [];
  const group = schema.field(opts.groupBy);
  if (!group) errors.push({ path: 'groupBy', message: `unknown field "${opts.groupBy}" on ${object}` });
  else if (isEncrypted(group.def))
    errors.push({
      path: 'groupBy',
      message: `"${opts.groupBy}" is a sensitive field, encrypted at rest: it cannot be grouped`,
    });
  else if (
    !GROUPABLE.has(group.def.type) ||
    (group.def.type === 'relation' && group.def.relation?.cardinality !== 'one')
  )
    errors.push({
      path: 'groupBy',
      message: `"${opts.groupBy}" is ${group.def.type}; group by a select field, a person (the owner) or a to-one relation`,
    });
  const total = opts.sum ? schema.field(opts.sum) : undefined;
  if (opts.sum && !total) errors.push({ path: 'sum', message: `unknown field "${opts.sum}" on ${object}` });
  else if (total && (!SUMMABLE.has(total.def.type) || isEncrypted(total.def)))
    errors.push({ path: 'sum', message: `"${opts.sum}" is ${total.def.type}; sum a money or number field` });
  if (errors.length || !group) throw invalid(errors);

  const groupExpr = directAccessor(schema, 't', opts.groupBy)?.expr as Sql;
  const where: Sql[] = [sql`t.deleted_at is null`];
  const visible = ctx.visible(object, 't');
  if (visible) where.push(visible);
  if (opts.filter) where.push(compileFilter(schema, opts.filter, { schemas: ctx.schemas, visible: ctx.visible }));
  const from = sql`from ${sql.table(`${schema.def.table}_scoped`)} t where ${sql.join(where, sql` and `)}`;

  const isMoney = total?.def.type === 'money';
  const amount = total
    ? directAccessor(schema, 't', isMoney ? `${total.def.name}.amount` : total.def.name)?.expr
    : null;
  const { rows: counts } = await sql<{ g: string | null; n: number; s: string | null }>`
    select (${groupExpr})::text as g, count(*)::int as n, ${amount && !isMoney ? sql`sum(${amount})::text` : sql`null`} as s
    ${from} group by 1`.execute(tx);
  const money = new Map<string | null, MoneySum[]>();
  if (total && isMoney && amount) {
    const currency = directAccessor(schema, 't', `${total.def.name}.currency`)?.expr as Sql;
    const { rows } = await sql<{ g: string | null; c: string; s: string }>`
      select (${groupExpr})::text as g, ${currency} as c, sum(${amount})::text as s
      ${from} and ${amount} is not null and ${currency} is not null group by 1, 2 order by 2`.execute(tx);
    for (const r of rows) {
      const list = money.get(r.g) ?? [];
      list.push({ currency: r.c, amount: normaliseDecimal(r.s) });
      money.set(r.g, list);
    }
  }

  const byValue = new Map(counts.map((r) => [r.g, r]));
  const sumOf = (g: string | null): AggregateGroup['sum'] => {
    if (!total) return null;
    if (isMoney) return money.get(g) ?? [];
    const s = byValue.get(g)?.s;
    return s == null ? '0' : normaliseDecimal(s);
  };
  const values =
    group.def.type === 'select'
      ? optionGroups(group.def, counts)
      : await labelledGroups(records, tx, ctx, group.def, counts);
  const groups = values.map((v) => ({
    value: v.value,
    label: v.label,
    count: byValue.get(v.value)?.n ?? 0,
    sum: sumOf(v.value),
  }));
  return {
    groupBy: opts.groupBy,
    sum: opts.sum ?? null,
    groups,
    total: { count: groups.reduce((n, g) => n + g.count, 0), sum: totalOf(groups, total ? isMoney : undefined) },
  };
}

/** A select's groups: every option in declaration order, values no longer among them, then "no value". */
function optionGroups(field: FieldDef, counts: { g: string | null }[]): { value: string | null; label: string }[] {
  const options = field.options ?? [];
  const known = new Set(options.map((o) => o.value));
  return [
    ...options,
    // Values no longer among the options (an option was removed) still show, after the options.
    ...counts
      .filter((r) => r.g !== null && !known.has(r.g))
      .map((r) => ({ value: r.g as string, label: r.g as string }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    { value: null, label: `No ${field.label.toLowerCase()}` },
  ];
}

/**
 * Groups of a person or relation field: the values the records have, by name (a person's
 * name, a team's, the related record's title), then "no value". A related record the
 * caller may not read shows as "A restricted <object>", never by its title.
 */
async function labelledGroups(
  records: RecordService,
  tx: Tx,
  ctx: RecordContext,
  field: FieldDef,
  counts: { g: string | null }[],
): Promise<{ value: string | null; label: string }[]> {
  const ids = counts.map((r) => r.g).filter((g): g is string => g !== null);
  const names = await nameRecords(records, tx, ctx, field, ids);
  const present = ids
    .map((id) => ({ value: id, label: names.get(id) ?? restrictedLabel(records, field) }))
    .sort((a, b) => a.label.localeCompare(b.label) || a.value.localeCompare(b.value));
  return [...present, { value: null, label: `No ${field.label.toLowerCase()}` }];
}

const restrictedLabel = (records: RecordService, field: FieldDef) => {
  if (field.type !== 'relation' || !field.relation) return 'A former member';
  const singular = records.registry.get(field.relation.object)?.singular ?? 'record';
  return `A restricted ${singular}`;
};

/** The grand total, exactly (decimal.js), per currency for money. */
function totalOf(groups: AggregateGroup[], isMoney: boolean | undefined): AggregateResult['total']['sum'] {
  if (isMoney === undefined) return null;
  if (!isMoney) return normaliseDecimal(groups.reduce((acc, g) => acc.plus(g.sum as string), new Decimal(0)).toFixed());
  const per = new Map<string, Decimal>();
  for (const g of groups) {
    for (const m of g.sum as MoneySum[]) per.set(m.currency, (per.get(m.currency) ?? new Decimal(0)).plus(m.amount));
  }
  return [...per]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, d]) => ({ currency, amount: normaliseDecimal(d.toFixed()) }));
}

/** `GET /api/v1/{object}/aggregate` for every object (registered beside the record routes). */
export function aggregateRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    for (const def of records.registry.all()) {
      app.get(
        `/api/v1/${def.name}/aggregate`,
        {
          schema: {
            tags: [def.labelPlural],
            summary: `Count ${def.labelPlural.toLowerCase()} per value of a select, person or relation field, with totals`,
            description:
              'The same records a list with this filter returns (scope, row rules, hidden fields). Money is summed per currency, as exact decimal strings.',
            querystring: AggregateQuery,
            response: { 200: z.object({ data: AggregateSchema }) },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          const data = await database.tenantRead(actor.workspaceId, (tx) =>
            aggregateRecords(records, tx, actor, def.name, {
              groupBy: req.query.groupBy,
              sum: req.query.sum,
              filter: parseFilter(req.query.filter),
            }),
          );
          return { data };
        },
      );
    }
  };
}
