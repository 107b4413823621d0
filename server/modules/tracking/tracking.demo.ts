import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { getSettings, identifyVisitor, recordView } from './tracking.service';

/** What the demo leads did on the demo company's site: [path, title, kind, days ago]. */
const JOURNEYS: [string, string, 'page' | 'download', number][][] = [
  [
    ['/', 'Home', 'page', 9],
    ['/pricing', 'Pricing', 'page', 9],
    ['/files/product-brochure.pdf', 'Pricing', 'download', 9],
    ['/pricing', 'Pricing', 'page', 2],
  ],
  [
    ['/blog/crm-checklist', 'The CRM checklist', 'page', 5],
    ['/case-studies', 'Case studies', 'page', 5],
  ],
  [
    ['/', 'Home', 'page', 1],
    ['/features', 'Features', 'page', 1],
    ['/files/security-whitepaper.pdf', 'Features', 'download', 1],
    ['/demo', 'Book a demo', 'page', 0],
  ],
];

const SITE = 'https://www.example.com';

/**
 * The demo workspace's tracking key and a few leads' website visits (pages and downloads), once
 * (when the workspace has no tracking settings yet). The visitors are identified as their leads
 * like a form submission would, so their views are on the leads' pages and in the event stream.
 */
export async function seedTrackingDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const seeded = await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql`select 1 from tracking_settings where workspace_id = ${ws}::uuid`.execute(tx);
    if (existing.length > 0) return false;
    await getSettings(tx, ws, SITE);
    const admin: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
    const leads = (await records.list(tx, admin, 'leads', { limit: JOURNEYS.length, fields: 'id', sort: '-createdAt' }))
      .data;
    const now = Date.now();
    for (const [n, lead] of leads.entries()) {
      const visitorId = `demo${String(lead.id).replace(/-/g, '')}`.slice(0, 32);
      for (const [i, [path, title, kind, daysAgo]] of (JOURNEYS[n] ?? []).entries()) {
        await recordView(tx, ws, {
          visitorId,
          url: `${SITE}${path}`,
          title,
          referrer: i === 0 ? 'https://www.google.com/' : '',
          kind,
          browser: 'Chrome',
          ipHash: '',
          occurredAt: new Date(now - daysAgo * 86_400_000 - (10 - i) * 60_000),
        });
      }
      await identifyVisitor(tx, ws, visitorId, 'leads', String(lead.id), 'form');
    }
    return true;
  });
  if (seeded) log.info({ workspaceId: ws }, 'seeded the demo website visits');
  return null;
}
