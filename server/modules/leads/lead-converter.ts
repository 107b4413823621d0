import { sql } from 'kysely';
import type { z } from 'zod';
import type { ConvertLeadRequest, ConvertLeadResponse } from '../../../common/contracts/sales';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { transactionTime } from '../../platform/db/transaction-time';
import { emitEvent } from '../../platform/events/events';
import { AppError } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import { presentRow, selectColumns } from '../../platform/records/query';
import type { RecordContext, RecordData, RecordService } from '../../platform/records/records.service';
import { linkTimeline } from '../duplicates';
import { accountMatches, companyProbe, contactMatches } from './conversion-matches';
import { normaliseDomain } from './leads.object';

export type ConvertInput = z.infer<typeof ConvertLeadRequest>;

export type ConvertResult = z.infer<typeof ConvertLeadResponse>['data'];

/** Custom field values of the lead that the target object has too (same name and type). */
function copiedCustom(lead: RecordData, from: ObjectSchema, to: ObjectSchema): RecordData {
  const out: RecordData = {};
  for (const f of from.customFields) {
    const target = to.field(f.name);
    if (target?.custom && target.def.type === f.type && lead[f.name] != null) out[f.name] = lead[f.name];
  }
  return out;
}

const clean = (r: RecordData) => Object.fromEntries(Object.entries(r).filter(([, v]) => v != null && v !== ''));

/** Whether a live account the caller can see has this domain. */
async function domainTaken(tx: Tx, records: RecordService, ctx: RecordContext, domain: string) {
  const { rows } = await sql`select 1 from ${records.scopedRelation(ctx, 'accounts')} t
    where t.domain = ${domain} limit 1`.execute(tx);
  return rows.length > 0;
}

/**
 * Transaction-scoped locks on matching keys, so two conversions cannot both create "the"
 * account or contact. Taken in one sorted order, so two conversions never wait on each other in a circle.
 */
async function lockKeys(tx: Tx, workspaceId: string, keys: string[]) {
  for (const key of [...new Set(keys)].sort()) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`${workspaceId}:${key}`}, 7))`.execute(tx);
  }
}

/**
 * Converts a lead in one transaction: links or creates the account (the first strong
 * match of conversion-matches.ts: domain, website, business email domain or normalised
 * company name), links or creates the contact (matched by email, also among other emails),
 * optionally creates an opportunity with the contact as primary, copies the lead's
 * fields, tags and same-named custom fields, links the lead's timeline to the contact's,
 * and marks the lead converted. Records are created through the record engine, so the
 * caller's permissions, field rules and audit apply; matching only sees records the
 * caller can see, and unique keys (account domain, contact email) refuse duplicates.
 */
export async function convertLead(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  leadId: string,
  input: ConvertInput,
): Promise<ConvertResult> {
  const ctx = await records.require(tx, actor, 'leads', leadId, 'update');
  const leadSchema = ctx.full.get('leads') as ObjectSchema;
  const { rows } = await sql<Record<string, unknown>>`select ${selectColumns(leadSchema, undefined)} from leads t
    where t.id = ${leadId}::uuid`.execute(tx);
  const lead = presentRow(leadSchema, rows[0] as Record<string, unknown>);
  if (lead.status === 'converted') {
    throw new AppError('conflict', 'This lead is already converted', {
      errors: [{ path: 'status', message: `converted on ${lead.convertedAt}` }],
    });
  }
  const ownerId = input.ownerId ?? (lead.ownerId as string | null) ?? actor.userId;
  const tags = (lead.tags as string[]) ?? [];
  const full = (o: string) => ctx.full.get(o) as ObjectSchema;

  // Account -------------------------------------------------------------------
  let account: ConvertResult['account'] = null;
  if (input.accountId) {
    await linkable(tx, records, actor, 'accounts', input.accountId, 'accountId');
    account = { id: input.accountId, created: false };
  } else {
    const domain =
      (lead.domain as string | null) ?? (typeof lead.website === 'string' ? normaliseDomain(lead.website) : null);
    const company = (lead.company as string | null)?.trim() || null;
    const probe = companyProbe(lead);
    // A lead with only a business email still finds its company's account; it creates one only from a company or domain.
    if (domain || company || probe.emailDomains.length) {
      await lockKeys(tx, actor.workspaceId, [
        ...[...probe.domains, ...probe.emailDomains].map((d) => `account:${d}`),
        ...(probe.key ? [`account:name:${probe.key}`] : []),
      ]);
      const best = input.newAccount ? undefined : (await accountMatches(tx, records, ctx, lead))[0];
      if (best?.strong) account = { id: best.id, created: false };
      else if (domain || company) {
        // A domain names one account: a new account the rep asked for leaves out one already taken.
        const keepDomain = domain && !(input.newAccount && (await domainTaken(tx, records, ctx, domain)));
        const created = await records.create(tx, actor, 'accounts', {
          ...clean({
            name: company ?? domain,
            domain: keepDomain ? domain : null,
            website: lead.website,
            industry: lead.industry,
            employees: lead.employees,
            address: lead.address,
          }),
          ...copiedCustom(lead, leadSchema, full('accounts')),
          ownerId,
          tags,
        });
        account = { id: created.id as string, created: true };
      }
    }
  }

  // Contact -------------------------------------------------------------------
  const wantsOpportunity = input.createOpportunity !== false;
  let contact: ConvertResult['contact'];
  if (input.contactId) {
    await linkable(tx, records, actor, 'contacts', input.contactId, 'contactId');
    contact = { id: input.contactId, created: false };
  } else {
    const email = lead.email as string | null;
    if (email) await lockKeys(tx, actor.workspaceId, [`contact:${email}`]);
    const found = (await contactMatches(tx, records, ctx, lead))[0]?.id;
    if (found) contact = { id: found, created: false };
    else {
      const lifecycle = wantsOpportunity
        ? 'opportunity'
        : lead.status === 'mql'
          ? 'mql'
          : lead.status === 'sql'
            ? 'sql'
            : 'lead';
      const created = await records.create(tx, actor, 'contacts', {
        ...clean({
          firstName: lead.firstName,
          lastName: lead.lastName,
          email,
          emails: (lead.emails as unknown[] | null)?.length ? lead.emails : null,
          phone: lead.phone,
          phones: (lead.phones as unknown[] | null)?.length ? lead.phones : null,
          title: lead.title,
          address: lead.address,
          description: lead.description,
          accountId: account?.id,
        }),
        ...copiedCustom(lead, leadSchema, full('contacts')),
        ...(!lead.lastName && !lead.firstName && !email ? { lastName: lead.company } : {}),
        lifecycleStage: lifecycle,
        ownerId,
        tags,
      });
      contact = { id: created.id as string, created: true };
    }
  }
  if (!contact.created) await addToExisting(tx, records, actor, 'contacts', contact.id, tags, account?.id);
  if (account && !account.created && tags.length) await addToExisting(tx, records, actor, 'accounts', account.id, tags);

  // Opportunity ---------------------------------------------------------------
  let opportunity: ConvertResult['opportunity'] = null;
  if (wantsOpportunity) {
    const o = input.opportunity ?? {};
    const who = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
    const created = await records.create(tx, actor, 'opportunities', {
      ...clean({
        name: o.name ?? `${(lead.company as string | null) || who || (lead.email as string)}`,
        accountId: account?.id,
        amount: o.amount,
        pipelineId: o.pipelineId,
        stageId: o.stageId,
        expectedCloseDate: o.expectedCloseDate,
        source: lead.source,
        // First touch: the campaign that brought the lead brought its opportunity.
        sourceCampaignId: lead.sourceCampaignId,
      }),
      ...copiedCustom(lead, leadSchema, full('opportunities')),
      ownerId,
      tags,
    });
    opportunity = { id: created.id as string };
    await sql`insert into opportunity_contacts (workspace_id, opportunity_id, contact_id, is_primary)
      values (${actor.workspaceId}, ${opportunity.id}, ${contact.id}, true)`.execute(tx);
  }

  // The lead ------------------------------------------------------------------
  const links = { accountId: account?.id ?? null, contactId: contact.id, opportunityId: opportunity?.id ?? null };
  // Status `converted` and the converted* fields are read-only to callers: a system write
  // (version bump, audit row, lead.updated event) sets them.
  const record = (await records.systemWrite(
    tx,
    actor,
    'leads',
    leadId,
    {
      status: 'converted',
      convertedAt: await transactionTime(tx),
      convertedAccountId: links.accountId,
      convertedContactId: links.contactId,
      convertedOpportunityId: links.opportunityId,
    },
    { detail: { converted: links } },
  )) as RecordData;
  const after = records.presentFor(ctx, record);
  await linkTimeline(
    tx,
    actor.workspaceId,
    { object: 'leads', id: leadId },
    { object: 'contacts', id: contact.id },
    'converted',
  );
  await emitEvent(tx, actor, {
    type: 'lead.converted',
    object: 'leads',
    recordId: leadId,
    data: {
      leadId,
      ...links,
      accountCreated: account?.created ?? false,
      contactCreated: contact.created,
    },
  });
  return { lead: after, account, contact, opportunity };
}

/** A record named in the request must be visible to the caller (422 naming the field otherwise). */
async function linkable(tx: Tx, records: RecordService, actor: Actor, object: string, id: string, path: string) {
  try {
    await records.get(tx, actor, object, id, { fields: 'id' });
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') {
      throw new AppError('validation_failed', `${path} points to a record that does not exist`, {
        errors: [{ path, message: 'points to a record that does not exist' }],
      });
    }
    throw err;
  }
}

/** Adds the lead's tags (and an account when it has none) to a record conversion linked. */
async function addToExisting(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
  id: string,
  tags: string[],
  accountId?: string,
) {
  const current = await records.get(tx, actor, object, id);
  const patch: RecordData = {};
  const merged = [...new Set([...((current.tags as string[]) ?? []), ...tags])];
  if (merged.length !== ((current.tags as string[]) ?? []).length) patch.tags = merged;
  if (accountId && object === 'contacts' && !current.accountId) patch.accountId = accountId;
  if (Object.keys(patch).length === 0) return;
  // Linking is allowed with read access; adding tags needs update: skip quietly without it.
  const ctx = await records.context(tx, actor, object);
  if (!ctx.policy.can(object, 'update')) return;
  try {
    await records.update(tx, actor, object, id, patch);
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'not_found')) throw err;
  }
}
