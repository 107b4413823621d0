import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { loadSchemas } from '../../platform/records/object-schema';
import type { FieldDef } from '../../platform/records/types';
import { appendConsent, recordGpcOptOut } from '../consents';
import { DEMO_EMAIL } from '../demo';
import { consentInput, PAGE_URL } from './form-page';
import { storeSubmission } from './form-submitter';
import { formsSecret, hashIp } from './form-tokens';
import { createForm, loadForm } from './forms.service';

const VISITORS = [
  {
    firstName: 'Nora',
    lastName: 'Lindqvist',
    email: 'nora.lindqvist@example.org',
    company: 'Fjord Analytics',
    marketing: true,
  },
  {
    firstName: 'Tomás',
    lastName: 'Ibarra',
    email: 'tomas.ibarra@example.org',
    company: 'Ibarra & Hijos',
    marketing: false,
  },
  { firstName: 'Priya', lastName: 'Raman', email: 'priya.raman@example.org', company: 'Lotus Labs', marketing: true },
];

/**
 * A published "Contact us" form in the demo workspace with three submissions (leads
 * with consents and a form.submitted entry on their timelines), and a consent on the
 * first contact: once, when the workspace has no form yet. Runs after the demo module.
 */
export async function seedFormsDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const secret = await formsSecret(database);
  const seeded = await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql`select 1 from forms limit 1`.execute(tx);
    if (existing.length > 0) return false;
    const dana: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
    const id = await createForm(tx, dana, records, {
      name: 'Contact us',
      object: 'leads',
      fields: [
        { name: 'first_name', field: 'firstName', required: false },
        { name: 'last_name', field: 'lastName', required: true },
        { name: 'email', field: 'email', required: true },
        { name: 'company', field: 'company', required: false },
      ],
      consents: [
        { purpose: 'marketing_email', label: 'Send me news and offers by email. I can unsubscribe at any time.' },
      ],
      thankYouMessage: 'Thanks for getting in touch! We will answer within one working day.',
      doubleOptIn: false,
      allowedOrigins: [],
    });
    const form = await loadForm(tx, id);
    if (!form) return false;
    const schema = (await loadSchemas(tx, records.registry)).get('leads');
    const defs = new Map<string, FieldDef>();
    for (const f of form.fields) {
      const def = schema?.field(f.field)?.def;
      if (def) defs.set(f.field, def);
    }
    for (const [n, v] of VISITORS.entries()) {
      await storeSubmission(tx, { records, secret, baseUrl: 'http://localhost' }, form, defs, {
        values: {
          first_name: v.firstName,
          last_name: v.lastName,
          email: v.email,
          company: v.company,
          [PAGE_URL]: 'https://www.example.com/contact',
          ...(v.marketing ? { [consentInput('marketing_email')]: 'yes' } : {}),
        },
        ipHash: hashIp(secret, `203.0.113.${10 + n}`),
        referrer: 'https://www.example.com/pricing',
        visitorId: null,
      });
    }
    const [contact, guarded] = (await records.list(tx, dana, 'contacts', { limit: 2, fields: 'id', sort: 'createdAt' }))
      .data;
    // A customer whose browser sends Global Privacy Control: "Do not sell or share", with its gpc history.
    if (guarded)
      await recordGpcOptOut(tx, { workspaceId: ws, userId: null }, records, 'contacts', String(guarded.id), {
        via: 'preference page',
      });
    if (contact) {
      await appendConsent(tx, dana, records, 'contacts', String(contact.id), {
        purpose: 'marketing_email',
        status: 'granted',
        source: 'user',
        wording: 'Agreed on the phone to receive the monthly newsletter.',
        proof: { note: 'Call of the first week' },
      });
    }
    return true;
  });
  if (seeded) log.info({ workspaceId: ws }, 'seeded the demo forms and consents');
  return null;
}
