import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import type { FieldError } from '../../platform/http/errors';
import type { AfterWrite, BeforeWrite } from '../../platform/records/types';
import { renderMarkdown } from './markdown';
import { SLUG_PATTERN, slugify } from './slug';

const LOCALE = /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/;

/**
 * The articles' rules, run by the record engine on every create and update.
 *
 * Versions: a write that changes the title or body (or creates the article) gets the
 * next version number (`latestVersion`); afterArticleWrite stores that version with its
 * rendered HTML. Publishing: the help centre shows `publishedVersion`. It moves to the
 * latest version only when a write says `status: "published"` (a create, PATCH or
 * POST /articles/{id}/publish); an edit of a published article that does not say so is a
 * draft of the next version, and the public page keeps the version published before.
 * `status: "draft"` takes the article off the help centre.
 */
export async function beforeArticleWrite(
  tx: Tx,
  w: BeforeWrite,
): Promise<{ errors?: FieldError[]; set?: Record<string, unknown> } | undefined> {
  const { changes, before, pathPrefix } = w;
  const set: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  if (w.mode === 'create') {
    if (changes.visibility == null) set.visibility = 'internal';
    if (changes.status == null) set.status = 'draft';
    if (changes.helpfulCount == null) set.helpfulCount = 0;
    if (changes.notHelpfulCount == null) set.notHelpfulCount = 0;
  }
  if (changes.status === null)
    errors.push({ path: `${pathPrefix}status`, message: 'is required (draft or published)' });
  if (changes.visibility === null)
    errors.push({ path: `${pathPrefix}visibility`, message: 'is required (public or internal)' });
  const locale = (changes.locale !== undefined ? changes.locale : before?.locale) as string | null | undefined;
  if (locale != null && !LOCALE.test(locale))
    errors.push({ path: `${pathPrefix}locale`, message: 'must be a language code such as en, fr or pt-BR' });
  if (locale == null) set.locale = 'en';
  const slug = changes.slug as string | null | undefined;
  if (slug != null && !SLUG_PATTERN.test(slug))
    errors.push({ path: `${pathPrefix}slug`, message: 'may hold only lower-case letters, digits and dashes' });
  if (errors.length) return { errors };

  // Slugs are unique per workspace and locale: a generated one gets -2, -3…; a chosen one is refused.
  const title = (changes.title ?? before?.title) as string;
  const effectiveLocale = (locale ?? 'en') as string;
  const ownId = (before?.id as string | undefined) ?? null;
  const localeChanged = before && changes.locale !== undefined && changes.locale !== before.locale;
  if (slug != null) {
    if (await slugTaken(tx, w.actor.workspaceId, effectiveLocale, slug, ownId))
      return {
        errors: [{ path: `${pathPrefix}slug`, message: 'is already used by another article in this language' }],
      };
  } else if (w.mode === 'create' || slug === null || localeChanged) {
    const current = slug === null ? null : (before?.slug as string | null | undefined);
    if (!current || (await slugTaken(tx, w.actor.workspaceId, effectiveLocale, current, ownId)))
      set.slug = await freeSlug(tx, w.actor.workspaceId, effectiveLocale, slugify(title), ownId);
  }

  const contentChanged =
    w.mode === 'create' ||
    (changes.title !== undefined && changes.title !== before?.title) ||
    (changes.body !== undefined && (changes.body ?? null) !== (before?.body ?? null));
  const latest = ((before?.latestVersion as number | null | undefined) ?? 0) + (contentChanged ? 1 : 0);
  if (contentChanged) set.latestVersion = latest;
  if (changes.status === 'published') {
    set.publishedVersion = latest;
    set.publishedAt = new Date().toISOString();
  }
  return { set };
}

async function slugTaken(tx: Tx, ws: string, locale: string, slug: string, ownId: string | null): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    select 1 as one from articles_scoped a
    where a.workspace_id = ${ws} and a.deleted_at is null and coalesce(a.locale, 'en') = ${locale} and a.slug = ${slug}
      and (${ownId}::uuid is null or a.id <> ${ownId}::uuid)
    limit 1`.execute(tx);
  return rows.length > 0;
}

async function freeSlug(tx: Tx, ws: string, locale: string, base: string, ownId: string | null): Promise<string> {
  const { rows } = await sql<{ slug: string }>`
    select a.slug from articles_scoped a
    where a.workspace_id = ${ws} and a.deleted_at is null and coalesce(a.locale, 'en') = ${locale}
      and (a.slug = ${base} or a.slug like ${`${base}-%`})
      and (${ownId}::uuid is null or a.id <> ${ownId}::uuid)`.execute(tx);
  const taken = new Set(rows.map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Keeps the version a write produced, with its HTML rendered once (the help centre serves that). */
export async function afterArticleWrite(tx: Tx, w: AfterWrite): Promise<void> {
  const { before, after, actor } = w;
  const version = after.latestVersion as number | null;
  if (version == null || version === (before?.latestVersion ?? null)) return;
  const body = (after.body as string | null) ?? '';
  await sql`insert into article_versions (workspace_id, article_id, version, title, body, html, saved_by, saved_at)
    values (${actor.workspaceId}, ${after.id as string}, ${version}, ${after.title as string}, ${body},
      ${renderMarkdown(body)}, ${actor.userId}, now())`.execute(tx);
}

export interface ArticleVersion {
  version: number;
  title: string;
  body: string;
  savedBy: string | null;
  savedAt: string;
  published: boolean;
}

/** An article's versions, newest first (the caller has been authorised on the article). */
export async function listVersions(
  tx: Tx,
  articleId: string,
  publishedVersion: number | null,
): Promise<ArticleVersion[]> {
  const { rows } = await sql<{ version: number; title: string; body: string; saved_by: string | null; saved_at: Date }>`
    select version, title, body, saved_by, saved_at from article_versions
    where article_id = ${articleId} order by version desc limit 500`.execute(tx);
  return rows.map((r) => ({
    version: r.version,
    title: r.title,
    body: r.body,
    savedBy: r.saved_by,
    savedAt: r.saved_at.toISOString(),
    published: r.version === publishedVersion,
  }));
}
