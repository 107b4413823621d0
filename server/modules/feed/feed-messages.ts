import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TFeedEntry } from '../../../common/contracts/feed';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { eventForMember } from '../../platform/events/event-visibility';
import { AppError, invalidField } from '../../platform/http/errors';
import { notify } from '../../platform/notifications/notify';
import type { RecordService } from '../../platform/records/records.service';
import { parseMentions } from '../timeline';
import { FEED_CHANNEL } from './feed.consumer';
import { feedEntry } from './feed.service';
import { notificationText, parseRecordMentions } from './feed-mentions';

export interface MessageInput {
  body: string;
  teamId?: string;
  parentId?: string;
}

/**
 * Posts a colleague message to the feed, to a team (its members only), or as a reply
 * to an entry the caller can see (the reply goes to the thread's audience). Mentioned
 * members must be able to see it (members of the workspace; of the team for a team
 * message) and are notified once; mentioned records must be records the caller can
 * read. Everything in one transaction; connected readers get the entry live.
 */
export async function postMessage(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  input: MessageInput,
): Promise<TFeedEntry> {
  if (!actor.userId) throw new AppError('forbidden', 'Messages are written by people; this API key belongs to no one');
  const body = input.body.trim();
  let teamId = input.teamId ?? null;
  // A reply is about what its thread is about: its readers are the thread's readers.
  let about: { object: string | null; record_id: string | null } = { object: null, record_id: null };
  if (input.parentId) {
    const parent = await feedEntry(tx, actor, records, input.parentId);
    if (!parent) throw invalidField('parentId', 'is not an entry of the feed you can see');
    if (parent.parentId) throw invalidField('parentId', 'is a reply; answer the message it replies to');
    const { rows } = await sql<{ team_id: string | null; object: string | null; record_id: string | null }>`
      select team_id, object, record_id from feed_entries where id = ${input.parentId}::uuid`.execute(tx);
    const threadTeam = rows[0]?.team_id ?? null;
    about = { object: rows[0]?.object ?? null, record_id: rows[0]?.record_id ?? null };
    if (teamId && teamId !== threadTeam)
      throw invalidField('teamId', 'must be left out of a reply: it goes to the thread’s readers');
    teamId = threadTeam;
  } else if (teamId) {
    const { rows } = await sql`select 1 from team_members
      where team_id = ${teamId}::uuid and user_id = ${actor.userId}::uuid`.execute(tx);
    if (rows.length === 0) throw invalidField('teamId', 'is not a team you belong to');
  }

  const id = uuidv7();
  const { mentioned, recordMentions } = await checkMentions(tx, actor, records, { id, body, teamId, about });

  await sql`insert into feed_entries
      (workspace_id, id, type, actor_user_id, object, record_id, body, mentions, record_mentions, team_id, parent_id)
    values (${actor.workspaceId}, ${id}, 'message.posted', ${actor.userId}, ${about.object}, ${about.record_id}::uuid,
      ${body}, ${mentioned}::uuid[], ${JSON.stringify(recordMentions)}::jsonb, ${teamId}::uuid, ${input.parentId ?? null}::uuid)`.execute(
    tx,
  );
  if (input.parentId) {
    await sql`update feed_entries set reply_count = reply_count + 1 where id = ${input.parentId}::uuid`.execute(tx);
  }

  await notifyMentions(tx, actor, records, { id, body, mentioned, teamId, reply: !!input.parentId });
  await sql`select pg_notify(${FEED_CHANNEL}, ${JSON.stringify({ workspaceId: actor.workspaceId, id })})`.execute(tx);
  const entry = await feedEntry(tx, actor, records, id);
  if (!entry) throw new Error('a posted message must be visible to its author');
  return entry;
}

/**
 * The people and records a message's body mentions, checked: members who can read it
 * (of the team, for a team message; who can read the record, for a thread about one),
 * at most 50 people and 20 records, each record one the author can read. 422 otherwise.
 */
async function checkMentions(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  input: {
    id: string;
    body: string;
    teamId: string | null;
    about: { object: string | null; record_id: string | null };
  },
): Promise<{ mentioned: string[]; recordMentions: { object: string; id: string }[] }> {
  const { body, teamId, about } = input;
  const mentioned = parseMentions(body);
  if (mentioned.length > 50) throw invalidField('body', 'mentions at most 50 people');
  const { rows: members } = mentioned.length
    ? await sql<{ id: string; name: string; in_team: boolean }>`
        select u.id, u.name, (${teamId}::uuid is null or exists (select 1 from team_members t
          where t.team_id = ${teamId}::uuid and t.user_id = u.id)) as in_team
        from workspace_members m join users u on u.id = m.user_id
        where m.user_id = any(${mentioned}::uuid[])`.execute(tx)
    : { rows: [] };
  const known = new Map(members.map((m) => [m.id, m]));
  const problems = mentioned.flatMap((id) => {
    const m = known.get(id);
    if (!m) return [{ path: 'body', message: `mentions ${id}, who is not a member of this workspace` }];
    if (!m.in_team)
      return [{ path: 'body', message: `mentions ${m.name}, who is not in this team and would not see it` }];
    return [];
  });
  if (about.object && about.record_id) {
    // A thread about a record: only people who may read the record can be told about it.
    const subject = { id: input.id, object: about.object, recordId: about.record_id, data: {} };
    for (const m of members) {
      if (!(await eventForMember(tx, records, actor.workspaceId, m.id, subject)))
        problems.push({ path: 'body', message: `mentions ${m.name}, who cannot see what this thread is about` });
    }
  }
  if (problems.length)
    throw new AppError('validation_failed', 'Only people who can read the message can be mentioned', {
      errors: problems,
    });

  const recordMentions = parseRecordMentions(body);
  if (recordMentions.length > 20) throw invalidField('body', 'mentions at most 20 records');
  const byObject = new Map<string, string[]>();
  for (const m of recordMentions) byObject.set(m.object, [...(byObject.get(m.object) ?? []), m.id]);
  for (const [object, ids] of byObject) {
    const def = records.registry.get(object);
    const ctx = def ? await records.context(tx, actor, object) : null;
    const visible = ctx ? await records.visibleIds(tx, ctx, object, ids) : new Set<string>();
    const missing = ids.filter((id) => !visible.has(id));
    if (missing.length) throw invalidField('body', `mentions ${object}:${missing[0]}, a record that does not exist`);
  }

  return { mentioned, recordMentions };
}

/** Tells each person a message mentions (not its author), once per message (dedupe key). */
async function notifyMentions(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  m: { id: string; body: string; mentioned: string[]; teamId: string | null; reply: boolean },
): Promise<void> {
  const { id, body, mentioned, teamId } = m;
  const author = (await sql<{ name: string }>`select name from users where id = ${actor.userId}`.execute(tx)).rows[0]
    ?.name;
  const where = teamId ? 'a team message' : m.reply ? 'a reply in the feed' : 'a message in the feed';
  const text = notificationText(body, (o) => records.registry.get(o)?.singular.toLowerCase() ?? 'record');
  for (const userId of mentioned) {
    if (userId === actor.userId) continue;
    await notify(tx, {
      workspaceId: actor.workspaceId,
      userId,
      kind: 'mention',
      title: `${author ?? 'A colleague'} mentioned you in ${where}`,
      body: text,
      actorUserId: actor.userId,
      dedupeKey: `feed-mention:${id}`,
    });
  }
}

/** A message of the caller's own, for changing it; 404 when it is not one they can see, 403 when not theirs. */
async function ownMessage(tx: Tx, actor: Actor, records: RecordService, id: string, mayModerate: boolean) {
  if (!(await feedEntry(tx, actor, records, id))) throw new AppError('not_found', 'Feed entry not found');
  const { rows } = await sql<{
    type: string;
    actor_user_id: string | null;
    team_id: string | null;
    object: string | null;
    record_id: string | null;
    parent_id: string | null;
    reply_count: number;
    deleted_at: Date | null;
    mentions: string[];
  }>`select type, actor_user_id, team_id, object, record_id, parent_id, reply_count, deleted_at, mentions
    from feed_entries where id = ${id}::uuid for update`.execute(tx);
  const row = rows[0];
  if (!row || row.deleted_at) throw new AppError('not_found', 'Feed entry not found');
  if (row.type !== 'message.posted')
    throw new AppError(
      'forbidden',
      'Only colleagues’ messages can be changed; what happened to records stays as it was',
    );
  if (row.actor_user_id !== actor.userId && !mayModerate)
    throw new AppError('forbidden', 'Only its author can change a message');
  return row;
}

/**
 * Changes the text of the caller's own message (mentions checked again; people newly
 * mentioned are notified, those already told are not told twice). It shows as edited.
 */
export async function editMessage(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
  input: { body: string },
): Promise<TFeedEntry> {
  const row = await ownMessage(tx, actor, records, id, false);
  const body = input.body.trim();
  const about = { object: row.object, record_id: row.record_id };
  const { mentioned, recordMentions } = await checkMentions(tx, actor, records, {
    id,
    body,
    teamId: row.team_id,
    about,
  });
  await sql`update feed_entries set body = ${body}, mentions = ${mentioned}::uuid[],
      record_mentions = ${JSON.stringify(recordMentions)}::jsonb, edited_at = now()
    where id = ${id}::uuid`.execute(tx);
  await notifyMentions(tx, actor, records, { id, body, mentioned, teamId: row.team_id, reply: !!row.parent_id });
  // Pushed again: the stream sends each id once, so an edit goes out as `<id>@<when>`.
  const pushed = `${id}@${Date.now()}`;
  await sql`select pg_notify(${FEED_CHANNEL}, ${JSON.stringify({ workspaceId: actor.workspaceId, id: pushed })})`.execute(
    tx,
  );
  const entry = await feedEntry(tx, actor, records, id);
  if (!entry) throw new Error('an edited message must be visible to its author');
  return entry;
}

/**
 * Deletes a message: its author, or an administrator (moderation). A message others
 * replied to stays as "deleted" so the thread keeps its replies; otherwise it is gone.
 * The mention notifications it sent go with its text.
 */
export async function deleteMessage(tx: Tx, actor: Actor, records: RecordService, id: string): Promise<void> {
  const moderator = (await records.access.policy(tx, actor)).admin;
  const row = await ownMessage(tx, actor, records, id, moderator);
  await sql`delete from notifications where dedupe_key = ${`feed-mention:${id}`}`.execute(tx);
  if (row.reply_count > 0) {
    await sql`update feed_entries set body = null, mentions = '{}', record_mentions = '[]', deleted_at = now()
      where id = ${id}::uuid`.execute(tx);
    return;
  }
  await sql`delete from feed_entries where id = ${id}::uuid`.execute(tx);
  if (row.parent_id) {
    await sql`update feed_entries set reply_count = greatest(reply_count - 1, 0)
      where id = ${row.parent_id}::uuid`.execute(tx);
  }
}
