import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import { BUILT_IN_PURPOSES } from '../../../common/contracts/audience';
import {
  type CompletePrivacyRequest,
  type CreatePrivacyRequest,
  PRIVACY_DUE_DAYS,
  PRIVACY_EXTENSION_DAYS,
  type PublicPrivacyRequest,
  type TPrivacyRequest,
  type UpdatePrivacyRequest,
} from '../../../common/contracts/privacy';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import { type Database, enterWorkspace, type Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import { enqueueMail } from '../../platform/mail/outbox';
import type { RecordService } from '../../platform/records/records.service';
import { appendConsent } from '../consents';
import { accessZip, collectAccess } from './access-export';
import { eraseSubject } from './erasure';
import { findSubject, privacyActor } from './subject';

interface Row {
  id: string;
  type: TPrivacyRequest['type'];
  email: string | null;
  regime: TPrivacyRequest['regime'];
  status: TPrivacyRequest['status'];
  source: TPrivacyRequest['source'];
  mode: TPrivacyRequest['mode'];
  details: string;
  due_at: Date | string;
  extended_reason: string | null;
  assignee_id: string | null;
  verified_at: Date | string | null;
  result: Record<string, unknown>;
  created_at: Date | string;
  completed_at: Date | string | null;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const isoOrNull = (d: Date | string | null) => (d == null ? null : iso(d));
const DAY = 86_400_000;

const present = (r: Row): TPrivacyRequest => ({
  id: r.id,
  type: r.type,
  email: r.email,
  regime: r.regime,
  status: r.status,
  source: r.source,
  mode: r.mode,
  details: r.details,
  dueAt: iso(r.due_at),
  extendedReason: r.extended_reason,
  assigneeId: r.assignee_id,
  verifiedAt: isoOrNull(r.verified_at),
  result: r.result ?? {},
  createdAt: iso(r.created_at),
  completedAt: isoOrNull(r.completed_at),
});

const COLUMNS = sql`id, type, email, regime, status, source, mode, details, due_at, extended_reason, assignee_id,
  verified_at, result, created_at, completed_at`;

/** The request's audit entry: never the person's address (an erasure would have to find it there again). */
const auditStep = (tx: Tx, actor: Pick<Actor, 'workspaceId' | 'userId'>, action: string, id: string, detail = {}) =>
  audit(tx, actor, { action: `privacy.request.${action}`, object: 'privacy_requests', recordId: id, detail });

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

async function load(tx: Tx, id: string, lock = false): Promise<Row> {
  const { rows } = await sql<Row>`select ${COLUMNS} from privacy_requests where id = ${id}::uuid
    ${lock ? sql`for update` : sql``}`.execute(tx);
  if (!rows[0]) throw notFound('Privacy request');
  return rows[0];
}

/** Locks the request in the transaction that carries it out: a second, concurrent completion finds it done (409). */
async function lockOpen(tx: Tx, workspaceId: string, id: string): Promise<void> {
  const { rows } = await sql<{ status: string }>`select status from privacy_requests
    where workspace_id = ${workspaceId}::uuid and id = ${id}::uuid for update`.execute(tx);
  const status = rows[0]?.status;
  if (status === 'completed' || status === 'rejected') throw new AppError('conflict', `This request is ${status}`);
}

async function assertMember(tx: Tx, userId: string) {
  const { rows } = await sql`select 1 from workspace_members where user_id = ${userId}::uuid`.execute(tx);
  if (rows.length === 0) throw invalidField('assigneeId', 'is not a member of this workspace');
}

/** Mails the identity-verification link (the token is only in the mail; its hash in the row). */
async function sendVerification(tx: Tx, baseUrl: string, workspaceId: string, id: string, email: string) {
  const token = `rpv_${randomBytes(32).toString('base64url')}`;
  await sql`update privacy_requests set verification_hash = ${tokenHash(token)} where id = ${id}::uuid`.execute(tx);
  const link = new URL(`/privacy/verify/${token}`, baseUrl).toString();
  await enqueueMail(tx, workspaceId, {
    to: email,
    subject: 'Confirm your privacy request',
    text: `We received a request about the personal data held for this address.\n\nTo confirm it was you, open this link:\n${link}\n\nIf you did not ask, ignore this mail: nothing will happen.`,
    confidential: true,
  });
}

export async function createRequest(
  tx: Tx,
  actor: Pick<Actor, 'workspaceId' | 'userId'>,
  input: z.output<typeof CreatePrivacyRequest> & { source?: 'admin' | 'public' | 'api' },
  ctx: { now: Date; baseUrl: string },
): Promise<{ id: string; dueAt: string }> {
  if (input.assigneeId) await assertMember(tx, input.assigneeId);
  const id = uuidv7();
  const dueAt = new Date(ctx.now.getTime() + PRIVACY_DUE_DAYS[input.regime] * DAY);
  const verified = input.verified === true;
  await sql`insert into privacy_requests (workspace_id, id, type, email, regime, status, source, mode, details, due_at,
      assignee_id, verified_at, created_by, created_at, updated_at)
    values (${actor.workspaceId}::uuid, ${id}::uuid, ${input.type}, ${input.email}, ${input.regime},
      ${verified ? 'pending' : 'unverified'}, ${input.source ?? 'admin'}, ${input.mode}, ${input.details}, ${dueAt},
      ${input.assigneeId ?? null}::uuid, ${verified ? ctx.now : null}, ${actor.userId}::uuid, ${ctx.now}, ${ctx.now})`.execute(
    tx,
  );
  await auditStep(tx, actor, 'created', id, {
    type: input.type,
    regime: input.regime,
    source: input.source ?? 'admin',
    verified,
    dueAt: dueAt.toISOString(),
  });
  if (!verified) await sendVerification(tx, ctx.baseUrl, actor.workspaceId, id, input.email);
  return { id, dueAt: dueAt.toISOString() };
}

export async function listRequests(tx: Tx, query: { status?: string; type?: string; limit: number }) {
  const { rows } = await sql<Row>`select ${COLUMNS} from privacy_requests
    where true ${query.status ? sql`and status = ${query.status}` : sql``}
      ${query.type ? sql`and type = ${query.type}` : sql``}
    order by (status in ('completed', 'rejected')), due_at, id limit ${query.limit}`.execute(tx);
  return rows.map(present);
}

export const getRequest = async (tx: Tx, id: string) => present(await load(tx, id));

export async function updateRequest(
  tx: Tx,
  actor: Actor,
  id: string,
  input: z.output<typeof UpdatePrivacyRequest>,
  now: Date,
): Promise<TPrivacyRequest> {
  const r = await load(tx, id, true);
  const open = r.status !== 'completed' && r.status !== 'rejected';
  if (!open && (input.verified || input.status || input.assigneeId !== undefined))
    throw new AppError('conflict', `This request is ${r.status}`);
  if (input.assigneeId) await assertMember(tx, input.assigneeId);
  if (input.assigneeId !== undefined) {
    await sql`update privacy_requests set assignee_id = ${input.assigneeId}::uuid, updated_at = ${now}
      where id = ${id}::uuid`.execute(tx);
    await auditStep(tx, actor, 'assigned', id, { assigneeId: input.assigneeId });
  }
  if (input.verified && !r.verified_at) {
    await sql`update privacy_requests set verified_at = ${now}, verification_hash = null,
      status = case when status = 'unverified' then 'pending' else status end, updated_at = ${now}
      where id = ${id}::uuid`.execute(tx);
    await auditStep(tx, actor, 'verified', id, { by: 'administrator' });
  }
  if (input.details !== undefined) {
    await sql`update privacy_requests set details = ${input.details}, updated_at = ${now} where id = ${id}::uuid`.execute(
      tx,
    );
    await auditStep(tx, actor, 'noted', id);
  }
  if (input.status === 'rejected') {
    await sql`update privacy_requests set status = 'rejected', completed_at = ${now}, updated_at = ${now}
      where id = ${id}::uuid`.execute(tx);
    await auditStep(tx, actor, 'rejected', id);
  }
  return getRequest(tx, id);
}

/** Extends the due date once (GDPR: by two months, CCPA: by 45 days), with the reason the person is told. */
export async function extendRequest(tx: Tx, actor: Actor, id: string, reason: string, now: Date) {
  const r = await load(tx, id, true);
  if (r.status === 'completed' || r.status === 'rejected')
    throw new AppError('conflict', `This request is ${r.status}`);
  if (r.extended_reason) throw new AppError('conflict', 'This request was extended already; it can be extended once');
  const dueAt = new Date(new Date(r.due_at).getTime() + PRIVACY_EXTENSION_DAYS[r.regime] * DAY);
  await sql`update privacy_requests set due_at = ${dueAt}, extended_reason = ${reason}, updated_at = ${now}
    where id = ${id}::uuid`.execute(tx);
  await auditStep(tx, actor, 'extended', id, { dueAt: dueAt.toISOString(), reason });
  return getRequest(tx, id);
}

/** The person opened the emailed link: their identity is verified. Unknown tokens change nothing. */
export async function verifyByToken(database: Database, token: string, now: Date): Promise<boolean> {
  const hash = tokenHash(token);
  const found = await database.system(async (tx) => {
    const { rows } = await sql<{ workspace_id: string; id: string }>`
      select workspace_id, id from privacy_requests where verification_hash = ${hash}`.execute(tx);
    return rows[0] ?? null;
  });
  if (!found) return false;
  await database.tenant(found.workspace_id, async (tx) => {
    const { rows } = await sql`update privacy_requests set verified_at = ${now}, verification_hash = null,
        status = case when status = 'unverified' then 'pending' else status end, updated_at = ${now}
      where id = ${found.id}::uuid and verification_hash = ${hash} returning id`.execute(tx);
    if (rows.length)
      await auditStep(tx, { workspaceId: found.workspace_id, userId: null }, 'verified', found.id, {
        by: 'emailed link',
      });
  });
  return true;
}

/** A public intake: recorded (unverified) and a link mailed; the answer never depends on what is known. */
export async function publicIntake(
  database: Database,
  workspaceId: string,
  input: z.output<typeof PublicPrivacyRequest>,
  ctx: { now: Date; baseUrl: string },
): Promise<void> {
  const exists = await database.system(async (tx) => {
    const { rows } = await sql`select 1 from workspaces where id = ${workspaceId}::uuid`.execute(tx);
    return rows.length > 0;
  });
  if (!exists) return;
  await database.tenant(workspaceId, (tx) =>
    createRequest(
      tx,
      { workspaceId, userId: null },
      { ...input, regime: 'gdpr', mode: 'delete', source: 'public' },
      ctx,
    ),
  );
}

/** The salted hash an erased request keeps instead of the address (the workspace's forms of it differ). */
const subjectHash = (workspaceId: string, email: string) =>
  createHmac('sha256', workspaceId).update(email).digest('hex');

/**
 * Carries a request out. Access: gathers what is held (the ZIP is built by `exportAccess`);
 * erasure: removes the person everywhere (erasure.ts), in one transaction with the request's
 * own completion; rectification: the corrected values through the record engine's edit path
 * as the administrator, recorded against the request; opt-out and restriction: the consent
 * ledger (sale/sharing withdrawn; for restriction every built-in purpose withdrawn).
 */
export async function completeRequest(
  database: Database,
  records: RecordService,
  actor: Actor,
  id: string,
  input: z.output<typeof CompletePrivacyRequest>,
  now: Date,
): Promise<TPrivacyRequest> {
  const start = await database.tenant(actor.workspaceId, async (tx) => {
    await records.access.assertAdmin(tx, actor);
    const r = await load(tx, id, true);
    if (r.status === 'completed' || r.status === 'rejected')
      throw new AppError('conflict', `This request is ${r.status}`);
    if (!r.verified_at)
      throw new AppError('conflict', "The person's identity is not verified yet (emailed link or an administrator)");
    if (r.type === 'rectification' && !input.changes)
      throw invalidField('changes', 'Enter the corrected values for a rectification');
    return r;
  });
  const email = start.email as string;
  const system = privacyActor(actor.workspaceId, actor.userId);
  if (start.type === 'erasure') {
    await database.system(async (tx) => {
      await lockOpen(tx, actor.workspaceId, id);
      await enterWorkspace(tx, actor.workspaceId);
      const subject = await findSubject(tx, records, system, email);
      const report = await eraseSubject(tx, records, system, subject, start.mode);
      // eraseSubject leaves the transaction as the owner: scope by workspace.
      await sql`update privacy_requests set email = null, subject_hash = ${subjectHash(actor.workspaceId, email)},
          status = 'completed', completed_at = ${now}, updated_at = ${now}, result = ${JSON.stringify(report)}::jsonb
        where workspace_id = ${actor.workspaceId}::uuid and id = ${id}::uuid`.execute(tx);
      await auditStep(tx, actor, 'completed', id, {
        type: 'erasure',
        mode: report.mode,
        people: report.people,
        recordsPurged: report.recordsPurged,
        recordsRewritten: report.recordsRewritten,
      });
    });
  } else {
    await database.tenant(actor.workspaceId, async (tx) => {
      await lockOpen(tx, actor.workspaceId, id);
      const subject = await findSubject(tx, records, system, email);
      let result: Record<string, unknown> = { people: subject.records.length };
      if (start.type === 'access') {
        result = { ...result, note: 'Download the export: GET /api/v1/privacy/requests/{id}/export' };
      } else if (start.type === 'rectification') {
        const changes = input.changes ?? {};
        for (const p of subject.records) await records.update(tx, actor, p.object, p.id, changes);
        result = {
          ...result,
          fields: Object.keys(changes),
          records: subject.records.map((p) => `${p.object}:${p.id}`),
        };
        await auditStep(tx, actor, 'rectified', id, result);
      } else {
        const purposes = start.type === 'opt_out' ? ['sale_sharing'] : [...BUILT_IN_PURPOSES];
        for (const p of subject.records)
          for (const purpose of purposes)
            await appendConsent(tx, actor, records, p.object, p.id, {
              purpose,
              status: 'withdrawn',
              source: 'user',
              sourceRef: `privacy_request:${id}`,
              wording:
                start.type === 'opt_out'
                  ? 'Opt-out of sale/sharing (privacy request)'
                  : 'Restriction of processing (privacy request)',
              proof: { privacyRequestId: id },
            });
        result = { ...result, purposes };
      }
      await sql`update privacy_requests set status = 'completed', completed_at = ${now}, updated_at = ${now},
          result = ${JSON.stringify(result)}::jsonb where id = ${id}::uuid`.execute(tx);
      await auditStep(tx, actor, 'completed', id, { type: start.type, people: subject.records.length });
    });
  }
  return database.tenantRead(actor.workspaceId, (tx) => getRequest(tx, id));
}

/** The access export of a completed access request, as a ZIP (built now, never stored). */
export async function exportAccess(
  database: Database,
  records: RecordService,
  actor: Actor,
  id: string,
  now: Date,
): Promise<{ zip: Uint8Array; filename: string }> {
  const r = await database.tenant(actor.workspaceId, async (tx) => {
    await records.access.assertAdmin(tx, actor);
    const row = await load(tx, id);
    if (row.type !== 'access') throw new AppError('conflict', 'Only access requests have an export');
    if (row.status !== 'completed') throw new AppError('conflict', 'Complete the request first');
    await auditStep(tx, actor, 'exported', id);
    return row;
  });
  const email = r.email as string;
  const system = privacyActor(actor.workspaceId, actor.userId);
  const { data, workspace } = await database.system(async (tx) => {
    await enterWorkspace(tx, actor.workspaceId);
    const subject = await findSubject(tx, records, system, email);
    const data = await collectAccess(tx, records, system, subject);
    const { rows } = await sql<{
      name: string;
    }>`select name from workspaces where id = ${actor.workspaceId}::uuid`.execute(tx);
    return { data, workspace: rows[0]?.name ?? 'this workspace' };
  });
  const zip = accessZip(data, { requestId: id, email, generatedAt: now.toISOString(), workspace });
  return { zip, filename: `personal-data-${id}.zip` };
}
