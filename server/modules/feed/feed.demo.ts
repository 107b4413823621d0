import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { postMessage } from './feed-messages';

/**
 * A few colleague messages and a thread in the demo workspace, once (when it has no
 * message yet): the feed is not empty on the first visit. Runs after the demo module.
 */
export async function seedFeedDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql`select 1 from feed_entries where type = 'message.posted' limit 1`.execute(tx);
    if (existing.length > 0) return;
    const { rows: members } = await sql<{ user_id: string; role: string; name: string }>`
      select m.user_id, m.role, u.name from workspace_members m join users u on u.id = m.user_id
      where m.user_id <> ${demo.user_id}::uuid order by u.name limit 3`.execute(tx);
    const dana: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
    const as = (m: { user_id: string; role: string }): Actor => ({
      kind: 'user',
      userId: m.user_id,
      workspaceId: ws,
      role: m.role,
      scopes: [],
    });
    const colleague = members[0];
    const welcome = await postMessage(tx, dana, records, {
      body:
        'Welcome to the team feed! New deals, contacts and leads show up here as they happen. ' +
        (colleague ? `@[${colleague.name}](user:${colleague.user_id}) ` : '') +
        'post your wins and questions here.',
    });
    if (colleague) {
      await postMessage(tx, as(colleague), records, {
        body: 'Will do. I am logging every call this week so we do not phone anyone twice.',
        parentId: welcome.id,
      });
    }
    const opportunity = (
      await records.list(tx, dana, 'opportunities', { limit: 1, fields: 'id,name', sort: '-createdAt' })
    ).data[0];
    if (opportunity) {
      await postMessage(tx, dana, records, {
        body: `Proposal for @[${String(opportunity.name)}](opportunities:${String(opportunity.id)}) goes out on Friday. Who can review the pricing?`,
      });
    }
    const { rows: teams } = await sql<{ team_id: string }>`
      select team_id from team_members where user_id = ${demo.user_id}::uuid limit 1`.execute(tx);
    if (teams[0]) {
      await postMessage(tx, dana, records, {
        body: 'Team stand-up moves to 9:30 tomorrow.',
        teamId: teams[0].team_id,
      });
    }
  });
  log.info({ workspaceId: ws }, 'seeded the demo feed');
  return null;
}
