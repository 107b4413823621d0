import { type RawBuilder, sql } from 'kysely';
import type { z } from 'zod';
import type { DuplicateSchema } from '../../../common/contracts/sales';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import { presentRow, selectColumns } from '../../platform/records/query';
import type { RecordContext, RecordData, RecordService } from '../../platform/records/records.service';
import { validateInput } from '../../platform/records/validate';

/** Objects with duplicate detection, and the objects each is compared with. */
export const DUPLICATE_TARGETS: Record<string, string[]> = {
  contacts: ['contacts'],
  accounts: ['accounts'],
  leads: ['leads', 'contacts'],
};

/** Names at least this similar (pg_trgm, 0–1) are reported. */
export const NAME_SIMILARITY = 0.6;
const LIMIT = 20;

export type Duplicate = z.infer<typeof DuplicateSchema>;

interface Probe {
  email?: string;
  phone?: string;
  domain?: string;
  name?: string;
}

const personName = (r: RecordData) =>
  [r.firstName, r.lastName]
    .filter((v) => typeof v === 'string' && v)
    .join(' ')
    .trim();

function probeOf(object: string, r: RecordData): Probe {
  const p: Probe = {};
  if (typeof r.email === 'string' && r.email) p.email = r.email;
  if (typeof r.phone === 'string' && r.phone) p.phone = r.phone;
  if (typeof r.domain === 'string' && r.domain) p.domain = r.domain;
  const name = object === 'accounts' ? (r.name as string | undefined) : personName(r);
  if (name && name.length >= 3) p.name = name;
  return p;
}

/** The SQL name of a record of `object` (alias t), the same text the probe's name is compared with. */
const nameSql = (object: string): RawBuilder<unknown> =>
  object === 'accounts'
    ? sql`lower(rapport_unaccent(coalesce(t.name, '')))`
    : sql`lower(rapport_unaccent(trim(coalesce(t.first_name, '') || ' ' || coalesce(t.last_name, ''))))`;

async function matchesIn(
  tx: Tx,
  records: RecordService,
  ctx: RecordContext,
  object: string,
  probe: Probe,
  excludeId: string | undefined,
): Promise<Duplicate[]> {
  if (!ctx.policy.can(object, 'read')) return [];
  const schema = ctx.schemas.get(object) as ObjectSchema;
  const has = (f: string) => !!schema.field(f) && !schema.field(f)?.custom;
  const ors: RawBuilder<unknown>[] = [];
  const reasons: RawBuilder<unknown>[] = [];
  if (probe.email && has('email')) {
    const m = has('emails')
      ? sql`(t.email = ${probe.email} or coalesce(t.emails, '[]'::jsonb) @> ${JSON.stringify([{ value: probe.email }])}::jsonb)`
      : sql`t.email = ${probe.email}`;
    ors.push(m);
    reasons.push(sql`case when ${m} then 'email' end`);
  }
  if (probe.phone && has('phone')) {
    const m = has('phones')
      ? sql`(t.phone = ${probe.phone} or coalesce(t.phones, '[]'::jsonb) @> ${JSON.stringify([{ value: probe.phone }])}::jsonb)`
      : sql`t.phone = ${probe.phone}`;
    ors.push(m);
    reasons.push(sql`case when ${m} then 'phone' end`);
  }
  if (probe.domain && has('domain')) {
    ors.push(sql`t.domain = ${probe.domain}`);
    reasons.push(sql`case when t.domain = ${probe.domain} then 'domain' end`);
  }
  let similarity: RawBuilder<unknown> = sql`0`;
  // Names are compared only when the caller sees them (else a match would reveal a hidden name).
  const nameFields = object === 'accounts' ? ['name'] : ['firstName', 'lastName'];
  if (probe.name && nameFields.every((f) => schema.field(f))) {
    const q = sql`lower(rapport_unaccent(${probe.name}))`;
    similarity = sql`similarity(${nameSql(object)}, ${q})`;
    // The trigram index on search_text narrows the candidates; the name similarity decides.
    ors.push(sql`(${q} <% t.search_text and ${similarity} >= ${NAME_SIMILARITY})`);
    reasons.push(sql`case when ${similarity} >= ${NAME_SIMILARITY} then 'name' end`);
  }
  if (ors.length === 0) return [];
  const { rows } = await sql<Record<string, unknown>>`
    select ${selectColumns(schema, [...schema.def.titleFields, ...(schema.def.subtitleFields ?? [])])},
      array_remove(array[${sql.join(reasons)}], null) as _reasons, ${similarity} as _similarity
    from ${records.scopedRelation(ctx, object)} t
    where (${sql.join(ors, sql` or `)})
      ${excludeId ? sql`and t.id <> ${excludeId}::uuid` : sql``}
    limit ${LIMIT}`.execute(tx);
  return rows.map((row) => {
    const r = presentRow(schema, row);
    const why = row._reasons as Duplicate['reasons'];
    const title = schema.def.titleFields
      .map((f) => r[f])
      .filter(Boolean)
      .join(' ');
    const subtitle =
      (schema.def.subtitleFields ?? [])
        .map((f) => r[f])
        .filter(Boolean)
        .join(' ') || null;
    return {
      object,
      id: r.id as string,
      title: title || (r.email as string) || '',
      subtitle,
      reasons: why,
      score: why.some((x) => x !== 'name') ? 1 : Math.round(Number(row._similarity) * 100) / 100,
    };
  });
}

/**
 * Records the caller can see that look like `body` (a record about to be created, same
 * shape as the create body): same email (also among other emails), same phone (E.164,
 * also among other phones), same company domain, or a name at least 60 % similar
 * (trigrams, accents and case ignored). Best matches first.
 */
export async function findDuplicates(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
  body: unknown,
  excludeId?: string,
): Promise<Duplicate[]> {
  const targets = DUPLICATE_TARGETS[object];
  if (!targets) throw new AppError('route_not_found', `No duplicate detection for ${object}`);
  const ctx = await records.context(tx, actor, object, 'read');
  const input = validateInput(ctx.schema, body, 'update');
  if (input.errors.length) {
    throw new AppError('validation_failed', `Invalid ${ctx.schema.def.singular}`, { errors: input.errors });
  }
  const values: RecordData = { ...input.custom };
  for (const [f, v] of input.builtin) values[f.name] = v;
  const probe = probeOf(object, values);
  const found: Duplicate[] = [];
  for (const t of targets)
    found.push(...(await matchesIn(tx, records, ctx, t, probe, t === object ? excludeId : undefined)));
  return found.sort((a, b) => b.score - a.score || b.reasons.length - a.reasons.length).slice(0, LIMIT);
}

/** Duplicates of a stored record (itself left out). */
export async function duplicatesOf(tx: Tx, records: RecordService, actor: Actor, object: string, id: string) {
  if (!DUPLICATE_TARGETS[object]) throw new AppError('route_not_found', `No duplicate detection for ${object}`);
  const record = await records.get(tx, actor, object, id);
  const probe: RecordData = {};
  for (const k of ['email', 'phone', 'domain', 'name', 'firstName', 'lastName'])
    if (record[k] != null) probe[k] = record[k];
  return findDuplicates(tx, records, actor, object, probe, id);
}
