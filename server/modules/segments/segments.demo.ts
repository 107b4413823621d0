import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { addMembers } from './segments.service';

/**
 * The demo workspace's segments, once (when it has none): a dynamic "Contacts in
 * Germany", two on behaviour (pricing visitors, engaged leads: their visits come from the
 * scoring demo) and a static "VIP list" of a few contacts. Runs after the demo module.
 */
export async function seedSegmentsDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const actor: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
  await database.tenant(ws, async (tx) => {
    const existing = await records.list(tx, actor, 'segments', { limit: 1, fields: 'id' });
    if (existing.data.length > 0) return;
    await records.create(tx, actor, 'segments', {
      name: 'Contacts in Germany',
      description: 'Everyone whose address (or whose account’s) is in Germany: always current, no rebuild.',
      object: 'contacts',
      // Demo contacts have no address of their own: their account's counts too.
      filter: {
        or: [
          { field: 'address.country', op: 'eq', value: 'DE' },
          { field: 'account.address.country', op: 'eq', value: 'DE' },
        ],
      },
    });
    await records.create(tx, actor, 'segments', {
      name: 'Decision makers',
      object: 'contacts',
      filter: {
        or: [
          { field: 'title', op: 'contains', value: 'CEO' },
          { field: 'title', op: 'contains', value: 'Head' },
          { field: 'title', op: 'contains', value: 'Director' },
        ],
      },
    });
    // Behaviour: the scoring demo gives the first leads a few weeks of visits and form fills.
    await records.create(tx, actor, 'segments', {
      name: 'Pricing page visitors (30 days)',
      description: 'Leads who looked at pricing in the last 30 days and have not been disqualified.',
      object: 'leads',
      filter: {
        and: [
          { field: '@visited', op: 'startsWith', value: { page: '/pricing', days: 30 } },
          { not: { field: 'status', op: 'eq', value: 'disqualified' } },
        ],
      },
    });
    await records.create(tx, actor, 'segments', {
      name: 'Engaged on the website or by email',
      description: 'Filled in any form, downloaded a paper, or opened or clicked a campaign email in the last 30 days.',
      object: 'leads',
      filter: {
        or: [
          { field: '@submittedForm', op: 'isNotEmpty', value: { days: 30 } },
          { field: '@visited', op: 'isNotEmpty', value: { kind: 'download', days: 30 } },
          { field: '@emailEngaged', op: 'isNotEmpty', value: { days: 30 } },
        ],
      },
    });
    const vip = await records.create(tx, actor, 'segments', {
      name: 'VIP list',
      description: 'Hand-picked: invited to the customer advisory board.',
      object: 'contacts',
      type: 'static',
    });
    const picks = await records.list(tx, actor, 'contacts', { limit: 5, fields: 'id', sort: 'createdAt' });
    if (picks.data.length) {
      await addMembers(
        tx,
        actor,
        records,
        vip.id as string,
        picks.data.map((r) => r.id as string),
      );
    }
  });
  log.info({ workspaceId: ws }, 'seeded the demo segments');
  return null;
}
