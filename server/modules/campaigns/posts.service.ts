import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TCampaignPost } from '../../../common/contracts/campaigns';
import { socialPostThreadId } from '../../../common/contracts/social';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { requireWritable } from './members.service';

interface PostRow {
  id: string;
  network: TCampaignPost['network'];
  post_id: string;
  thread_id: string;
  permalink: string | null;
  posted_at: Date | null;
  created_at: Date;
}

/**
 * How many social messages of a thread the caller may read (0 when they may not read social
 * messages at all): the campaign's conversations, counted through the record engine.
 */
async function conversationsIn(tx: Tx, actor: Actor, records: RecordService, threadId: string): Promise<number> {
  const ctx = await records.context(tx, actor, 'social_messages', 'read').catch(() => null);
  if (!ctx?.policy.can('social_messages', 'read')) return 0;
  const page = await records.list(tx, actor, 'social_messages', {
    fields: 'id',
    limit: 1,
    count: true,
    filter: { field: 'threadId', op: 'eq', value: threadId },
  });
  return page.total ?? 0;
}

const present = (r: PostRow, conversations: number): TCampaignPost => ({
  id: r.id,
  network: r.network,
  postId: r.post_id,
  permalink: r.permalink,
  postedAt: r.posted_at ? new Date(r.posted_at).toISOString() : null,
  createdAt: new Date(r.created_at).toISOString(),
  conversations,
});

/**
 * Records a post of a social campaign (409 naming `type` for another kind of campaign; 409
 * naming `postId` when another campaign already has the post: a conversation belongs to one).
 */
export async function addPost(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
  input: { network: TCampaignPost['network']; postId: string; permalink?: string; postedAt?: string },
): Promise<TCampaignPost> {
  await requireWritable(tx, actor, records, campaignId);
  const campaign = await records.get(tx, actor, 'campaigns', campaignId, { fields: 'type' });
  if (campaign.type !== 'social') {
    throw new AppError('conflict', 'Posts are recorded on social campaigns', {
      errors: [{ path: 'type', message: `this campaign is of type ${String(campaign.type)}; make it social first` }],
    });
  }
  const threadId = socialPostThreadId(input.network, input.postId);
  const { rows } = await sql<PostRow>`
    insert into campaign_posts (workspace_id, id, campaign_id, network, post_id, thread_id, permalink, posted_at, created_by)
    values (${actor.workspaceId}::uuid, ${uuidv7()}::uuid, ${campaignId}::uuid, ${input.network}, ${input.postId},
      ${threadId}, ${input.permalink ?? null}, ${input.postedAt ?? null}, ${actor.userId}::uuid)
    on conflict (workspace_id, thread_id) do nothing
    returning id, network, post_id, thread_id, permalink, posted_at, created_at`.execute(tx);
  const row = rows[0];
  if (!row) {
    throw new AppError('conflict', 'This post is already recorded for a campaign', {
      errors: [{ path: 'postId', message: 'already belongs to a campaign' }],
    });
  }
  return present(row, await conversationsIn(tx, actor, records, threadId));
}

/** The campaign's posts, oldest first, each with its conversations the caller may read. */
export async function listPosts(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
): Promise<TCampaignPost[]> {
  await records.require(tx, actor, 'campaigns', campaignId, 'read');
  const { rows } = await sql<PostRow>`
    select id, network, post_id, thread_id, permalink, posted_at, created_at from campaign_posts
    where workspace_id = ${actor.workspaceId}::uuid and campaign_id = ${campaignId}::uuid
    order by created_at, id limit 500`.execute(tx);
  const out: TCampaignPost[] = [];
  for (const r of rows) out.push(present(r, await conversationsIn(tx, actor, records, r.thread_id)));
  return out;
}

/** Removes a post from the campaign (its messages stay); false when it is not the campaign's. */
export async function deletePost(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
  postId: string,
): Promise<boolean> {
  await requireWritable(tx, actor, records, campaignId);
  const { rows } = await sql`delete from campaign_posts
    where workspace_id = ${actor.workspaceId}::uuid and campaign_id = ${campaignId}::uuid and id = ${postId}::uuid
    returning id`.execute(tx);
  return rows.length > 0;
}

/** Posts and conversations of a campaign, for its results. */
export async function postFigures(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
): Promise<{ posts: number; conversations: number }> {
  const posts = await listPosts(tx, actor, records, campaignId);
  return { posts: posts.length, conversations: posts.reduce((n, p) => n + p.conversations, 0) };
}

/**
 * The campaign a social thread's post belongs to, or null: a lead made from a comment on a
 * campaign's post names the campaign as its source (social/convert.ts). `tx` is in the workspace.
 */
export async function campaignOfThread(tx: Tx, workspaceId: string, threadId: string): Promise<string | null> {
  const { rows } = await sql<{ campaign_id: string }>`
    select campaign_id from campaign_posts where workspace_id = ${workspaceId}::uuid and thread_id = ${threadId}`.execute(
    tx,
  );
  return rows[0]?.campaign_id ?? null;
}
