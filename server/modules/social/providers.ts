import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { verifySignature } from '../../platform/webhooks/signing';
import type { SocialKind, SocialNetwork } from './social-messages.object';

/**
 * What each network sends and how it is checked: signatures on the raw body, splitting a
 * delivery into items (one per provider event, each with the provider's id), and reading
 * an item into a social message. Formats: Meta Webhooks (Messenger `messaging`, Page `feed`
 * and `mention` changes, Instagram `messaging`, `comments` and `mentions`), X Account
 * Activity (`tweet_create_events`, `direct_message_events`) and Rapport's generic format
 * (docs/API.md). Fixtures with their sources: test/fixtures/social/.
 */

/** A payload that is JSON with a valid signature but not what the network sends: stored as rejected. */
export class ShapeError extends Error {}

/** One provider event of a delivery, stored as a raw event row before processing. */
export interface SocialItem {
  providerEventId: string;
  /** What is stored: the item with the envelope facts processing needs. */
  payload: Record<string, unknown>;
}

/** A social message read from an item. */
export interface ParsedMessage {
  kind: SocialKind;
  externalId: string;
  authorId: string;
  authorHandle: string | null;
  authorName: string | null;
  authorUrl: string | null;
  text: string;
  permalink: string | null;
  mediaUrls: string[];
  sentAt: Date;
  threadId: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null;
/** A stable id for an item that carries none (read receipts, likes): a retry of it has the same hash. */
const hashId = (v: unknown) => `sha256:${createHash('sha256').update(JSON.stringify(v)).digest('hex')}`;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`. */
export const metaSignature = (secret: string, body: Buffer | string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** X: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>`, and the CRC answer. */
export const xSignature = (secret: string, body: Buffer | string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

/** Whether a delivery's signature header is right for the network (constant-time compare). */
export function signatureValid(
  network: SocialNetwork,
  secret: string,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
  nowSeconds: number,
): boolean {
  const h = (name: string) => {
    const v = headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  if (network === 'facebook' || network === 'instagram') {
    const given = h('x-hub-signature-256');
    return !!given && safeEqual(given.toLowerCase(), metaSignature(secret, body));
  }
  if (network === 'x') {
    const given = h('x-twitter-webhooks-signature');
    return !!given && safeEqual(given, xSignature(secret, body));
  }
  const given = h('rapport-signature');
  return !!given && verifySignature(secret, body.toString('utf8'), given, nowSeconds);
}

/** Splits a delivery into its items; ShapeError names what is wrong with a payload of the wrong shape. */
export function splitDelivery(network: SocialNetwork, body: unknown, ownId: string): SocialItem[] {
  if (!isObj(body)) throw new ShapeError('the body must be a JSON object');
  if (network === 'facebook' || network === 'instagram') return splitMeta(network, body, ownId);
  if (network === 'x') return splitX(body, ownId);
  return splitGeneric(body);
}

function splitMeta(network: SocialNetwork, body: Record<string, unknown>, ownId: string): SocialItem[] {
  const expected = network === 'facebook' ? 'page' : 'instagram';
  if (body.object !== expected) throw new ShapeError(`object must be "${expected}"`);
  if (!Array.isArray(body.entry)) throw new ShapeError('entry must be a list');
  const items: SocialItem[] = [];
  for (const [i, entry] of body.entry.entries()) {
    if (!isObj(entry)) throw new ShapeError(`entry.${i} must be an object`);
    const entryId = str(entry.id);
    // An app subscribed for several Pages sends them all to each callback: only this connection's page counts.
    if (entryId !== ownId) throw new ShapeError(`entry.${i}.id ${entryId ?? '(none)'} is not this connection's page`);
    for (const m of Array.isArray(entry.messaging) ? entry.messaging : []) {
      if (!isObj(m)) throw new ShapeError(`entry.${i}.messaging must hold objects`);
      const mid = isObj(m.message) ? str(m.message.mid) : null;
      items.push({
        providerEventId: mid ? `mid:${mid}` : hashId(m),
        payload: { network, entryId, messaging: m },
      });
    }
    for (const c of Array.isArray(entry.changes) ? entry.changes : []) {
      if (!isObj(c) || !isObj(c.value)) throw new ShapeError(`entry.${i}.changes must hold objects with a value`);
      const v = c.value;
      const id = str(v.comment_id) ?? str(v.id) ?? str(v.post_id) ?? str(v.media_id);
      items.push({
        providerEventId: id ? `${String(c.field)}:${id}:${String(v.verb ?? 'add')}` : hashId(c),
        payload: { network, entryId, change: c },
      });
    }
    if (!Array.isArray(entry.messaging) && !Array.isArray(entry.changes))
      throw new ShapeError(`entry.${i} has neither messaging nor changes`);
  }
  return items;
}

function splitX(body: Record<string, unknown>, ownId: string): SocialItem[] {
  const forUser = str(body.for_user_id);
  if (!forUser) throw new ShapeError('for_user_id is missing');
  if (forUser !== ownId) throw new ShapeError(`for_user_id ${forUser} is not this connection's account`);
  const items: SocialItem[] = [];
  for (const t of Array.isArray(body.tweet_create_events) ? body.tweet_create_events : []) {
    if (!isObj(t)) throw new ShapeError('tweet_create_events must hold objects');
    const id = str(t.id_str) ?? str(t.id);
    items.push({ providerEventId: id ? `tweet:${id}` : hashId(t), payload: { network: 'x', forUser, tweet: t } });
  }
  const users = isObj(body.users) ? body.users : {};
  for (const d of Array.isArray(body.direct_message_events) ? body.direct_message_events : []) {
    if (!isObj(d)) throw new ShapeError('direct_message_events must hold objects');
    const id = str(d.id);
    const sender = isObj(d.message_create) ? str(d.message_create.sender_id) : null;
    items.push({
      providerEventId: id ? `dm:${id}` : hashId(d),
      payload: { network: 'x', forUser, dm: d, sender: sender && isObj(users[sender]) ? users[sender] : null },
    });
  }
  if (items.length === 0) {
    // Likes, follows, typing indicators…: kept (replayable), nothing to make of them.
    const kinds = Object.keys(body).filter((k) => k.endsWith('_events'));
    if (kinds.length === 0) throw new ShapeError('no *_events list in the payload');
    items.push({ providerEventId: hashId(body), payload: { network: 'x', forUser, other: body } });
  }
  return items;
}

function splitGeneric(body: Record<string, unknown>): SocialItem[] {
  if (!Array.isArray(body.events) || body.events.length === 0) throw new ShapeError('events must be a non-empty list');
  return body.events.map((e, i) => {
    if (!isObj(e)) throw new ShapeError(`events.${i} must be an object`);
    const id = str(e.id);
    if (!id) throw new ShapeError(`events.${i}.id is missing`);
    return { providerEventId: `generic:${id}`, payload: { network: 'generic', event: e } };
  });
}

const fromMs = (v: unknown, fallback: Date) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? new Date(n) : fallback;
};
/** Meta's feed times are Unix seconds. */
const fromSeconds = (v: unknown, fallback: Date) => {
  const n = typeof v === 'number' ? v : Number.NaN;
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : fallback;
};

const KINDS = ['message', 'comment', 'mention', 'reply'];

/**
 * Reads a stored item into a social message; null when the item is nothing to show (our
 * own echo, a read receipt, a like); ShapeError when it lacks what its kind needs.
 */
export function parseItem(payload: Record<string, unknown>, ownId: string, now: Date): ParsedMessage | null {
  const network = payload.network as SocialNetwork;
  if (isObj(payload.messaging)) {
    const m = payload.messaging;
    if (!isObj(m.message)) return null; // deliveries, reads, postbacks, reactions
    if (m.message.is_echo === true) return null; // our own message
    const sender = isObj(m.sender) ? str(m.sender.id) : null;
    const mid = str(m.message.mid);
    if (!sender || !mid) throw new ShapeError('messaging.sender.id and messaging.message.mid are required');
    if (sender === ownId) return null;
    const attachments = Array.isArray(m.message.attachments) ? m.message.attachments : [];
    const mediaUrls = attachments
      .map((a) => (isObj(a) && isObj(a.payload) ? str(a.payload.url) : null))
      .filter((u): u is string => !!u);
    return {
      kind: 'message',
      externalId: `${network}:${mid}`,
      authorId: sender,
      authorHandle: null,
      authorName: null,
      authorUrl: null,
      text: str(m.message.text) ?? '',
      permalink: null,
      mediaUrls,
      sentAt: fromMs(m.timestamp, now),
      threadId: `${network}:dm:${sender}`,
    };
  }
  if (isObj(payload.change)) {
    const c = payload.change;
    const v = c.value as Record<string, unknown>;
    const from = isObj(v.from) ? v.from : {};
    const fromId = str(from.id) ?? str(v.sender_id);
    if (fromId === ownId) return null;
    if (c.field === 'feed') {
      if (v.item !== 'comment' || v.verb !== 'add') return null; // likes, reactions, edits, our posts
      const commentId = str(v.comment_id);
      if (!commentId || !fromId) throw new ShapeError('feed comment needs value.comment_id and value.from.id');
      const postId = str(v.post_id) ?? commentId;
      const parent = str(v.parent_id);
      return {
        kind: parent && parent !== postId ? 'reply' : 'comment',
        externalId: `facebook:${commentId}`,
        authorId: fromId,
        authorHandle: str(from.name),
        authorName: str(from.name),
        authorUrl: null,
        text: str(v.message) ?? '',
        permalink: `https://www.facebook.com/${commentId}`,
        mediaUrls: str(v.photo) ? [str(v.photo) as string] : [],
        sentAt: fromSeconds(v.created_time, now),
        threadId: `facebook:post:${postId}`,
      };
    }
    if (c.field === 'mention') {
      if (v.verb && v.verb !== 'add') return null;
      const id = str(v.comment_id) ?? str(v.post_id);
      if (!id) throw new ShapeError('mention needs value.post_id or value.comment_id');
      return {
        kind: 'mention',
        externalId: `facebook:mention:${id}`,
        authorId: fromId ?? 'unknown',
        authorHandle: str(from.name) ?? str(v.sender_name),
        authorName: str(from.name) ?? str(v.sender_name),
        authorUrl: null,
        text: str(v.message) ?? '',
        permalink: `https://www.facebook.com/${id}`,
        mediaUrls: [],
        sentAt: fromSeconds(v.created_time, now),
        threadId: `facebook:post:${str(v.post_id) ?? id}`,
      };
    }
    if (c.field === 'comments' || c.field === 'live_comments') {
      const id = str(v.id);
      if (!id || !fromId) throw new ShapeError('comments needs value.id and value.from.id');
      const username = str(from.username);
      const media = isObj(v.media) ? str(v.media.id) : null;
      return {
        kind: str(v.parent_id) ? 'reply' : 'comment',
        externalId: `instagram:${id}`,
        authorId: fromId,
        authorHandle: username,
        authorName: null,
        authorUrl: username ? `https://www.instagram.com/${username}` : null,
        text: str(v.text) ?? '',
        permalink: null,
        mediaUrls: [],
        sentAt: now,
        threadId: `instagram:media:${media ?? id}`,
      };
    }
    if (c.field === 'mentions') {
      const id = str(v.comment_id) ?? str(v.media_id);
      if (!id) throw new ShapeError('mentions needs value.comment_id or value.media_id');
      return {
        kind: 'mention',
        externalId: `instagram:mention:${id}`,
        authorId: fromId ?? 'unknown',
        authorHandle: null,
        authorName: null,
        authorUrl: null,
        text: str(v.text) ?? '',
        permalink: null,
        mediaUrls: [],
        sentAt: now,
        threadId: `instagram:media:${str(v.media_id) ?? id}`,
      };
    }
    return null;
  }
  if (isObj(payload.tweet)) {
    const t = payload.tweet;
    const user = isObj(t.user) ? t.user : {};
    const userId = str(user.id_str) ?? str(user.id);
    const id = str(t.id_str) ?? str(t.id);
    if (!id || !userId) throw new ShapeError('tweet needs id_str and user.id_str');
    if (userId === ownId) return null; // our own post
    const screen = str(user.screen_name);
    const ext = isObj(t.extended_tweet) ? str(t.extended_tweet.full_text) : null;
    const replyTo = str(t.in_reply_to_status_id_str);
    const media = isObj(t.entities) && Array.isArray(t.entities.media) ? t.entities.media : [];
    return {
      kind: replyTo ? 'reply' : 'mention',
      externalId: `x:${id}`,
      authorId: userId,
      authorHandle: screen ? `@${screen}` : null,
      authorName: str(user.name),
      authorUrl: screen ? `https://x.com/${screen}` : null,
      text: ext ?? str(t.text) ?? '',
      permalink: screen ? `https://x.com/${screen}/status/${id}` : `https://x.com/i/web/status/${id}`,
      mediaUrls: media.map((m) => (isObj(m) ? str(m.media_url_https) : null)).filter((u): u is string => !!u),
      sentAt: fromMs(t.timestamp_ms, t.created_at ? new Date(String(t.created_at)) : now),
      threadId: `x:tweet:${replyTo ?? id}`,
    };
  }
  if (isObj(payload.dm)) {
    const d = payload.dm;
    const mc = isObj(d.message_create) ? d.message_create : null;
    const id = str(d.id);
    const sender = mc ? str(mc.sender_id) : null;
    if (!mc || !id || !sender) throw new ShapeError('direct message needs id and message_create.sender_id');
    if (sender === ownId) return null; // sent by the account itself
    const user = isObj(payload.sender) ? payload.sender : {};
    const screen = str(user.screen_name);
    const data = isObj(mc.message_data) ? mc.message_data : {};
    return {
      kind: 'message',
      externalId: `x:dm:${id}`,
      authorId: sender,
      authorHandle: screen ? `@${screen}` : null,
      authorName: str(user.name),
      authorUrl: screen ? `https://x.com/${screen}` : null,
      text: str(data.text) ?? '',
      permalink: null,
      mediaUrls: [],
      sentAt: fromMs(d.created_timestamp, now),
      threadId: `x:dm:${sender}`,
    };
  }
  if (isObj(payload.event)) {
    const e = payload.event;
    const author = isObj(e.author) ? e.author : {};
    const authorId = str(author.id) ?? str(author.handle);
    const kind = str(e.kind) ?? 'mention';
    if (!authorId) throw new ShapeError('event.author.id (or author.handle) is required');
    if (!KINDS.includes(kind)) throw new ShapeError(`event.kind must be one of ${KINDS.join(', ')}`);
    if (typeof e.text !== 'string') throw new ShapeError('event.text must be text');
    const sentAt = e.sentAt ? new Date(String(e.sentAt)) : now;
    return {
      kind: kind as SocialKind,
      externalId: `generic:${String(e.id)}`,
      authorId,
      authorHandle: str(author.handle),
      authorName: str(author.name),
      authorUrl: str(author.url),
      text: e.text,
      permalink: str(e.permalink),
      mediaUrls: Array.isArray(e.mediaUrls) ? e.mediaUrls.filter((u): u is string => typeof u === 'string') : [],
      sentAt: Number.isNaN(sentAt.getTime()) ? now : sentAt,
      threadId: `generic:${str(e.threadId) ?? authorId}`,
    };
  }
  return null;
}
