import { type RawBuilder, sql } from 'kysely';
import type { z } from 'zod';
import type { SearchHitSchema } from '../../../common/contracts/objects';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { AppError } from '../http/errors';
import { builtinSearchVector } from './ddl';
import { storageColumns } from './field-types';
import { loadSchemas, type ObjectSchema } from './object-schema';
import { likeEscape } from './query';
import type { RecordContext, RecordService } from './records.service';
import { columnName } from './types';

export type SearchHit = z.infer<typeof SearchHitSchema>;

/** Minimum trigram word similarity for a typo match. */
export const TYPO_THRESHOLD = 0.25;

/**
 * How many full-text matches per object are ranked, twice over: records holding the
 * words as typed (whole words), and records holding words they begin. Bounded work for
 * very common prefixes ("jo" on a million contacts) while whole-word hits — the ones a
 * user who typed a full name wants — are always among those ranked.
 */
const CANDIDATES = 200;

/** Search tokens: case- and accent-folded words, each quoted for to_tsquery and matched as a prefix. */
export function toPrefixQuery(q: string): string | null {
  return tsQuery(q, ':*');
}

/** The same tokens as whole words. */
export function toWordQuery(q: string): string | null {
  return tsQuery(q, '');
}

function tsQuery(q: string, suffix: string): string | null {
  const tokens = q
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
  if (tokens.length === 0) return null;
  return tokens.map((t) => `'${t.replace(/'/g, "''")}'${suffix}`).join(' & ');
}

const textOf = (cols: string[]) =>
  sql.join(
    cols.map((c) => sql`coalesce(${sql.ref(`t.${c}`)}::text, '')`),
    sql` || ' ' || `,
  );

/**
 * Search across objects: full-text prefix matching ("as you type") ranked by
 * weight; when nothing matches as typed, trigram word similarity for typos.
 * Accent- and case-insensitive.
 */
export async function search(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  q: string,
  opts: { objects?: string[]; limit?: number } = {},
): Promise<SearchHit[]> {
  const limit = opts.limit ?? 20;
  const schemas = await loadSchemas(tx, records.registry);
  const names = opts.objects?.length ? [...new Set(opts.objects)] : [...schemas.keys()];
  for (const n of names) {
    if (!schemas.has(n))
      throw new AppError('validation_failed', `Unknown object ${n}`, {
        errors: [{ path: 'objects', message: `unknown object "${n}"` }],
      });
  }
  const tsq = toPrefixQuery(q);
  if (!tsq) return [];
  const hits: SearchHit[] = [];
  for (const name of names) {
    // Objects the role may not read are skipped; scope and hidden fields apply to the rest.
    const ctx = await records.context(tx, actor, name);
    if (!ctx.policy.can(name, 'read')) continue;
    const full = ctx.full.get(name) as ObjectSchema;
    const hiddenCustom = full.customFields.filter((f) => !ctx.schema.field(f.name)).map((f) => f.name);
    const found = hidesSearchedField(ctx.schema)
      ? await searchVisibleColumns(tx, ctx, q, limit)
      : await searchObject(tx, ctx.schema, q, tsq, limit, ctx.visible(name, 't'), hiddenCustom);
    hits.push(...found);
  }
  return hits.sort((a, b) => b.score - a.score || a.title.localeCompare(b.title)).slice(0, limit);
}

/**
 * True when the role cannot see a built-in field that feeds the search index or is
 * shown in a hit (title, subtitle): matching or showing it would leak its value.
 * (Hidden custom fields are handled by searchObject's re-check.)
 */
function hidesSearchedField(schema: ObjectSchema): boolean {
  const visible = new Set(schema.fields().map((f) => f.def.name));
  return (
    schema.def.fields.some((f) => (f.search || f.fuzzy) && !visible.has(f.name)) ||
    schema.def.titleFields.some((f) => !visible.has(f)) ||
    (schema.def.subtitleFields ?? []).some((f) => !visible.has(f))
  );
}

/**
 * Search for roles with hidden searchable fields: every word must prefix a visible
 * searchable field. Not index-assisted; such roles are rare and scoped.
 */
async function searchVisibleColumns(tx: Tx, ctx: RecordContext, q: string, limit: number): Promise<SearchHit[]> {
  const schema = ctx.schema;
  const def = schema.def;
  const visible = new Set(schema.fields().map((f) => f.def.name));
  const cols = def.fields
    .filter((f) => (f.search || f.fuzzy) && visible.has(f.name) && storageColumns(f).length === 1)
    .map((f) => columnName(f.name));
  const words = q
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}@.]+/u)
    .filter(Boolean)
    .slice(0, 8);
  if (cols.length === 0 || words.length === 0) return [];
  const titleCols = def.titleFields.filter((f) => visible.has(f)).map(columnName);
  const subCols = (def.subtitleFields ?? []).filter((f) => visible.has(f)).map(columnName);
  const conds = words.map(
    (w) =>
      sql`(${sql.join(
        cols.map((c) => sql`lower(rapport_unaccent(coalesce(t.${sql.ref(c)}, ''))) like ${`${likeEscape(w)}%`}`),
        sql` or `,
      )})`,
  );
  const extra = ctx.visible(def.name, 't');
  const { rows } = await sql<{ id: string; title: string; subtitle: string | null }>`
    select t.id, trim(${titleCols.length ? textOf(titleCols) : sql`''`}) as title,
      ${subCols.length ? sql`nullif(trim(${textOf(subCols)}), '')` : sql`null`} as subtitle
    from ${sql.table(`${def.table}_scoped`)} t
    where t.deleted_at is null and ${sql.join(conds, sql` and `)} ${extra ? sql`and ${extra}` : sql``}
    order by t.id limit ${limit}`.execute(tx);
  return rows.map((r) => ({ object: def.name, ...r, title: r.title || r.subtitle || '(untitled)', score: 1 }));
}

async function searchObject(
  tx: Tx,
  schema: ObjectSchema,
  q: string,
  tsq: string,
  limit: number,
  visible: RawBuilder<unknown> | undefined,
  hiddenCustom: string[] = [],
): Promise<SearchHit[]> {
  const def = schema.def;
  const view = sql.table(`${def.table}_scoped`);
  // The stored vector holds every custom field's strings: for a role with hidden custom
  // fields a match is re-checked against the vector of what it may see, so a hidden
  // field's value (or its first letters, typed as a prefix) matches nothing.
  // The ranking uses the same vector, so the order of hits says nothing of hidden values either.
  const vector =
    hiddenCustom.length === 0
      ? sql`t.search_vector`
      : sql`(${sql.raw([...builtinSearchVector(def), "''::tsvector"].join(' || '))}
          || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(t.custom - ${hiddenCustom}::text[]))), 'D'))`;
  const recheck = (tq: RawBuilder<unknown>) => (hiddenCustom.length === 0 ? sql`` : sql`and ${vector} @@ ${tq}`);
  const title = textOf(def.titleFields.map(columnName));
  const subtitle = def.subtitleFields?.length ? textOf(def.subtitleFields.map(columnName)) : sql`null`;
  // 1. Full-text matches, ranked: whole-word and prefix hits on names first.
  const matching = (tq: RawBuilder<unknown>) => sql`
      select t.id from ${view} t
      where t.deleted_at is null and t.search_vector @@ ${tq} ${recheck(tq)} ${visible ? sql`and ${visible}` : sql``}
      limit ${CANDIDATES}`;
  const { rows: fts } = await sql<{ id: string; title: string; subtitle: string | null; score: number }>`
    with query as (select to_tsquery('simple', ${tsq}) as tq, lower(rapport_unaccent(${q})) as norm),
    ids as (
      (${matching(sql`to_tsquery('simple', ${toWordQuery(q) ?? tsq})`)})
      union
      (${matching(sql`to_tsquery('simple', ${tsq})`)})),
    candidates as (
      select t.id, ${vector} as search_vector, t.search_text, ${title} as title, ${subtitle} as subtitle
      from ${view} t
      where t.id in (select id from ids))
    select c.id, trim(c.title) as title, nullif(trim(c.subtitle), '') as subtitle,
      (1 + ts_rank(c.search_vector, query.tq) + word_similarity(query.norm, c.search_text))::float8 as score
    from candidates c, query
    order by score desc, c.id
    limit ${limit}`.execute(tx);
  const out = fts.map((r) => ({ object: def.name, ...r, title: r.title || r.subtitle || '(untitled)' }));
  // Typo matching only when nothing matched as typed: fuzzy hits would drown exact ones.
  if (out.length > 0) return out;
  // 2. Typos: trigram word similarity on names and emails, for what full text missed.
  // pg_trgm's default threshold (0.6) misses swapped letters ("Durnad"); TYPO_THRESHOLD catches
  // them, still through the trigram index, and they rank below full-text hits.
  await sql`select set_config('pg_trgm.word_similarity_threshold', ${String(TYPO_THRESHOLD)}, true)`.execute(tx);
  const { rows: fuzzy } = await sql<{ id: string; title: string; subtitle: string | null; score: number }>`
    with query as (select to_tsquery('simple', ${tsq}) as tq, lower(rapport_unaccent(${q})) as norm)
    select t.id, trim(${title}) as title, nullif(trim(${subtitle}), '') as subtitle,
      word_similarity(query.norm, t.search_text)::float8 as score
    from ${view} t, query
    where t.deleted_at is null and query.norm <% t.search_text and not (t.search_vector @@ query.tq)
      ${visible ? sql`and ${visible}` : sql``}
    order by score desc, t.id
    limit ${limit}`.execute(tx);
  return [...fuzzy.map((r) => ({ object: def.name, ...r, title: r.title || r.subtitle || '(untitled)' }))];
}
