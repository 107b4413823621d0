import { sql } from 'kysely';
import type { ModuleRouteDeps } from '../../platform/modules';
import type { StreamSource } from '../../platform/notifications/notification-hub';
import { FEED_CHANNEL } from './feed.consumer';
import { feedEntry } from './feed.service';

/**
 * New feed entries (and replies), pushed on the notifications socket to each member who
 * may see them; an edited message again, as `<id>@<when>` (the hub sends each id once).
 */
export function feedStream({ database, records }: ModuleRouteDeps): StreamSource {
  return {
    name: 'feed',
    channel: FEED_CHANNEL,
    async recent(workspaceIds, since) {
      // System read across the connected workspaces (embedded mode's poll); each reader is checked in `message`.
      const { rows } = await sql<{ workspace_id: string; id: string }>`
        select workspace_id, id::text from feed_entries
        where workspace_id = any(${workspaceIds}::uuid[]) and created_at >= ${since}::timestamptz
          and created_at > now() - interval '60 seconds'
        union all
        select workspace_id, id::text || '@' || (extract(epoch from edited_at) * 1000)::bigint from feed_entries
        where workspace_id = any(${workspaceIds}::uuid[]) and edited_at >= ${since}::timestamptz
          and edited_at > now() - interval '60 seconds'`.execute(database.db);
      return rows.map((r) => ({ workspaceId: r.workspace_id, id: r.id }));
    },
    async message(actor, pushed) {
      const [id] = pushed.split('@') as [string];
      const entry = await database.tenantRead(actor.workspaceId, (tx) => feedEntry(tx, actor, records, id));
      return entry ? { type: 'feed', entry } : null;
    },
  };
}
