import { sql } from 'kysely';
import type { TCreateScoringRuleRequest } from '../../../common/contracts/scoring';
import type { Actor } from '../../platform/auth/actor';
import { emitEvent, type StoredEvent } from '../../platform/events/events';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { rescoreObject } from './rescore';
import { createRule, updateSettings } from './rules.service';
import { earn } from './scoring.consumer';

const DAY = 86_400_000;

/** The demo workspace's scoring: who fits, what counts, and when a lead is marketing-qualified. */
const RULES: TCreateScoringRuleRequest[] = [
  {
    name: 'Decision maker',
    kind: 'fit',
    condition: {
      or: [
        { field: 'title', op: 'contains', value: 'Director' },
        { field: 'title', op: 'contains', value: 'Chief' },
      ],
    },
    points: 20,
  },
  { name: 'Company of 200+', kind: 'fit', condition: { field: 'employees', op: 'gte', value: 200 }, points: 15 },
  {
    name: 'Came through a referral',
    kind: 'fit',
    condition: { field: 'source', op: 'eq', value: 'referral' },
    points: 10,
  },
  {
    name: 'Visited pricing',
    kind: 'engagement',
    event: 'page.viewed',
    match: { path: '/pricing*' },
    points: 10,
    halfLifeDays: 14,
    cap: 30,
  },
  { name: 'Filled in a form', kind: 'engagement', event: 'form.submitted', points: 25, halfLifeDays: 30 },
  {
    name: 'Downloaded a resource',
    kind: 'engagement',
    event: 'page.viewed',
    match: { kind: 'download' },
    points: 15,
    halfLifeDays: 21,
  },
];

/** Engagement of the demo's first leads: [lead index, event, path, days ago]. */
const VISITS: [number, 'page.viewed' | 'form.submitted', string, number][] = [
  [0, 'page.viewed', '/pricing', 1],
  [0, 'page.viewed', '/pricing/enterprise', 2],
  [0, 'form.submitted', '/contact', 1],
  [0, 'page.viewed', '/whitepaper.pdf', 3],
  [1, 'page.viewed', '/pricing', 5],
  [1, 'form.submitted', '/demo', 4],
  [1, 'page.viewed', '/pricing', 0],
  [2, 'page.viewed', '/pricing', 20],
  [2, 'page.viewed', '/blog/crm-basics', 10],
  [3, 'form.submitted', '/webinar', 40],
  [4, 'page.viewed', '/ebook.pdf', 6],
  [4, 'page.viewed', '/pricing', 2],
  [4, 'form.submitted', '/contact', 2],
];

/**
 * Scoring rules, a threshold of 60 and a few weeks of visits and form fills on the first
 * leads in the demo workspace, once (when it has no rule yet); the leads are then scored,
 * so some are MQLs waiting in the queue. Runs after the demo module.
 */
export async function seedScoringDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const now = new Date();
  const seeded = await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql`select 1 from scoring_rules limit 1`.execute(tx);
    if (existing.length > 0) return false;
    const actor: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
    for (const rule of RULES) await createRule(tx, records, actor, rule);
    await updateSettings(tx, ws, { mqlThreshold: 60 });
    const leads = (await records.list(tx, actor, 'leads', { limit: 5, sort: 'createdAt', fields: 'id' })).data;
    for (const [n, type, path, daysAgo] of VISITS) {
      const lead = leads[n];
      if (!lead) continue;
      const at = new Date(now.getTime() - daysAgo * DAY - n * 3_600_000);
      const data =
        type === 'form.submitted'
          ? { leadId: lead.id, formId: 'demo-form', url: `https://example.com${path}`, occurredAt: at.toISOString() }
          : {
              leadId: lead.id,
              url: `https://example.com${path}`,
              path,
              kind: path.endsWith('.pdf') ? 'download' : 'page',
              occurredAt: at.toISOString(),
            };
      const id = await emitEvent(tx, { workspaceId: ws, userId: null }, { type, data });
      // Earned now (the consumer finds them done), so the leads are scored when the demo opens.
      const event: StoredEvent = {
        id,
        workspaceId: ws,
        type,
        object: null,
        recordId: null,
        actorUserId: null,
        actorApiKeyId: null,
        data,
        createdAt: now,
      };
      await earn(tx, event);
    }
    return true;
  });
  if (seeded) await rescoreObject(database, records, ws, 'leads', now, { reason: 'demo' });
  return null;
}
