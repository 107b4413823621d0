import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { search } from '../../platform/records/search.service';
import { excerpt } from './markdown';

/** A help centre found by its slug (service-settings.ts helpCentreBySlug). */
export interface HelpCentre {
  workspaceId: string;
  slug: string;
  title: string;
}

/** An article as the help centre shows it: its published version, never a later draft. */
export interface PublicArticle {
  id: string;
  slug: string;
  locale: string;
  categoryId: string | null;
  title: string;
  html: string;
  excerpt: string;
  helpfulCount: number;
  publishedAt: string | null;
}

export interface PublicCategory {
  id: string;
  slug: string;
  name: string;
  description: string | null;
}

const PUBLISHED_PUBLIC = {
  and: [
    { field: 'status', op: 'eq', value: 'published' },
    { field: 'visibility', op: 'eq', value: 'public' },
    { field: 'publishedVersion', op: 'isNotEmpty' },
  ],
} as const;

/**
 * The anonymous reader of one workspace's help centre: it reads through the record engine
 * like any caller, with permissions that let it see published public articles and the
 * categories only (a row rule), so a draft or internal article cannot reach a public page.
 */
export function helpCentreReader(workspaceId: string): Actor {
  return {
    kind: 'user',
    userId: null,
    workspaceId,
    role: 'help_centre_reader',
    scopes: [],
    permissions: {
      objects: {
        articles: { read: true, scope: 'all', where: PUBLISHED_PUBLIC as never },
        article_categories: { read: true, scope: 'all' },
      },
    },
  };
}

/** The help centre never lists more than this many articles on one page (home, a category). */
const MAX_ARTICLES = 500;

const ARTICLE_FIELDS = 'id,slug,locale,categoryId,publishedVersion,helpfulCount,publishedAt';

/** Attaches each article's published version (title, HTML) to the records the reader may see. */
async function withPublishedVersions(tx: Tx, rows: RecordData[]): Promise<PublicArticle[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id as string);
  const versions = rows.map((r) => Number(r.publishedVersion));
  const { rows: found } = await sql<{ article_id: string; title: string; body: string; html: string }>`
    select v.article_id, v.title, v.body, v.html
    from article_versions v
    join unnest(${ids}::uuid[], ${versions}::int[]) as p(id, version) on v.article_id = p.id and v.version = p.version`.execute(
    tx,
  );
  const byId = new Map(found.map((v) => [v.article_id, v]));
  const out: PublicArticle[] = [];
  for (const r of rows) {
    const v = byId.get(r.id as string);
    if (!v || !r.slug) continue;
    out.push({
      id: r.id as string,
      slug: r.slug as string,
      locale: (r.locale as string | null) ?? 'en',
      categoryId: (r.categoryId as string | null) ?? null,
      title: v.title,
      html: v.html,
      excerpt: excerpt(v.body),
      helpfulCount: Number(r.helpfulCount ?? 0),
      publishedAt: (r.publishedAt as string | null) ?? null,
    });
  }
  return out;
}

async function listArticles(tx: Tx, records: RecordService, reader: Actor, filter?: object, sort = 'title') {
  const { data } = await records.list(tx, reader, 'articles', {
    ...(filter ? { filter: filter as never } : {}),
    sort,
    limit: MAX_ARTICLES,
    fields: ARTICLE_FIELDS,
  });
  return withPublishedVersions(tx, data);
}

export async function listCategories(tx: Tx, records: RecordService, reader: Actor): Promise<PublicCategory[]> {
  const { data } = await records.list(tx, reader, 'article_categories', {
    sort: 'position',
    limit: 200,
    fields: 'id,slug,name,description',
  });
  return data
    .filter((c) => c.slug)
    .map((c) => ({
      id: c.id as string,
      slug: c.slug as string,
      name: c.name as string,
      description: (c.description as string | null) ?? null,
    }));
}

/** Home: the categories with their articles, and the most helpful articles. */
export async function loadHome(database: Database, records: RecordService, hc: HelpCentre) {
  const reader = helpCentreReader(hc.workspaceId);
  return database.tenantRead(hc.workspaceId, async (tx) => {
    const categories = await listCategories(tx, records, reader);
    const articles = await listArticles(tx, records, reader);
    const popular = [...articles].sort((a, b) => b.helpfulCount - a.helpfulCount || a.title.localeCompare(b.title));
    return { categories, articles, popular: popular.slice(0, 6) };
  });
}

export async function loadCategory(database: Database, records: RecordService, hc: HelpCentre, slug: string) {
  const reader = helpCentreReader(hc.workspaceId);
  return database.tenantRead(hc.workspaceId, async (tx) => {
    const category = (await listCategories(tx, records, reader)).find((c) => c.slug === slug);
    if (!category) return null;
    const articles = await listArticles(tx, records, reader, { field: 'categoryId', op: 'eq', value: category.id });
    return { category, articles };
  });
}

/** One article by its slug (English first when several locales share it, unless `lang` says which). */
export async function loadArticle(
  database: Database,
  records: RecordService,
  hc: HelpCentre,
  slug: string,
  lang?: string,
) {
  const reader = helpCentreReader(hc.workspaceId);
  return database.tenantRead(hc.workspaceId, async (tx) => {
    const found = await listArticles(tx, records, reader, { field: 'slug', op: 'eq', value: slug });
    const article = found.find((a) => a.locale === lang) ?? found.find((a) => a.locale === 'en') ?? found[0] ?? null;
    if (!article) return null;
    const category = article.categoryId
      ? ((await listCategories(tx, records, reader)).find((c) => c.id === article.categoryId) ?? null)
      : null;
    return { article, category };
  });
}

/**
 * The help centre's search: the record engine's search (accent-folded prefix full text,
 * then trigram similarity for typos) as the help centre's reader.
 */
export async function searchArticles(
  database: Database,
  records: RecordService,
  hc: HelpCentre,
  q: string,
): Promise<PublicArticle[]> {
  const reader = helpCentreReader(hc.workspaceId);
  return database.tenantRead(hc.workspaceId, async (tx) => {
    const hits = await search(tx, records, reader, q, { objects: ['articles'], limit: 20 });
    if (hits.length === 0) return [];
    const found = await listArticles(tx, records, reader, { field: 'id', op: 'in', value: hits.map((h) => h.id) });
    const rank = new Map(hits.map((h, i) => [h.id, i]));
    return found.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  });
}

export const visitorHash = (visitor: string) =>
  createHash('sha256').update(`help-centre-visitor:${visitor}`).digest('hex');

/**
 * A visitor's helpful / not helpful vote: one per visitor and article (a second vote is
 * ignored); the article's counts are recounted from the votes under a per-article lock
 * and written through the record engine. False when the article is not public.
 */
export async function vote(
  database: Database,
  records: RecordService,
  hc: HelpCentre,
  articleId: string,
  visitor: string,
  helpful: boolean,
): Promise<boolean> {
  const reader = helpCentreReader(hc.workspaceId);
  return database.tenant(hc.workspaceId, async (tx) => {
    const visible = await records.visibleIds(tx, await records.context(tx, reader, 'articles'), 'articles', [
      articleId,
    ]);
    if (!visible.has(articleId)) return false;
    await sql`select pg_advisory_xact_lock(hashtext(${`article-votes:${articleId}`}))`.execute(tx);
    const { rows: inserted } = await sql<{ helpful: boolean }>`
      insert into article_votes (workspace_id, article_id, visitor_hash, helpful)
      values (${hc.workspaceId}, ${articleId}, ${visitorHash(visitor)}, ${helpful})
      on conflict do nothing returning helpful`.execute(tx);
    if (inserted.length === 0) return true;
    const { rows } = await sql<{ yes: number; no: number }>`
      select count(*) filter (where helpful)::int as yes, count(*) filter (where not helpful)::int as no
      from article_votes where article_id = ${articleId}`.execute(tx);
    await records.systemWrite(tx, reader, 'articles', articleId, {
      helpfulCount: rows[0]?.yes ?? 0,
      notHelpfulCount: rows[0]?.no ?? 0,
    });
    return true;
  });
}
