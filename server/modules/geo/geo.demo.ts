import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { addCampaignMembers } from '../campaigns';
import { DEMO_EMAIL } from '../demo';
import { insertRun, runGeocoding } from './geo-runs';
import { replaceAll } from './territories';

/** A rectangle [west, south, east, north] as a GeoJSON polygon. */
const box = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

/**
 * Territories, once: "Greater Paris" drawn on the map (ranked first), "DACH" and
 * "Americas" by country, each with the demo's sales team for it; the demo's records are
 * placed in them at once.
 */
async function seedTerritories(deps: DemoDeps, ws: string): Promise<void> {
  const { database, records } = deps;
  const created = await database.tenant(ws, async (tx) => {
    const { rows } = await sql<{ user_id: string; role: string }>`
      select m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
      where u.email = ${DEMO_EMAIL} and m.workspace_id = ${ws}::uuid`.execute(tx);
    const demo = rows[0];
    if (!demo) return false;
    const actor: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
    const existing = await records.list(tx, actor, 'territories', { limit: 1, fields: 'id' });
    if (existing.data.length > 0) return false;
    const { rows: teams } = await sql<{ id: string; name: string }>`select id, name from teams`.execute(tx);
    const team = (name: string) => teams.find((t) => t.name === name)?.id ?? null;
    await records.create(tx, actor, 'territories', {
      name: 'Greater Paris',
      description: 'Drawn on the map around Paris: ranked before the country territories.',
      area: { polygon: box(1.9, 48.6, 2.75, 49.05) },
      priority: 1,
      teamId: team('Sales EMEA'),
    });
    await records.create(tx, actor, 'territories', {
      name: 'DACH',
      description: 'Germany, Austria and Switzerland.',
      area: { regions: [{ country: 'DE' }, { country: 'AT' }, { country: 'CH' }] },
      priority: 10,
      teamId: team('Sales EMEA'),
    });
    await records.create(tx, actor, 'territories', {
      name: 'Americas',
      area: { regions: [{ country: 'US' }, { country: 'CA' }] },
      priority: 10,
      teamId: team('Sales Americas'),
    });
    return true;
  });
  if (created) await replaceAll(database, records, ws);
}

/**
 * A geo-targeted campaign, once: the invitation to a customer evening at the Berlin trade
 * fair for everyone within 30 km of the venue — a dynamic segment on `near`, and a campaign
 * of type geo_targeted whose members are that segment's (a snapshot taken now).
 */
async function seedGeoCampaign(deps: DemoDeps, ws: string): Promise<void> {
  const { database, records } = deps;
  await database.tenant(ws, async (tx) => {
    const { rows } = await sql<{ user_id: string; role: string }>`
      select m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
      where u.email = ${DEMO_EMAIL} and m.workspace_id = ${ws}::uuid`.execute(tx);
    const demo = rows[0];
    if (!demo || !records.registry.get('campaigns') || !records.registry.get('segments')) return;
    const actor: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
    const name = 'Trade fair Berlin: customer evening invitations';
    const existing = await records.list(tx, actor, 'campaigns', {
      limit: 1,
      fields: 'id',
      filter: { field: 'name', op: 'eq', value: name },
    });
    if (existing.data.length > 0) return;
    const segment = await records.create(tx, actor, 'segments', {
      name: 'Within 30 km of Berlin',
      description: 'Contacts whose address is within 30 km of the trade fair (Messe Berlin): always current.',
      object: 'contacts',
      filter: { field: 'address', op: 'near', value: { lat: 52.5065, lng: 13.2846, radiusKm: 30 } },
    });
    const fair = await records.list(tx, actor, 'campaigns', {
      limit: 1,
      fields: 'id',
      filter: { field: 'name', op: 'eq', value: 'Trade fair Berlin' },
    });
    const campaign = await records.create(tx, actor, 'campaigns', {
      name,
      parentId: (fair.data[0]?.id as string | undefined) ?? null,
      type: 'geo_targeted',
      status: 'planned',
      startDate: '2026-06-10',
      endDate: '2026-06-10',
      notes: 'An invitation to everyone within 30 km of the venue (the segment "Within 30 km of Berlin").',
    });
    await addCampaignMembers(tx, actor, records, campaign.id as string, { segmentId: segment.id as string });
  });
}

/**
 * The demo's addresses have coordinates at seed time (the sample accounts and contacts are
 * placed as they are made); one geocoding run over the demo workspace then places what
 * other demo steps left with a city only, so the map shows every demo customer at once and
 * the run's progress is there to see.
 */
export async function seedGeoDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records } = deps;
  const { rows } = await sql<{ workspace_id: string }>`
    select m.workspace_id from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const ws = rows[0]?.workspace_id;
  if (!ws) return null;
  const run = await database.tenant(ws, async (tx) => {
    const { rows: done } = await sql`select 1 from geo_runs limit 1`.execute(tx);
    return done.length > 0 ? null : insertRun(tx, ws);
  });
  if (run) await runGeocoding(database, records, ws, run.id);
  await seedTerritories(deps, ws);
  await seedGeoCampaign(deps, ws);
  return null;
}
