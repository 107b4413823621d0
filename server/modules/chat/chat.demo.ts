import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../../platform/db/database';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { getChatSettings } from './chat-settings.service';

/** A tiny PNG: the photo the demo visitor sent. */
const DEMO_PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** An answered, rated chat from yesterday in which the visitor sent a photo (the console's "ended" list). */
async function seedPastChat(tx: Tx, ws: string): Promise<void> {
  const { rows: agents } = await sql<{ user_id: string }>`select tm.user_id from team_members tm
    join teams t on t.workspace_id = tm.workspace_id and t.id = tm.team_id
    where tm.workspace_id = ${ws}::uuid and t.name = 'Customer Care' order by tm.user_id limit 1`.execute(tx);
  const agent = agents[0]?.user_id;
  if (!agent) return;
  const id = uuidv7();
  const at = (minutes: number) => new Date(Date.now() - 86_400_000 + minutes * 60_000).toISOString();
  await sql`insert into chat_conversations (workspace_id, id, visitor_token_hash, visitor_name, status, agent_user_id,
      csat_rating, csat_comment, created_at, assigned_at, ended_at)
    values (${ws}::uuid, ${id}::uuid, ${`demo-${id}`}, 'Jamie (website visitor)', 'ended', ${agent}::uuid,
      5, 'Sorted in two minutes!', ${at(0)}, ${at(0)}, ${at(4)})`.execute(tx);
  const photo = uuidv7();
  const messages: [string, string | null, string, unknown[], number][] = [
    ['system', null, 'Hi! Ask us anything about your order.', [], 0],
    ['visitor', null, 'My parcel arrived damaged, here is a photo.', [], 1],
    [
      'visitor',
      null,
      '',
      [{ id: photo, filename: 'damaged-box.png', contentType: 'image/png', size: DEMO_PHOTO.length }],
      1,
    ],
    ['agent', agent, 'Sorry about that! A replacement ships today; no need to send it back.', [], 3],
    ['system', null, 'The agent ended the chat.', [], 4],
  ];
  for (const [author, user, body, files, minute] of messages) {
    const messageId = uuidv7();
    await sql`insert into chat_messages (workspace_id, id, conversation_id, author, author_user_id, body, attachments, created_at)
      values (${ws}::uuid, ${messageId}::uuid, ${id}::uuid, ${author}, ${user}::uuid, ${body}, ${JSON.stringify(files)}::jsonb,
        ${at(minute)})`.execute(tx);
    if (files.length)
      await sql`insert into chat_attachments (workspace_id, id, conversation_id, message_id, filename, content_type, size, content)
        values (${ws}::uuid, ${photo}::uuid, ${id}::uuid, ${messageId}::uuid, 'damaged-box.png', 'image/png',
          ${DEMO_PHOTO.length}, ${DEMO_PHOTO})`.execute(tx);
  }
}

/**
 * The demo workspace's live chat, once: on, answered by the Customer Care team, with the
 * demo page (`/chat/demo`) embedding the widget, and a past chat with a photo and a rating. A representative going online in the
 * console takes the chats.
 */
export async function seedChatDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, log } = deps;
  const { rows } = await sql<{ workspace_id: string }>`
    select m.workspace_id from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const ws = rows[0]?.workspace_id;
  if (!ws) return null;
  const seeded = await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql`select 1 from chat_settings where workspace_id = ${ws}::uuid`.execute(tx);
    if (existing.length > 0) return false;
    await getChatSettings(tx, ws, '');
    await sql`update chat_settings set enabled = true, greeting = 'Hi! Ask us anything about your order.',
        team_id = (select id from teams where workspace_id = ${ws}::uuid and name = 'Customer Care')
      where workspace_id = ${ws}::uuid`.execute(tx);
    await seedPastChat(tx, ws);
    return true;
  });
  if (seeded) log.info({ workspaceId: ws }, 'seeded the demo live chat (page: /chat/demo)');
  return null;
}
