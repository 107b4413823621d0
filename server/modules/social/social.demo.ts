import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { systemActor } from '../tickets';
import { assignThread } from './assign';
import { createConnection, setKeywords } from './connections.service';
import { recordInbound } from './processor';
import type { ParsedMessage } from './providers';

const HOUR = 3600_000;
const PAGE = '100200300400500';

/** Conversations with mixed sentiment: [author id, handle, kind, text, hours ago, thread]. */
const CONVERSATIONS: [string, string | null, ParsedMessage['kind'], string, number, string][] = [
  ['demo-psid-1', null, 'message', 'Hi! Love the new Northwind dashboard, great job. Can I add more users?', 30, 'dm'],
  [
    'demo-psid-2',
    null,
    'message',
    'This is terrible. My order is late again and nobody answers. I want a refund!',
    3,
    'dm',
  ],
  ['demo-fb-3', 'Priya Raman', 'comment', 'Does the Pro plan include phone support?', 20, 'post'],
  ['demo-fb-4', 'Tom Becker', 'comment', 'Awful update, the app crashes every time I open it.', 6, 'post'],
  [
    'demo-fb-5',
    'Lena Vogt',
    'mention',
    'Thanks @Northwind for the quick help yesterday, really appreciated!',
    48,
    'post',
  ],
];

/**
 * Social CRM in the demo workspace, once: a connected Facebook Page, the brand keywords,
 * and a few conversations with mixed sentiment (one from a known contact, matched by the
 * social profile, so it is on their timeline, and assigned to the demo user).
 */
export async function seedSocialDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log, secrets } = deps;
  if (!secrets) return null;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const seeded = await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql`select 1 from social_connections limit 1`.execute(tx);
    if (existing.length > 0) return false;
    const admin: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
    const sys = systemActor(ws);
    const connectionId = await createConnection(tx, secrets, admin, {
      network: 'facebook',
      pageId: PAGE,
      name: 'Northwind on Facebook',
      appSecret: randomBytes(16).toString('hex'),
      verifyToken: randomBytes(12).toString('hex'),
    });
    await setKeywords(tx, ws, ['Northwind', 'refund', 'crash']);
    // A known customer writes on Messenger: their contact holds the sender id in its social profiles.
    const contact = (
      await records.list(tx, sys, 'contacts', {
        filter: { field: 'email', op: 'isNotEmpty' },
        fields: 'id',
        limit: 1,
        sort: 'createdAt',
      })
    ).data[0];
    if (contact)
      await records.systemWrite(tx, sys, 'contacts', contact.id as string, {
        socialProfiles: { facebook: 'demo-psid-2' },
      });
    const now = Date.now();
    const ids: string[] = [];
    for (const [i, [authorId, name, kind, text, hoursAgo, thread]] of CONVERSATIONS.entries()) {
      const id = await recordInbound(tx, records, ws, connectionId, 'facebook', {
        kind,
        externalId: `facebook:demo-${i}`,
        authorId,
        authorHandle: name,
        authorName: name,
        authorUrl: null,
        text,
        permalink: kind === 'message' ? null : `https://www.facebook.com/${PAGE}_demo${i}`,
        mediaUrls: [],
        sentAt: new Date(now - hoursAgo * HOUR),
        threadId: thread === 'dm' ? `facebook:dm:${authorId}` : `facebook:post:${PAGE}_launch`,
      });
      ids.push(id);
    }
    // The angry customer's conversation is the demo user's ("Mine" in the inbox); the rest wait, unassigned.
    if (ids[1]) await assignThread(tx, records, admin, ids[1], { assigneeId: demo.user_id });
    return true;
  });
  if (seeded) log.info('demo: social connection and conversations added');
  return null;
}
