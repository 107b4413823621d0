import { sql } from 'kysely';
import type { ArticleSuggestion } from '../../../common/contracts/knowledge';
import type { Actor } from '../../platform/auth/actor';
import type { Database } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';
import { search } from '../../platform/records/search.service';
import { excerpt } from './markdown';
import { ensureServiceSettings, helpCentreUrl } from './service-settings';

/**
 * Published articles for a text (a ticket's subject, a chat's first message), best first,
 * as the caller may read them (agents see internal ones too). Title and excerpt are the
 * published version's; `url` is the help centre page of a public article.
 */
export async function suggestArticles(
  database: Database,
  records: RecordService,
  baseUrl: string,
  actor: Actor,
  q: string,
  limit: number,
): Promise<ArticleSuggestion[]> {
  const settings = await ensureServiceSettings(database, actor.workspaceId);
  return database.tenantRead(actor.workspaceId, async (tx) => {
    const hits = await search(tx, records, actor, q, { objects: ['articles'], limit: 50 });
    if (hits.length === 0) return [];
    const { data } = await records.list(tx, actor, 'articles', {
      filter: {
        and: [
          { field: 'id', op: 'in', value: hits.map((h) => h.id) },
          { field: 'status', op: 'eq', value: 'published' },
          { field: 'publishedVersion', op: 'isNotEmpty' },
        ],
      },
      fields: 'id,slug,visibility,locale,publishedVersion',
      limit: 50,
    });
    if (data.length === 0) return [];
    const { rows: versions } = await sql<{ article_id: string; title: string; body: string }>`
      select v.article_id, v.title, v.body from article_versions v
      join unnest(${data.map((r) => r.id as string)}::uuid[], ${data.map((r) => Number(r.publishedVersion))}::int[])
        as p(id, version) on v.article_id = p.id and v.version = p.version`.execute(tx);
    const byId = new Map(versions.map((v) => [v.article_id, v]));
    const rank = new Map(hits.map((h, i) => [h.id, i]));
    const base = helpCentreUrl(baseUrl, settings.help_centre_slug);
    return data
      .filter((r) => byId.has(r.id as string))
      .sort((a, b) => (rank.get(a.id as string) ?? 0) - (rank.get(b.id as string) ?? 0))
      .slice(0, limit)
      .map((r) => {
        const v = byId.get(r.id as string) as { title: string; body: string };
        const isPublic = r.visibility === 'public';
        const locale = (r.locale as string | null) ?? 'en';
        return {
          id: r.id as string,
          title: v.title,
          slug: (r.slug as string | null) ?? null,
          visibility: isPublic ? 'public' : 'internal',
          excerpt: excerpt(v.body, 200),
          url:
            isPublic && settings.help_centre_enabled && r.slug
              ? `${base}/articles/${encodeURIComponent(r.slug as string)}${locale === 'en' ? '' : `?lang=${locale}`}`
              : null,
        };
      });
  });
}
