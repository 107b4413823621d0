import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { RetentionPolicyInput, TRetentionPolicy, TRetentionRun } from '../../../common/contracts/privacy';
import type { FilterNode } from '../../../common/filter';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import { type Database, enterWorkspace, type Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { eraseSubject } from './erasure';
import { fullName, PERSON_OBJECTS, type PersonObject, privacyActor, type Subject } from './subject';

/** The job that applies every active policy once a day. */
export const RETENTION_QUEUE = 'privacy.retention';
/** At most this many records per policy and run (the next day's run takes the rest). */
const RUN_LIMIT = 2000;
const SAMPLE = 20;
/** Field types an anonymised record (other than a person) loses. */
const PERSONAL_TYPES = new Set(['email', 'emails', 'phone', 'phones', 'address', 'longText', 'url', 'json']);

interface Row {
  id: string;
  name: string;
  object: string;
  filter: unknown;
  months: number;
  action: 'delete' | 'anonymise';
  active: boolean;
  last_run_at: Date | string | null;
  last_result: unknown;
}

const present = (r: Row): TRetentionPolicy => ({
  id: r.id,
  name: r.name,
  object: r.object,
  filter: r.filter ?? null,
  months: r.months,
  action: r.action,
  active: r.active,
  lastRunAt: r.last_run_at == null ? null : new Date(r.last_run_at).toISOString(),
  lastResult: r.last_result ?? null,
});

async function check(tx: Tx, records: RecordService, actor: Actor, input: z.output<typeof RetentionPolicyInput>) {
  if (!records.registry.get(input.object)) throw invalidField('object', `is not an object (${input.object})`);
  if (input.filter !== undefined && input.filter !== null)
    await records.checkFilter(tx, actor, input.object, input.filter, 'filter');
}

export async function listPolicies(tx: Tx): Promise<TRetentionPolicy[]> {
  const { rows } = await sql<Row>`select * from retention_policies order by created_at, id`.execute(tx);
  return rows.map(present);
}

async function load(tx: Tx, id: string): Promise<Row> {
  const { rows } = await sql<Row>`select * from retention_policies where id = ${id}::uuid`.execute(tx);
  if (!rows[0]) throw notFound('Retention policy');
  return rows[0];
}

export async function createPolicy(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  input: z.output<typeof RetentionPolicyInput>,
): Promise<TRetentionPolicy> {
  await check(tx, records, actor, input);
  const id = uuidv7();
  await sql`insert into retention_policies (workspace_id, id, name, object, filter, months, action, active)
    values (${actor.workspaceId}::uuid, ${id}::uuid, ${input.name}, ${input.object},
      ${input.filter == null ? null : JSON.stringify(input.filter)}::jsonb, ${input.months}, ${input.action}, ${input.active})`.execute(
    tx,
  );
  await audit(tx, actor, {
    action: 'privacy.retention.created',
    object: 'retention_policies',
    recordId: id,
    detail: input,
  });
  return present(await load(tx, id));
}

export async function updatePolicy(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  input: z.output<typeof RetentionPolicyInput>,
): Promise<TRetentionPolicy> {
  await load(tx, id);
  await check(tx, records, actor, input);
  await sql`update retention_policies set name = ${input.name}, object = ${input.object},
      filter = ${input.filter == null ? null : JSON.stringify(input.filter)}::jsonb, months = ${input.months},
      action = ${input.action}, active = ${input.active}, updated_at = now()
    where id = ${id}::uuid`.execute(tx);
  await audit(tx, actor, {
    action: 'privacy.retention.updated',
    object: 'retention_policies',
    recordId: id,
    detail: input,
  });
  return present(await load(tx, id));
}

export async function deletePolicy(tx: Tx, actor: Actor, id: string): Promise<void> {
  await load(tx, id);
  await sql`delete from retention_policies where id = ${id}::uuid`.execute(tx);
  await audit(tx, actor, { action: 'privacy.retention.deleted', object: 'retention_policies', recordId: id });
}

/** A person's record as the subject of an anonymisation (no request: the record itself names them). */
function subjectOf(object: PersonObject, id: string, record: RecordData): Subject {
  const emails = [record.email, ...((record.emails as { value?: string }[] | null) ?? []).map((e) => e.value)].filter(
    (e): e is string => typeof e === 'string' && e.length > 0,
  );
  const phones = [record.phone, ...((record.phones as { value?: string }[] | null) ?? []).map((p) => p.value)].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  const name = fullName(record);
  return {
    email: emails[0] ?? '',
    records: [{ object, id, record }],
    emails: emails.map((e) => e.toLowerCase()),
    phones,
    names: name ? [name] : [],
  };
}

/**
 * Applies one policy: the records of its object matching its filter and not updated for
 * `months` (read through the record engine as the system), deleted for good or anonymised —
 * a contact or lead through the erasure's anonymise mode (the person leaves every table, the
 * record stays for statistics), any other record by clearing its personal fields (emails,
 * phones, addresses, long texts, links, JSON) with `systemWrite`. A dry run only reports.
 * Either way one audit entry says what was (or would have been) done.
 */
export async function runPolicy(
  database: Database,
  records: RecordService,
  workspaceId: string,
  policyId: string,
  opts: { dryRun: boolean; now: Date; userId?: string | null },
): Promise<TRetentionRun> {
  const actor = privacyActor(workspaceId, opts.userId ?? null);
  const { policy, ids } = await database.tenant(workspaceId, async (tx) => {
    const policy = await load(tx, policyId);
    const cutoff = new Date(opts.now);
    cutoff.setUTCMonth(cutoff.getUTCMonth() - policy.months);
    const age: FilterNode = { field: 'updatedAt', op: 'lt', value: cutoff.toISOString() };
    const filter: FilterNode = policy.filter ? { and: [policy.filter as FilterNode, age] } : age;
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await records.list(tx, actor, policy.object, {
        limit: 500,
        fields: 'id',
        filter,
        cursor,
        sort: 'updatedAt',
      });
      ids.push(...page.data.map((r) => String(r.id)));
      cursor = page.page.nextCursor ?? undefined;
    } while (cursor && ids.length < RUN_LIMIT);
    return { policy, ids: ids.slice(0, RUN_LIMIT), cutoff };
  });
  const cutoff = new Date(opts.now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - policy.months);
  let processed = 0;
  if (!opts.dryRun) {
    for (const id of ids) {
      if (policy.action === 'delete') {
        await database.tenant(workspaceId, (tx) => records.purge(tx, actor, policy.object, id));
      } else if ((PERSON_OBJECTS as readonly string[]).includes(policy.object)) {
        await database.system(async (tx) => {
          await enterWorkspace(tx, workspaceId);
          const record = await records.get(tx, actor, policy.object, id);
          await eraseSubject(tx, records, actor, subjectOf(policy.object as PersonObject, id, record), 'anonymise');
        });
      } else {
        await database.tenant(workspaceId, async (tx) => {
          const record = await records.get(tx, actor, policy.object, id);
          const schema = records.registry.fields(policy.object);
          const changes: RecordData = {};
          for (const [field, value] of Object.entries(record)) {
            const def = schema.get(field);
            if (def && !def.readOnly && !def.required && PERSONAL_TYPES.has(def.type) && value != null)
              changes[field] = def.type === 'emails' || def.type === 'phones' ? [] : null;
            if (def?.type === 'relation' && !def.readOnly && ['contacts', 'leads'].includes(def.relation?.object ?? ''))
              if (value != null) changes[field] = null;
          }
          if (Object.keys(changes).length)
            await records.systemWrite(tx, actor, policy.object, id, changes, { detail: { retentionPolicy: policyId } });
        });
      }
      processed++;
    }
  }
  const result: TRetentionRun = {
    policyId,
    dryRun: opts.dryRun,
    object: policy.object,
    action: policy.action,
    cutoff: cutoff.toISOString(),
    matched: ids.length,
    processed,
    sampleIds: ids.slice(0, SAMPLE),
  };
  await database.tenant(workspaceId, async (tx) => {
    if (!opts.dryRun)
      await sql`update retention_policies set last_run_at = ${opts.now}, last_result = ${JSON.stringify(result)}::jsonb
        where id = ${policyId}::uuid`.execute(tx);
    await audit(tx, actor, {
      action: opts.dryRun ? 'privacy.retention.dry_run' : 'privacy.retention.run',
      object: 'retention_policies',
      recordId: policyId,
      detail: { ...result, sampleIds: undefined },
    });
  });
  return result;
}

/** The daily job: every active policy of every workspace. */
export async function runAllPolicies(database: Database, records: RecordService, now: Date): Promise<number> {
  const policies = await database.system(async (tx) => {
    const { rows } = await sql<{ workspace_id: string; id: string }>`
      select workspace_id, id from retention_policies where active order by workspace_id, created_at`.execute(tx);
    return rows;
  });
  for (const p of policies) {
    try {
      await runPolicy(database, records, p.workspace_id, p.id, { dryRun: false, now });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
  }
  return policies.length;
}
