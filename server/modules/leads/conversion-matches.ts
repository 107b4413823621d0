import { type RawBuilder, sql } from 'kysely';
import type { z } from 'zod';
import type { ConversionMatchSchema, ConversionReason } from '../../../common/contracts/sales';
import type { Tx } from '../../platform/db/database';
import type { ObjectSchema } from '../../platform/records/object-schema';
import type { RecordContext, RecordData, RecordService } from '../../platform/records/records.service';
import { companyKey, domainAndParents, emailDomain, hostOf, nameSimilarity } from '../duplicates';

export type ConversionMatch = z.infer<typeof ConversionMatchSchema>;
type Reason = z.infer<typeof ConversionReason>;

/** A match at least this sure is linked without asking. */
export const STRONG_MATCH = 0.8;
/** Normalised names at least this similar (trigrams, 0–1) are listed as possible matches. */
export const SIMILAR_NAME = 0.5;
/** Candidates read per lead: the prefilter is indexed, the scoring is done here. */
const CANDIDATES = 50;
const LISTED = 5;

/** How much each piece of evidence weighs (combined as independent evidence: 1 − Π(1 − w)). */
const WEIGHT: Record<Exclude<Reason, 'similar_name'>, number> = {
  domain: 0.95,
  website: 0.9,
  name: 0.9,
  email_domain: 0.85,
  email: 1,
};
/** A similar (not equal) name alone is never strong: at most 0.7. */
const SIMILAR_WEIGHT = 0.7;

/** What of a lead identifies its company. */
export interface CompanyProbe {
  /** The lead's own domain and website host, with their parent domains. */
  domains: string[];
  /** The domain of the lead's (business) email, with its parents. */
  emailDomains: string[];
  /** The normalised company name ("" when none). */
  key: string;
}

export function companyProbe(lead: RecordData): CompanyProbe {
  const own = new Set<string>();
  for (const v of [lead.domain, lead.website]) {
    const host = typeof v === 'string' && v ? hostOf(v) : null;
    if (host) for (const d of domainAndParents(host)) own.add(d);
  }
  const mail = typeof lead.email === 'string' ? emailDomain(lead.email) : null;
  const emailDomains = mail ? domainAndParents(mail).filter((d) => !own.has(d)) : [];
  const company = typeof lead.company === 'string' ? lead.company : '';
  return { domains: [...own], emailDomains, key: company ? companyKey(company) : '' };
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The accounts the caller can see that a lead's company may be, best first: same
 * domain (the lead's domain or website against the account's domain or website), the
 * lead's business email at the account's domain or website, the same name once case,
 * accents, punctuation and legal forms are ignored ("Dubuque, Inc." = "DuBuque Inc"), or
 * a similar name (trigrams ≥ 0.5, never strong alone). Evidence on a field the caller's
 * role hides is not used. Candidates come from indexes (domain, website host, trigram
 * search text); scoring happens here.
 */
export async function accountMatches(
  tx: Tx,
  records: RecordService,
  ctx: RecordContext,
  lead: RecordData,
): Promise<ConversionMatch[]> {
  if (!ctx.policy.can('accounts', 'read')) return [];
  const schema = ctx.schemas.get('accounts') as ObjectSchema;
  const sees = (f: string) => !!schema?.field(f);
  const probe = companyProbe(lead);
  const allDomains = [...probe.domains, ...probe.emailDomains];
  const ors: RawBuilder<unknown>[] = [];
  if (allDomains.length && sees('domain')) ors.push(sql`t.domain = any(${allDomains}::text[])`);
  if (allDomains.length && sees('website')) {
    ors.push(sql`(t.website is not null and rapport_url_host(t.website) = any(${allDomains}::text[]))`);
  }
  // The trigram index on search_text (name and domain) finds names that share words with the key.
  if (probe.key.length >= 2 && sees('name')) ors.push(sql`${probe.key} <% t.search_text`);
  if (ors.length === 0) return [];
  const { rows } = await sql<{ id: string; name: string; domain: string | null; website: string | null }>`
    select t.id, t.name, t.domain, t.website from ${records.scopedRelation(ctx, 'accounts')} t
    where ${sql.join(ors, sql` or `)}
    order by t.created_at, t.id limit ${CANDIDATES}`.execute(tx);
  const out: ConversionMatch[] = [];
  for (const row of rows) {
    const reasons: Reason[] = [];
    let miss = 1;
    const add = (r: Reason, w: number) => {
      reasons.push(r);
      miss *= 1 - w;
    };
    const domain = sees('domain') ? row.domain : null;
    const site = sees('website') && row.website ? hostOf(row.website) : null;
    const hosts = [domain, site].filter((h): h is string => !!h);
    if (domain && probe.domains.includes(domain)) add('domain', WEIGHT.domain);
    else if (site && probe.domains.includes(site)) add('website', WEIGHT.website);
    if (hosts.some((h) => probe.emailDomains.includes(h))) add('email_domain', WEIGHT.email_domain);
    if (probe.key && sees('name')) {
      const key = companyKey(row.name);
      if (key === probe.key) add('name', WEIGHT.name);
      else {
        const similarity = nameSimilarity(key, probe.key);
        if (similarity >= SIMILAR_NAME) add('similar_name', SIMILAR_WEIGHT * similarity);
      }
    }
    if (reasons.length === 0) continue;
    const score = round(1 - miss);
    out.push({
      id: row.id,
      title: sees('name') ? row.name : (domain ?? ''),
      subtitle: domain,
      reasons,
      score,
      strong: score >= STRONG_MATCH,
    });
  }
  // A stable sort: among equal scores the oldest account (rows are read oldest first) comes first.
  return out.sort((a, b) => b.score - a.score).slice(0, LISTED);
}

/** The contacts the caller can see with the lead's email (as their email or one of their other emails), oldest first. */
export async function contactMatches(
  tx: Tx,
  records: RecordService,
  ctx: RecordContext,
  lead: RecordData,
): Promise<ConversionMatch[]> {
  const email = typeof lead.email === 'string' ? lead.email : '';
  if (!email || !ctx.policy.can('contacts', 'read')) return [];
  const schema = ctx.schemas.get('contacts') as ObjectSchema;
  if (!schema?.field('email')) return [];
  const other = schema.field('emails') ? sql`or t.emails @> ${JSON.stringify([{ value: email }])}::jsonb` : sql``;
  const { rows } = await sql<Record<string, unknown>>`
    select t.id, t.first_name, t.last_name, t.email from ${records.scopedRelation(ctx, 'contacts')} t
    where (t.email = ${email} ${other}) order by t.created_at, t.id limit ${LISTED}`.execute(tx);
  return rows.map((r) => ({
    id: r.id as string,
    title:
      [schema.field('firstName') ? r.first_name : null, schema.field('lastName') ? r.last_name : null]
        .filter((v) => typeof v === 'string' && v)
        .join(' ') || (r.email as string),
    subtitle: (r.email as string | null) ?? null,
    reasons: ['email'],
    score: WEIGHT.email,
    strong: true,
  }));
}
