import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Actor } from '../../platform/auth/actor';
import { createTemplate } from '../../platform/mail/templates.service';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { addMembers } from './members.service';

export const DEMO_TEMPLATE = `<mjml>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff">
      <mj-column>
        <mj-text font-size="20px" font-weight="bold">Spring webinar: forecasting that sales trusts</mj-text>
        <mj-text>Hello {{ contact.firstName | default: "there" }},</mj-text>
        <mj-text>Join us on 14 April for 45 minutes on pipeline hygiene and honest forecasts.</mj-text>
        <mj-button href="https://example.com/webinar/spring">Save my seat</mj-button>
        <mj-text font-size="12px" color="#666">{{ workspace.name }} · <a href="{{ unsubscribeUrl }}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

/**
 * The demo workspace's campaigns, once (when it has none): an email campaign "Spring
 * webinar" (budget and cost, an MJML template, a sender identity, the first contacts as
 * members, two leads and an opportunity it brought) and a planned event campaign under it.
 * Nothing is sent: the demo shows what a send would do (the send dialog's skip counts).
 */
export async function seedCampaignsDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const actor: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
  const seeded = await database.tenant(ws, async (tx) => {
    const existing = await records.list(tx, actor, 'campaigns', { limit: 1, fields: 'id' });
    if (existing.data.length > 0) return false;
    const spring = await records.create(tx, actor, 'campaigns', {
      name: 'Spring webinar',
      type: 'email',
      status: 'active',
      startDate: '2026-03-01',
      endDate: '2026-04-30',
      budget: { amount: '2500', currency: 'EUR' },
      actualCost: { amount: '1800', currency: 'EUR' },
      notes: 'Invitations to the April forecasting webinar; follow-up by the sales team.',
    });
    const fair = await records.create(tx, actor, 'campaigns', {
      name: 'Trade fair Berlin',
      type: 'event',
      status: 'planned',
      startDate: '2026-06-10',
      endDate: '2026-06-12',
      budget: { amount: '12000', currency: 'EUR' },
      parentId: spring.id,
    });
    await sql`insert into mail_senders (workspace_id, id, from_name, from_address, reply_to, is_default)
      values (${ws}::uuid, ${uuidv7()}::uuid, 'Rapport Demo Marketing', 'marketing@demo.rapport.local',
        'hello@demo.rapport.local', true)
      on conflict do nothing`.execute(tx);
    await createTemplate(tx, actor, {
      name: 'Spring webinar invitation',
      subject: 'Spring webinar: forecasting that sales trusts, {{ contact.firstName | default: "friend" }}',
      html: DEMO_TEMPLATE,
      text: '',
      format: 'mjml',
    }).catch(() => undefined);
    const contacts = await records.list(tx, actor, 'contacts', { limit: 12, fields: 'id', sort: 'createdAt' });
    if (contacts.data.length) {
      await addMembers(tx, actor, records, spring.id as string, {
        contactIds: contacts.data.map((r) => r.id as string),
      });
    }
    // The fair's invitations go to whoever is in Germany, now and later (a synced segment).
    const germany = await records.list(tx, actor, 'segments', {
      limit: 1,
      fields: 'id',
      filter: { field: 'name', op: 'eq', value: 'Contacts in Germany' },
    });
    const germanyId = germany.data[0]?.id as string | undefined;
    if (germanyId) await addMembers(tx, actor, records, fair.id as string, { segmentId: germanyId, sync: true });
    const leads = await records.list(tx, actor, 'leads', { limit: 2, fields: 'id', sort: 'createdAt' });
    for (const l of leads.data) {
      await records.update(tx, actor, 'leads', l.id as string, { sourceCampaignId: spring.id });
    }
    const opps = await records.list(tx, actor, 'opportunities', {
      limit: 1,
      fields: 'id',
      filter: { field: 'status', op: 'eq', value: 'won' },
    });
    for (const o of opps.data) {
      await records.update(tx, actor, 'opportunities', o.id as string, { sourceCampaignId: spring.id });
    }
    return true;
  });
  if (seeded) log.info({ workspaceId: ws }, 'seeded the demo campaigns');
  return null;
}
