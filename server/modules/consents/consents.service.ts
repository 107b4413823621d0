import { type RawBuilder, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import {
  BUILT_IN_PURPOSES,
  type TConsent,
  type TConsentLedger,
  type TConsentPostRequest,
} from '../../../common/contracts/audience';
import { STANDARD_PERMISSIONS } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import { AppError, invalidField } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import type { SharingCheck } from '../../platform/webhooks/sharing';

export type ConsentObject = 'contacts' | 'leads';
export type ConsentStatus = 'granted' | 'withdrawn' | 'unknown';

const BUILT_IN_LABELS: Record<string, string> = {
  marketing_email: 'Marketing email',
  tracking: 'Website tracking',
  profiling: 'Profiling and scoring',
  sale_sharing: 'Sale or sharing of data',
};

/** A change to append to the ledger (what the API and forms both record). */
export interface ConsentEntry {
  purpose: string;
  status: ConsentStatus;
  source: TConsent['source'];
  lawfulBasis?: string;
  sourceRef?: string | null;
  wording?: string | null;
  proof?: Record<string, unknown>;
}

interface Row {
  id: string;
  purpose: string;
  status: ConsentStatus;
  lawful_basis: string;
  source: TConsent['source'];
  source_ref: string | null;
  wording: string | null;
  proof: Record<string, unknown>;
  recorded_at: Date;
  recorded_by: string | null;
  recorded_by_name: string | null;
}

/** The workspace's purposes: the built-in ones, then its own, as key → label. */
export async function consentPurposes(tx: Tx): Promise<{ key: string; label: string; builtIn: boolean }[]> {
  const { rows } = await sql<{ key: string; label: string }>`
    select key, label from consent_purposes order by created_at, key`.execute(tx);
  return [
    ...BUILT_IN_PURPOSES.map((key) => ({ key, label: BUILT_IN_LABELS[key] ?? key, builtIn: true })),
    ...rows.map((r) => ({ ...r, builtIn: false })),
  ];
}

/** Adds a workspace purpose (409 when the key exists, built-in keys included). */
export async function addConsentPurpose(tx: Tx, workspaceId: string, input: { key: string; label: string }) {
  if ((BUILT_IN_PURPOSES as readonly string[]).includes(input.key))
    throw new AppError('already_exists', `${input.key} is a built-in purpose`, {
      errors: [{ path: 'key', message: 'is a built-in purpose' }],
    });
  const { rows } = await sql`insert into consent_purposes (workspace_id, key, label)
    values (${workspaceId}, ${input.key}, ${input.label}) on conflict do nothing returning key`.execute(tx);
  if (rows.length === 0)
    throw new AppError('already_exists', `A purpose ${input.key} exists`, {
      errors: [{ path: 'key', message: 'is already a purpose of this workspace' }],
    });
  return { key: input.key, label: input.label, builtIn: false };
}

/** Refuses a purpose the workspace does not have, naming `path`. */
export async function assertPurpose(tx: Tx, purpose: string, path = 'purpose'): Promise<void> {
  const known = await consentPurposes(tx);
  if (!known.some((p) => p.key === purpose))
    throw invalidField(path, `is not a consent purpose of this workspace (${known.map((p) => p.key).join(', ')})`);
}

/**
 * Appends one change to a record's consent ledger and emits `consent.changed`. No
 * permission check: callers check the record first (the routes) or act for the system
 * (a form submission). Never updates a row: the newest row per purpose is the status.
 */
export async function appendConsent(
  tx: Tx,
  actor: Pick<Actor, 'workspaceId' | 'userId'>,
  records: RecordService,
  object: ConsentObject,
  recordId: string,
  entry: ConsentEntry,
): Promise<string> {
  const id = uuidv7();
  const previous = await currentConsent(tx, object, recordId, entry.purpose);
  await sql`insert into consents (workspace_id, id, object, record_id, purpose, status, lawful_basis, source, source_ref,
      wording, proof, recorded_by)
    values (${actor.workspaceId}, ${id}, ${object}, ${recordId}, ${entry.purpose}, ${entry.status},
      ${entry.lawfulBasis ?? 'consent'}, ${entry.source}, ${entry.sourceRef ?? null}, ${entry.wording ?? null},
      ${JSON.stringify(entry.proof ?? {})}::jsonb, ${actor.userId})`.execute(tx);
  await emitEvent(tx, actor, {
    type: 'consent.changed',
    object,
    recordId,
    data: { consentId: id, purpose: entry.purpose, status: entry.status, previous, source: entry.source },
  });
  if (entry.purpose === SALE_SHARING) await keepDoNotSell(tx, actor, records, object, recordId, entry.status);
  return id;
}

/** The purpose behind "do not sell or share" (CCPA opt-out; Global Privacy Control records it). */
export const SALE_SHARING = 'sale_sharing';

/**
 * The record's `doNotSell` field follows its `sale_sharing` status (withdrawn ⇒ true), written
 * through the record engine as the system (the field is read-only for every role), so the
 * change is audited and emits `<object>.updated` like any other.
 */
async function keepDoNotSell(
  tx: Tx,
  actor: Pick<Actor, 'workspaceId' | 'userId'>,
  records: RecordService,
  object: ConsentObject,
  recordId: string,
  status: ConsentStatus,
): Promise<void> {
  const doNotSell = status === 'withdrawn';
  const system: Actor = {
    kind: 'user',
    userId: actor.userId,
    workspaceId: actor.workspaceId,
    role: 'administrator',
    scopes: [],
    permissions: STANDARD_PERMISSIONS.administrator,
  };
  await records.systemWrite(
    tx,
    system,
    object,
    recordId,
    { doNotSell },
    {
      where: sql`t.do_not_sell is distinct from ${doNotSell}`,
      detail: { consent: SALE_SHARING },
    },
  );
}

/**
 * A Global Privacy Control signal (`Sec-GPC: 1`) from the identified person: records an
 * opt-out of sale/sharing (source `gpc`) and of tracking, unless each is already withdrawn
 * (a browser sends the signal with every request; the history keeps the first). Public
 * endpoints call it once they know who the request is about (forms, t/collect; chat and
 * preference pages when they come). `proof` says where the signal was seen.
 */
export async function recordGpcOptOut(
  tx: Tx,
  actor: Pick<Actor, 'workspaceId' | 'userId'>,
  records: RecordService,
  object: ConsentObject,
  recordId: string,
  proof: Record<string, unknown>,
): Promise<boolean> {
  let changed = false;
  for (const purpose of [SALE_SHARING, 'tracking']) {
    if ((await currentConsent(tx, object, recordId, purpose)) === 'withdrawn') continue;
    await appendConsent(tx, actor, records, object, recordId, {
      purpose,
      status: 'withdrawn',
      source: 'gpc',
      wording: 'Global Privacy Control signal (Sec-GPC: 1)',
      proof: { signal: 'Sec-GPC: 1', seenAt: new Date().toISOString(), ...proof },
    });
    changed = true;
  }
  return changed;
}

/**
 * The webhooks' sharing rule: leads and contacts whose `sale_sharing` is withdrawn now
 * (`object:recordId` keys). Names the workspace in SQL (the fan-out runs as the system).
 */
export const saleSharingRefused: SharingCheck = async (tx, workspaceId, refs) => {
  const people = refs.filter((r) => r.object === 'leads' || r.object === 'contacts');
  if (people.length === 0) return new Set();
  const { rows } = await sql<{ object: string; record_id: string; status: ConsentStatus }>`
    select distinct on (c.object, c.record_id) c.object, c.record_id, c.status from consents c
    join jsonb_to_recordset(${JSON.stringify(people.map((p) => ({ o: p.object, r: p.recordId })))}::jsonb)
      as v(o text, r uuid) on c.object = v.o and c.record_id = v.r
    where c.workspace_id = ${workspaceId}::uuid and c.purpose = ${SALE_SHARING}
    order by c.object, c.record_id, c.recorded_at desc, c.id desc`.execute(tx);
  return new Set(rows.filter((r) => r.status === 'withdrawn').map((r) => `${r.object}:${r.record_id}`));
};

/** Whether a request carries the Global Privacy Control signal (`Sec-GPC: 1`). */
export const gpcSignal = (headers: Record<string, string | string[] | undefined>): boolean =>
  headers['sec-gpc'] === '1';

/**
 * The current status of one purpose for a record: its newest ledger entry's, `unknown`
 * when there is none. For other modules (campaigns check marketing_email before sending).
 */
export async function currentConsent(
  tx: Tx,
  object: ConsentObject,
  recordId: string,
  purpose: string,
): Promise<ConsentStatus> {
  const { rows } = await sql<{ status: ConsentStatus }>`
    select status from consents where object = ${object} and record_id = ${recordId}::uuid and purpose = ${purpose}
    order by recorded_at desc, id desc limit 1`.execute(tx);
  return rows[0]?.status ?? 'unknown';
}

/**
 * currentConsent for many records in one query (a campaign's batch): the status of
 * `purpose` by `object:recordId`; records with no entry are absent (unknown).
 */
export async function currentConsents(
  tx: Tx,
  workspaceId: string,
  refs: { object: ConsentObject; recordId: string }[],
  purpose: string,
): Promise<Map<string, ConsentStatus>> {
  const out = new Map<string, ConsentStatus>();
  if (refs.length === 0) return out;
  const { rows } = await sql<{ object: string; record_id: string; status: ConsentStatus }>`
    select distinct on (c.object, c.record_id) c.object, c.record_id, c.status from consents c
    join unnest(${refs.map((r) => r.object)}::text[], ${refs.map((r) => r.recordId)}::uuid[]) as v(o, r)
      on c.object = v.o and c.record_id = v.r
    where c.workspace_id = ${workspaceId}::uuid and c.purpose = ${purpose}
    order by c.object, c.record_id, c.recorded_at desc, c.id desc`.execute(tx);
  for (const r of rows) out.set(`${r.object}:${r.record_id}`, r.status);
  return out;
}

/**
 * SQL: whether the record `alias` (a lead or contact row with workspace_id and id) has
 * `purpose` withdrawn now (its newest ledger row), for set-based checks such as scoring's.
 */
export const withdrawnSql = (object: ConsentObject, purpose: string, alias = 't'): RawBuilder<boolean> =>
  sql<boolean>`coalesce((select c.status from consents c
    where c.workspace_id = ${sql.ref(`${alias}.workspace_id`)} and c.object = ${object}
      and c.record_id = ${sql.ref(`${alias}.id`)} and c.purpose = ${purpose}
    order by c.recorded_at desc, c.id desc limit 1), 'unknown') = 'withdrawn'`;

const present = (r: Row): TConsent => ({
  id: r.id,
  purpose: r.purpose,
  status: r.status,
  lawfulBasis: r.lawful_basis,
  source: r.source,
  sourceRef: r.source_ref,
  wording: r.wording,
  proof: r.proof,
  recordedAt: new Date(r.recorded_at).toISOString(),
  recordedBy: r.recorded_by ? { id: r.recorded_by, name: r.recorded_by_name ?? 'A former member' } : null,
});

/** The ledger of a record: every change, newest first, and each purpose's current status. No permission check. */
export async function ledger(tx: Tx, object: ConsentObject, recordId: string, limit = 500): Promise<TConsentLedger> {
  const { rows } = await sql<Row>`
    select c.id, c.purpose, c.status, c.lawful_basis, c.source, c.source_ref, c.wording, c.proof, c.recorded_at,
      c.recorded_by, u.name as recorded_by_name
    from consents c left join users u on u.id = c.recorded_by
    where c.object = ${object} and c.record_id = ${recordId}::uuid
    order by c.recorded_at desc, c.id desc limit ${limit}`.execute(tx);
  const data = rows.map(present);
  const purposes = await consentPurposes(tx);
  const newest = new Map<string, TConsent>();
  for (const c of data) if (!newest.has(c.purpose)) newest.set(c.purpose, c);
  const current = purposes.map((p) => {
    const c = newest.get(p.key);
    return {
      purpose: p.key,
      label: p.label,
      status: c?.status ?? ('unknown' as const),
      recordedAt: c?.recordedAt ?? null,
    };
  });
  return { data, current };
}

/** A record's ledger as the caller may see it: 404 when the record is not theirs to read. */
export async function readLedger(tx: Tx, actor: Actor, records: RecordService, object: ConsentObject, id: string) {
  await records.require(tx, actor, object, id, 'read');
  return ledger(tx, object, id);
}

/** Records a change the caller makes: they must be able to update the record (404 when they cannot see it). */
export async function recordConsent(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  object: ConsentObject,
  id: string,
  input: TConsentPostRequest,
): Promise<TConsent> {
  await records.require(tx, actor, object, id, 'read');
  await records.require(tx, actor, object, id, 'update');
  await assertPurpose(tx, input.purpose);
  const consentId = await appendConsent(tx, actor, records, object, id, {
    purpose: input.purpose,
    status: input.status,
    source: input.source ?? 'api',
    lawfulBasis: input.lawfulBasis,
    sourceRef: input.sourceRef,
    wording: input.wording,
    proof: input.proof,
  });
  const { data } = await ledger(tx, object, id);
  const added = data.find((c) => c.id === consentId);
  if (!added) throw new Error('consent row vanished');
  return added;
}
