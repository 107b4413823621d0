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
import { companyKey } from './company-names';

/** Objects with duplicate detection, and the objects each is compared with. */
export const DUPLICATE_TARGETS: Record<string, string[]> = {
  contacts: ['contacts'],
  accounts: ['accounts'],
  leads: ['leads', 'contacts'],
};

/** Names at least this similar (pg_trgm, 0–1) are compared. */
export const NAME_SIMILARITY = 0.6;
/** Candidates at least this sure are reported. */
export const REPORTED = 0.5;
/** Candidates at least this sure are offered with a one-click merge. */
export const STRONG_DUPLICATE = 0.85;
/** A phone on this many records or more (the one checked included) is a switchboard: weak evidence. */
export const SWITCHBOARD = 3;
/**
 * How much each piece of evidence weighs (combined as independent evidence: 1 − Π(1 − w)).
 * A phone weighs less the more records share it; a person's name is never enough alone
 * (two people can share one), a company's normalised name nearly is.
 */
const WEIGHT = {
  email: 1,
  domain: 1,
  phone: 0.6,
  sharedPhone: 0.15,
  personName: 0.7,
  companyName: 0.9,
};
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

/** How many other live records the caller can see in `objects` hold `phone` (as phone or among other phones), up to SWITCHBOARD. */
async function phoneHolders(
  tx: Tx,
  records: RecordService,
  ctx: RecordContext,
  objects: string[],
  phone: string,
  exclude: string | undefined,
): Promise<number> {
  let n = 0;
  for (const object of objects) {
    const m = phoneMatch(ctx, object, phone);
    if (!m || n >= SWITCHBOARD) continue;
    const { rows } = await sql<{
      n: string;
    }>`select count(*) as n from (select 1 from ${records.scopedRelation(ctx, object)} t
      where ${m} ${exclude ? sql`and t.id <> ${exclude}::uuid` : sql``} limit ${SWITCHBOARD}) x`.execute(tx);
    n += Number(rows[0]?.n ?? 0);
  }
  return Math.min(n, SWITCHBOARD);
}

/** The caller sees `field` of `object` as a built-in field. */
const sees = (ctx: RecordContext, object: string, field: string) => {
  const f = (ctx.schemas.get(object) as ObjectSchema | undefined)?.field(field);
  return !!f && !f.custom;
};

function phoneMatch(ctx: RecordContext, object: string, phone: string): RawBuilder<unknown> | undefined {
  if (!ctx.policy.can(object, 'read') || !sees(ctx, object, 'phone')) return undefined;
  return sees(ctx, object, 'phones')
    ? sql`(t.phone = ${phone} or t.phones @> ${JSON.stringify([{ value: phone }])}::jsonb)`
    : sql`t.phone = ${phone}`;
}

async function matchesIn(
  tx: Tx,
  records: RecordService,
  ctx: RecordContext,
  object: string,
  probe: Probe,
  excludeId: string | undefined,
  phoneHeldBy: number,
): Promise<Duplicate[]> {
  if (!ctx.policy.can(object, 'read')) return [];
  const schema = ctx.schemas.get(object) as ObjectSchema;
  const has = (f: string) => sees(ctx, object, f);
  const ors: RawBuilder<unknown>[] = [];
  const reasons: RawBuilder<unknown>[] = [];
  if (probe.email && has('email')) {
    const m = has('emails')
      ? sql`(t.email = ${probe.email} or t.emails @> ${JSON.stringify([{ value: probe.email }])}::jsonb)`
      : sql`t.email = ${probe.email}`;
    ors.push(m);
    reasons.push(sql`case when ${m} then 'email' end`);
  }
  const phone = probe.phone ? phoneMatch(ctx, object, probe.phone) : undefined;
  if (phone) {
    ors.push(phone);
    reasons.push(sql`case when ${phone} then 'phone' end`);
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
    order by t.created_at, t.id
    limit ${LIMIT}`.execute(tx);
  const found: Duplicate[] = [];
  for (const row of rows) {
    const r = presentRow(schema, row);
    const why: Duplicate['reasons'] = [];
    let miss = 1;
    for (const reason of row._reasons as ('email' | 'phone' | 'domain' | 'name')[]) {
      if (reason === 'email' || reason === 'domain') {
        why.push(reason);
        miss *= 1 - WEIGHT[reason];
      } else if (reason === 'phone') {
        // A number many records share (a switchboard) says little about who this is.
        const shared = phoneHeldBy + 1 >= SWITCHBOARD;
        why.push(shared ? 'shared_phone' : 'phone');
        miss *= 1 - (shared ? WEIGHT.sharedPhone : WEIGHT.phone);
      } else {
        why.push('name');
        const sameCompany =
          object === 'accounts' && !!probe.name && companyKey(String(r.name ?? '')) === companyKey(probe.name);
        miss *= 1 - (sameCompany ? WEIGHT.companyName : WEIGHT.personName * Number(row._similarity));
      }
    }
    const score = Math.round((1 - miss) * 100) / 100;
    if (score < REPORTED) continue;
    const title = schema.def.titleFields
      .map((f) => r[f])
      .filter(Boolean)
      .join(' ');
    const subtitle =
      (schema.def.subtitleFields ?? [])
        .map((f) => r[f])
        .filter(Boolean)
        .join(' ') || null;
    found.push({
      object,
      id: r.id as string,
      title: title || (r.email as string) || '',
      subtitle,
      reasons: why,
      score,
      strong: score >= STRONG_DUPLICATE,
    });
  }
  return found;
}

/**
 * Records the caller can see that look like `body` (a record about to be created, same
 * shape as the create body), with a score and the reasons: same email (also among other
 * emails), same phone (E.164, also among other phones; `shared_phone` and little weight
 * when SWITCHBOARD or more records hold it), same company domain, or a name at least 60 %
 * similar (trigrams, accents and case ignored; a company's name without legal form weighs
 * more than a person's). Only candidates scoring REPORTED or more; `strong` from
 * STRONG_DUPLICATE. Best matches first.
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
  const phoneHeldBy = probe.phone ? await phoneHolders(tx, records, ctx, targets, probe.phone, excludeId) : 0;
  const found: Duplicate[] = [];
  for (const t of targets)
    found.push(...(await matchesIn(tx, records, ctx, t, probe, t === object ? excludeId : undefined, phoneHeldBy)));
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
