import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { likeEscape } from '../../platform/records/query';
import type { RecordService } from '../../platform/records/records.service';

/**
 * Tags in use, most used first, for autocomplete: over the records of `object` (or of
 * every object) the caller can see, optionally starting with `q`.
 */
export async function suggestTags(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  opts: { object?: string; q?: string; limit?: number },
): Promise<{ tag: string; count: number }[]> {
  const names = opts.object ? [opts.object] : records.registry.all().map((o) => o.name);
  if (opts.object && !records.registry.get(opts.object)) {
    throw new AppError('validation_failed', `No object "${opts.object}"`, {
      errors: [{ path: 'object', message: 'unknown object' }],
    });
  }
  const prefix = `${likeEscape((opts.q ?? '').trim().toLowerCase())}%`;
  const parts: RawBuilder<unknown>[] = [];
  for (const name of names) {
    const ctx = await records.context(tx, actor, name);
    if (!ctx.policy.can(name, 'read') || !ctx.schema.field('tags')) continue;
    parts.push(sql`select tag from ${records.scopedRelation(ctx, name)} t, unnest(t.tags) as tag
      where tag like ${prefix}`);
  }
  if (parts.length === 0) return [];
  const { rows } = await sql<{ tag: string; count: number }>`
    select tag, count(*)::int as count from (${sql.join(parts, sql` union all `)}) x
    group by tag order by count(*) desc, tag limit ${Math.min(opts.limit ?? 20, 100)}`.execute(tx);
  return rows;
}
