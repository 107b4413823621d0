import type { OpenConnection } from './connections.service';
import type { SocialKind, SocialNetwork } from './social-messages.object';

/** Where the providers' APIs are (the operator's config; tests point them at a local fake). */
export interface ProviderUrls {
  metaGraphUrl: string;
  xApiUrl: string;
  timeoutMs: number;
}

/** What a reply goes to: the customer's message (its provider id, author and kind). */
export interface ReplyTarget {
  network: SocialNetwork;
  kind: SocialKind;
  /** The provider's id of the message replied to (comment id, tweet id), without our network prefix. */
  providerId: string;
  /** The customer (PSID, Instagram-scoped id, X user id). */
  authorId: string;
}

export type SendOutcome =
  | { ok: true; providerId: string | null }
  | { ok: false; error: string; token?: 'expired' | 'revoked' };

const trim = (s: string) => s.replace(/\s+/g, ' ').slice(0, 300);

async function post(url: string, token: string, body: unknown, timeoutMs: number) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  let json: Record<string, unknown> = {};
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  return { status: res.status, json };
}

/**
 * Meta's Graph API errors: code 190 is an access token that no longer works (subcode 463
 * expired; 458/460/464/467 revoked, password changed, invalid), anything else a failure
 * of this message.
 */
function metaOutcome(status: number, json: Record<string, unknown>): SendOutcome {
  const err = json.error as Record<string, unknown> | undefined;
  if (status >= 200 && status < 300 && !err) {
    const id = (json.message_id ?? json.id) as string | undefined;
    return { ok: true, providerId: id ?? null };
  }
  const message = trim(String(err?.message ?? `HTTP ${status}`));
  if (err?.code === 190) {
    const expired = err.error_subcode === 463 || /expired/i.test(message);
    return { ok: false, error: message, token: expired ? 'expired' : 'revoked' };
  }
  return { ok: false, error: message };
}

function xOutcome(status: number, json: Record<string, unknown>): SendOutcome {
  if (status >= 200 && status < 300) {
    const data = json.data as Record<string, unknown> | undefined;
    return { ok: true, providerId: (data?.dm_event_id ?? data?.id ?? null) as string | null };
  }
  const detail = trim(String(json.detail ?? json.title ?? `HTTP ${status}`));
  if (status === 401) return { ok: false, error: detail, token: /expired/i.test(detail) ? 'expired' : 'revoked' };
  return { ok: false, error: detail };
}

/**
 * Sends a reply in the provider's own format: Messenger and Instagram direct messages
 * through the Send API (`POST /me/messages`, `messaging_type: RESPONSE`, or
 * `MESSAGE_TAG` + `HUMAN_AGENT` on Instagram after 24 hours), comment replies
 * (`POST /{comment-id}/comments` on Facebook, `/{comment-id}/replies` on Instagram), X
 * direct messages (`POST /2/dm_conversations/with/{user}/messages`) and X replies
 * (`POST /2/tweets` with `reply.in_reply_to_tweet_id`).
 */
export async function sendReply(
  urls: ProviderUrls,
  conn: OpenConnection,
  target: ReplyTarget,
  text: string,
  opts: { humanAgent: boolean },
): Promise<SendOutcome> {
  const token = conn.accessToken;
  if (!token) return { ok: false, error: 'The connection has no access token: add one to reply' };
  try {
    if (target.network === 'facebook' || target.network === 'instagram') {
      const graph = urls.metaGraphUrl.replace(/\/$/, '');
      if (target.kind === 'message') {
        const body: Record<string, unknown> = {
          recipient: { id: target.authorId },
          message: { text },
          messaging_type: opts.humanAgent ? 'MESSAGE_TAG' : 'RESPONSE',
        };
        if (opts.humanAgent) body.tag = 'HUMAN_AGENT';
        const r = await post(`${graph}/me/messages`, token, body, urls.timeoutMs);
        return metaOutcome(r.status, r.json);
      }
      const edge = target.network === 'instagram' ? 'replies' : 'comments';
      const r = await post(
        `${graph}/${encodeURIComponent(target.providerId)}/${edge}`,
        token,
        { message: text },
        urls.timeoutMs,
      );
      return metaOutcome(r.status, r.json);
    }
    if (target.network === 'x') {
      const api = urls.xApiUrl.replace(/\/$/, '');
      const r =
        target.kind === 'message'
          ? await post(
              `${api}/2/dm_conversations/with/${encodeURIComponent(target.authorId)}/messages`,
              token,
              { text },
              urls.timeoutMs,
            )
          : await post(
              `${api}/2/tweets`,
              token,
              { text, reply: { in_reply_to_tweet_id: target.providerId } },
              urls.timeoutMs,
            );
      return xOutcome(r.status, r.json);
    }
    return { ok: false, error: 'Generic sources take no replies from Rapport' };
  } catch (err) {
    const e = err as Error;
    return {
      ok: false,
      error: e.name === 'TimeoutError' ? 'The provider did not answer in time' : 'The provider could not be reached',
    };
  }
}

const HOUR = 3600_000;

/**
 * The network's reply window for a conversation, from the customer's last message:
 * Messenger standard messaging 24 hours; Instagram 24 hours, then 7 days for a human agent
 * (the HUMAN_AGENT tag); comments, mentions and X have none.
 */
export function replyWindow(
  network: SocialNetwork,
  kind: SocialKind,
  lastInbound: Date | null,
  now: Date,
): { endsAt: Date | null; open: boolean; humanAgent: boolean; rule: string } {
  if (kind !== 'message' || (network !== 'facebook' && network !== 'instagram') || !lastInbound)
    return { endsAt: null, open: true, humanAgent: false, rule: 'No reply window' };
  const standard = new Date(lastInbound.getTime() + 24 * HOUR);
  if (network === 'facebook')
    return {
      endsAt: standard,
      open: now <= standard,
      humanAgent: false,
      rule: 'Messenger standard messaging: 24 hours after the customer’s last message',
    };
  const human = new Date(lastInbound.getTime() + 7 * 24 * HOUR);
  return {
    endsAt: human,
    open: now <= human,
    humanAgent: now > standard,
    rule: 'Instagram: 24 hours after the customer’s last message, 7 days for a human agent (HUMAN_AGENT tag)',
  };
}
