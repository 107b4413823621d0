import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import { createTemplate, type getTemplate } from '../../platform/mail/templates.service';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { SequenceService } from './sequences.service';

export const WELCOME_TEMPLATE = `<mjml>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff">
      <mj-column>
        <mj-text font-size="20px" font-weight="bold">Welcome, {{ lead.firstName | default: "there" }}</mj-text>
        <mj-text>Thanks for your interest in {{ workspace.name }}. Here is where most teams start.</mj-text>
        <mj-button href="https://example.com/getting-started">Read the getting-started guide</mj-button>
        <mj-text font-size="12px" color="#666"><a href="{{ unsubscribeUrl }}">Unsubscribe or manage your preferences</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

const CASE_STUDY = `<mjml>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff">
      <mj-column>
        <mj-text>Hello {{ lead.firstName | default: "there" }}, how a 40-person sales team cut its forecast error in half:</mj-text>
        <mj-button href="https://example.com/case-study">Read the case study</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

async function template(
  tx: Parameters<typeof getTemplate>[0],
  actor: Actor,
  name: string,
  subject: string,
  html: string,
) {
  const found = await sql<{ id: string }>`select id from mail_templates where name = ${name}`.execute(tx);
  if (found.rows[0]) return found.rows[0].id;
  return (await createTemplate(tx, actor, { name, subject, html, text: '', format: 'mjml' })).id;
}

/**
 * The demo workspace's welcome sequence, switched on: every new lead (a web form's, an
 * import's, one typed in) gets the welcome email at once, a case study three days later
 * unless they engaged, and their owner a call task when they opened or clicked.
 */
export async function seedSequencesDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const actor: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
  const ids = await database.tenant(ws, async (tx) => {
    const existing = await sql`select 1 from sequences limit 1`.execute(tx);
    if (existing.rows.length > 0) return null;
    return {
      welcome: await template(tx, actor, 'Welcome (nurture)', 'Welcome to {{ workspace.name }}', WELCOME_TEMPLATE),
      caseStudy: await template(
        tx,
        actor,
        'Case study (nurture)',
        'How a sales team halved its forecast error',
        CASE_STUDY,
      ),
    };
  });
  if (!ids) return null;
  await new SequenceService({ database, records }).create(actor, {
    name: 'Welcome new leads',
    description: 'Every new lead: a welcome email, then a case study or a call from their owner.',
    object: 'leads',
    enrolment: { newRecords: true, segmentId: null },
    exitOn: ['replied', 'unsubscribed', 'meeting_booked', 'converted', 'left_segment'],
    active: true,
    steps: [
      { id: 'welcome', type: 'campaign_email', templateId: ids.welcome },
      { id: 'pause', type: 'wait', amount: 3, unit: 'days' },
      {
        id: 'engaged',
        type: 'branch',
        condition: { field: '@emailEngaged', op: 'isNotEmpty', value: { days: 3 } },
        yes: [
          {
            id: 'call',
            type: 'create_task',
            title: 'Call {{ record.firstName }}: opened the welcome email',
            dueInDays: 1,
          },
        ],
        no: [{ id: 'case-study', type: 'campaign_email', templateId: ids.caseStudy }],
      },
    ],
  });
  log.info({ workspaceId: ws }, 'seeded the demo welcome sequence');
  return null;
}
