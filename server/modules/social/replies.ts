import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, invalidField } from '../../platform/http/errors';
import { notify } from '../../platform/notifications/notify';
import type { RecordService } from '../../platform/records/records.service';
import { systemActor } from '../tickets';
import { type ProviderUrls, type ReplyTarget, replyWindow, type SendOutcome, sendReply } from './adapters';
import { getConnection, markTokenFailed, openConnection } from './connections.service';
import type { SocialKind, SocialNetwork } from './social-messages.object';

export interface ReplyDeps {
  database: Database;
  records: RecordService;
  secrets: SecretBox;
  urls: ProviderUrls;
  now: () => Date;
}

const MESSAGE_FIELDS =
  'id,network,kind,direction,text,authorId,authorHandle,threadId,externalId,connectionId,contactId,replyToId,sentAt,deliveryStatus';

/** A social message with the fields replies need, whatever the caller's role shows (read as the system). */
async function load(tx: Tx, records: RecordService, workspaceId: string, id: string) {
  return records.get(tx, systemActor(workspaceId), 'social_messages', id, { fields: MESSAGE_FIELDS });
}

/** When the customer last wrote in a thread (the reply window counts from it). */
async function lastInbound(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  threadId: string,
): Promise<Date | null> {
  const res = await records.list(tx, systemActor(workspaceId), 'social_messages', {
    filter: {
      and: [
        { field: 'threadId', op: 'eq', value: threadId },
        { field: 'direction', op: 'eq', value: 'inbound' },
      ],
    },
    sort: '-sentAt',
    fields: 'id,sentAt',
    limit: 1,
  });
  const at = res.data[0]?.sentAt;
  return typeof at === 'string' ? new Date(at) : null;
}

/** The message a reply answers: the given one, or for one of our replies the customer's message it answered. */
async function inboundOf(tx: Tx, records: RecordService, workspaceId: string, id: string) {
  const m = await load(tx, records, workspaceId, id);
  if (m.direction === 'outbound') {
    if (!m.replyToId) throw invalidField('id', 'is a reply that answers no message');
    return load(tx, records, workspaceId, m.replyToId as string);
  }
  return m;
}

/** The reply window of the conversation a message belongs to. */
export async function windowOf(tx: Tx, records: RecordService, actor: Actor, id: string, now: Date) {
  await records.require(tx, actor, 'social_messages', id, 'read');
  const m = await inboundOf(tx, records, actor.workspaceId, id);
  const last = await lastInbound(tx, records, actor.workspaceId, m.threadId as string);
  const w = replyWindow(m.network as SocialNetwork, m.kind as SocialKind, last, now);
  return {
    network: m.network as string,
    kind: m.kind as string,
    replyWindowEndsAt: w.endsAt?.toISOString() ?? null,
    open: w.open,
    rule: w.rule,
  };
}

const providerIdOf = (externalId: unknown) => {
  const s = String(externalId ?? '');
  // facebook:<id>, instagram:<id>, x:<id>, x:dm:<id>
  return s.replace(/^(facebook|instagram|x|generic):(dm:|mention:)?/, '');
};

interface Prepared {
  replyId: string;
  target: ReplyTarget;
  connectionId: string;
  humanAgent: boolean;
  windowEndsAt: Date | null;
  inboundId: string;
  contactId: string | null;
}

/** Checks the window and the connection; the caller must be allowed to change the message. */
async function prepare(
  tx: Tx,
  deps: ReplyDeps,
  actor: Actor,
  id: string,
): Promise<
  Omit<Prepared, 'replyId'> & {
    network: SocialNetwork;
    kind: SocialKind;
    threadId: string;
    connName: string;
    pageId: string;
  }
> {
  await deps.records.require(tx, actor, 'social_messages', id, 'update');
  const m = await inboundOf(tx, deps.records, actor.workspaceId, id);
  const network = m.network as SocialNetwork;
  const kind = m.kind as SocialKind;
  if (network === 'generic') throw invalidField('id', 'is from a generic source, which takes no replies from Rapport');
  if (!m.connectionId) throw invalidField('id', 'was not received through a connection, so there is nowhere to reply');
  const conn = await getConnection(tx, m.connectionId as string).catch(() => {
    throw invalidField('id', 'came through a connection that was removed');
  });
  const last = await lastInbound(tx, deps.records, actor.workspaceId, m.threadId as string);
  const w = replyWindow(network, kind, last, deps.now());
  if (!w.open)
    throw new AppError('conflict', `The reply window closed at ${w.endsAt?.toISOString()} (${w.rule})`, {
      errors: [{ path: 'id', message: `the reply window closed at ${w.endsAt?.toISOString()}` }],
    });
  return {
    target: { network, kind, providerId: providerIdOf(m.externalId), authorId: m.authorId as string },
    connectionId: conn.id,
    humanAgent: w.humanAgent,
    windowEndsAt: w.endsAt,
    inboundId: m.id as string,
    contactId: (m.contactId as string | null) ?? null,
    network,
    kind,
    threadId: m.threadId as string,
    connName: conn.name,
    pageId: conn.external_id,
  };
}

/** Sends one prepared reply and writes the outcome (sent, or failed and kept for retry). */
async function deliver(deps: ReplyDeps, actor: Actor, p: Prepared, text: string) {
  const ws = actor.workspaceId;
  const conn = await deps.database.tenantRead(ws, async (tx) =>
    openConnection(deps.secrets, await getConnection(tx, p.connectionId)),
  );
  const outcome: SendOutcome = await sendReply(deps.urls, conn, p.target, text, { humanAgent: p.humanAgent });
  return deps.database.tenant(ws, async (tx) => {
    const sys = systemActor(ws);
    if (outcome.ok) {
      await deps.records.systemWrite(tx, sys, 'social_messages', p.replyId, {
        deliveryStatus: 'sent',
        deliveryError: null,
        ...(outcome.providerId ? { externalId: `${p.target.network}:out:${outcome.providerId}` } : {}),
        sentAt: deps.now().toISOString(),
      });
      await deps.records.systemWrite(tx, sys, 'social_messages', p.inboundId, { status: 'answered' });
      if (p.contactId) {
        // Our reply is a contact made: the contact's timeline and the "don't contact twice" ledger count it.
        await deps.records.create(tx, sys, 'interactions', {
          topic: `${p.target.network} reply: ${text.slice(0, 200)}`.slice(0, 300),
          channel: 'social',
          direction: 'outbound',
          occurredAt: deps.now().toISOString(),
          contactId: p.contactId,
          body: text,
          relatedObject: 'social_messages',
          relatedId: p.replyId,
          ...(actor.userId ? { ownerId: actor.userId, participantUserIds: [actor.userId] } : {}),
        });
      }
    } else {
      await deps.records.systemWrite(tx, sys, 'social_messages', p.replyId, {
        deliveryStatus: 'failed',
        deliveryError: outcome.error.slice(0, 500),
      });
      if (outcome.token) await tokenFailed(tx, ws, p.connectionId, outcome.token, outcome.error, actor.userId);
    }
    return {
      id: p.replyId,
      deliveryStatus: outcome.ok ? ('sent' as const) : ('failed' as const),
      deliveryError: outcome.ok ? null : outcome.error,
      replyWindowEndsAt: p.windowEndsAt?.toISOString() ?? null,
    };
  });
}

/**
 * Tells the administrator at once that a connection's token stopped working: the
 * connection shows it (tokenStatus), and the person who connected it and the person whose
 * reply failed get a notification (once per failure, not per reply).
 */
async function tokenFailed(
  tx: Tx,
  workspaceId: string,
  connectionId: string,
  status: 'expired' | 'revoked',
  error: string,
  userId: string | null,
): Promise<void> {
  const { rows } = await sql<{ token_status: string; created_by: string | null; name: string }>`
    select token_status, created_by, name from social_connections
    where workspace_id = rapport_workspace() and id = ${connectionId}::uuid`.execute(tx);
  const before = rows[0];
  await markTokenFailed(tx, connectionId, status, error);
  if (before?.token_status !== 'ok') return;
  for (const uid of new Set([before.created_by, userId].filter((u): u is string => !!u))) {
    await notify(tx, {
      workspaceId,
      userId: uid,
      kind: 'social_token',
      title: `The access token of ${before.name} has ${status === 'expired' ? 'expired' : 'been revoked'}`,
      body: `Replies through it fail and are kept for retry until a new token is set. The provider said: ${error}`,
      dedupeKey: `social-token:${connectionId}:${Date.now()}`,
    });
  }
}

/** Replies to a social message through its network; a failed reply is kept (deliveryStatus failed) for retry. */
export async function reply(deps: ReplyDeps, actor: Actor, id: string, text: string) {
  const p = await deps.database.tenant(actor.workspaceId, async (tx) => {
    const prep = await prepare(tx, deps, actor, id);
    const created = await deps.records.create(tx, actor, 'social_messages', {
      network: prep.network,
      kind: prep.kind === 'message' ? 'message' : 'reply',
      direction: 'outbound',
      text,
      authorHandle: prep.connName,
      authorId: prep.pageId,
      threadId: prep.threadId,
      connectionId: prep.connectionId,
      replyToId: prep.inboundId,
      contactId: prep.contactId,
      sentAt: deps.now().toISOString(),
    });
    return { ...prep, replyId: created.id as string };
  });
  return deliver(deps, actor, p, text);
}

/** Sends a failed reply again (after a new token, or when the provider was down). */
export async function retryReply(deps: ReplyDeps, actor: Actor, id: string) {
  const { p, text } = await deps.database.tenant(actor.workspaceId, async (tx) => {
    await deps.records.require(tx, actor, 'social_messages', id, 'update');
    const m = await load(tx, deps.records, actor.workspaceId, id);
    if (m.direction !== 'outbound' || m.deliveryStatus !== 'failed')
      throw invalidField('id', 'is not a failed reply (only failed replies are sent again)');
    const prep = await prepare(tx, deps, actor, m.replyToId as string);
    await deps.records.systemWrite(tx, systemActor(actor.workspaceId), 'social_messages', id, {
      deliveryStatus: 'sending',
    });
    return { p: { ...prep, replyId: id }, text: String(m.text ?? '') };
  });
  return deliver(deps, actor, p, text);
}
