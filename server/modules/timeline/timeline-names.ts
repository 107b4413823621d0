import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordContext, RecordService } from '../../platform/records/records.service';
import type { TimelineItem } from './timeline.service';

/** Records a conversion names in its event data, by key. */
const CONVERSION_LINKS: Record<string, string> = {
  accountId: 'accounts',
  contactId: 'contacts',
  opportunityId: 'opportunities',
};

/**
 * Names for the ids an event's changes and data carry (owners, accounts, converted
 * records), so a timeline never shows an id: `item.names[id]` is the record's title or the
 * member's name, or null for a record the caller may not read ("a restricted account").
 * Record titles are read through RecordService with the caller's permissions.
 */
export async function attachNames(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  ctx: RecordContext,
  items: TimelineItem[],
): Promise<void> {
  const wanted = new Map<string, Set<string>>(); // object → ids; '' = members
  const want = (object: string, id: unknown) => {
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return;
    const ids = wanted.get(object) ?? new Set<string>();
    wanted.set(object, ids);
    ids.add(id);
  };
  for (const item of items) {
    if (item.kind !== 'event' || !item.object) continue;
    const schema = ctx.full.get(item.object);
    for (const [field, pair] of Object.entries(item.changes ?? {})) {
      const def = schema?.field(field)?.def;
      if (!def) continue;
      if (def.type === 'user') for (const v of pair) want('', v);
      else if (def.type === 'relation' && def.relation?.cardinality === 'one')
        for (const v of pair) want(def.relation.object, v);
    }
    if (item.type?.endsWith('.converted'))
      for (const [key, object] of Object.entries(CONVERSION_LINKS)) want(object, item.data?.[key]);
  }
  if (wanted.size === 0) return;

  const names = new Map<string, string | null>();
  for (const [object, set] of wanted) {
    const ids = [...set];
    if (object === '') {
      // Only members of this workspace are readable; anyone else is a former member.
      const { rows } = await sql<{ id: string; name: string }>`
        select id, name from users where id = any(${ids}::uuid[])`.execute(tx);
      const found = new Map(rows.map((r) => [r.id, r.name]));
      for (const id of ids) names.set(id, found.get(id) ?? 'Former member');
      continue;
    }
    for (const id of ids) names.set(id, null);
    const titleFields = ctx.full.get(object)?.def.titleFields ?? [];
    try {
      const { data } = await records.list(tx, actor, object, {
        filter: { field: 'id', op: 'in', value: ids },
        fields: ['id', ...titleFields].join(','),
        limit: ids.length,
      });
      for (const r of data) {
        const title = titleFields
          .map((f) => r[f])
          .filter((v) => typeof v === 'string' && v.trim() !== '')
          .join(' ');
        names.set(r.id as string, title || 'Untitled');
      }
    } catch (err) {
      // A role that may not read the object, or may not see its title fields: every one is restricted.
      if (!(err instanceof AppError)) throw err;
    }
  }
  for (const item of items) {
    if (item.kind !== 'event') continue;
    const own: Record<string, string | null> = {};
    const collect = (v: unknown) => {
      if (typeof v === 'string' && names.has(v)) own[v] = names.get(v) ?? null;
    };
    for (const pair of Object.values(item.changes ?? {})) for (const v of pair) collect(v);
    for (const key of Object.keys(CONVERSION_LINKS)) collect(item.data?.[key]);
    if (Object.keys(own).length) item.names = own;
  }
}
