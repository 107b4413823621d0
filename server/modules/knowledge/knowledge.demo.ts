import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { ensureServiceSettings } from './service-settings';

const CATEGORIES = [
  { key: 'start', name: 'Getting started', description: 'Set up your account and make your first order.' },
  { key: 'billing', name: 'Billing and payments', description: 'Invoices, payment methods and refunds.' },
  { key: 'delivery', name: 'Delivery', description: 'Shipping times, tracking and returns.' },
];

const ARTICLES: { title: string; category: string; body: string; visibility?: string; status?: string }[] = [
  {
    title: 'Creating your account',
    category: 'start',
    body: 'Open the **Sign up** page, enter your work email and choose a password.\n\n1. Confirm your address from the email we send.\n2. Invite your colleagues from *Settings → Team*.',
  },
  {
    title: 'Placing your first order',
    category: 'start',
    body: 'Pick products from the catalogue, add them to the basket and check out.\n\nYou can save a basket as a **template** for repeat orders.',
  },
  {
    title: 'Paying by bank transfer',
    category: 'billing',
    body: 'Choose *Bank transfer* at checkout. Your invoice shows our IBAN and the reference to use.\n\nOrders ship once the payment arrives (usually within two working days).',
  },
  {
    title: 'Requesting a refund',
    category: 'billing',
    body: 'Write to support within **30 days** of delivery with your order number.\n\nRefunds go back to the original payment method within 5–10 working days.',
  },
  {
    title: 'Delivery times and tracking',
    category: 'delivery',
    body: '| Region | Time |\n| --- | --- |\n| Domestic | 1–2 days |\n| Europe | 3–5 days |\n| Rest of world | 7–10 days |\n\nEvery parcel has a tracking link in the dispatch email.',
  },
  {
    title: 'Café opening hours for pick-up',
    category: 'delivery',
    body: 'Collect orders at our café counter, Monday to Saturday, **8 am – 6 pm**.\n\nBring the order confirmation on your phone.',
  },
  {
    title: 'Escalating a damaged delivery (agents)',
    category: 'delivery',
    visibility: 'internal',
    body: 'Ask for a photo, refund or resend at once for orders under €200, otherwise open a claim with the carrier.',
  },
  {
    title: 'Loyalty programme (coming soon)',
    category: 'billing',
    status: 'draft',
    body: 'Draft: points per order, rewards at 500 points.',
  },
];

/**
 * The demo workspace's knowledge base: three categories, six public articles, one internal
 * and one draft, and its help centre switched on (once, when it has no article yet).
 */
export async function seedKnowledgeDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const settings = await ensureServiceSettings(database, ws);
  const admin: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
  const created = await database.tenant(ws, async (tx) => {
    const existing = await records.list(tx, admin, 'articles', { limit: 1, fields: 'id' });
    if (existing.data.length > 0) return false;
    const categoryIds = new Map<string, string>();
    for (const [position, c] of CATEGORIES.entries()) {
      const made = await records.create(tx, admin, 'article_categories', {
        name: c.name,
        description: c.description,
        position,
      });
      categoryIds.set(c.key, made.id as string);
    }
    for (const a of ARTICLES) {
      await records.create(tx, admin, 'articles', {
        title: a.title,
        body: a.body,
        categoryId: categoryIds.get(a.category),
        visibility: a.visibility ?? 'public',
        status: a.status ?? 'published',
      });
    }
    return true;
  });
  if (created) log.info({ helpCentre: `/help/${settings.help_centre_slug}` }, 'demo help centre seeded');
  return null;
}
