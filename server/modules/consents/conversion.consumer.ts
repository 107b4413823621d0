import { sql } from 'kysely';
import { enterWorkspace, leaveWorkspace } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { RecordService } from '../../platform/records/records.service';
import { appendConsent, type ConsentStatus } from './consents.service';

interface Newest {
  purpose: string;
  status: ConsentStatus;
  lawful_basis: string;
  source: 'form' | 'import' | 'api' | 'user' | 'chat' | 'gpc';
  wording: string | null;
  proof: Record<string, unknown>;
}

/**
 * Consent follows the person when a lead is converted (`lead.converted`): each purpose whose
 * status on the lead is known and differs from the contact's is appended to the contact's
 * ledger with the lead's source, wording and proof (plus `convertedFromLead`), so an opt-out of
 * sale/sharing (doNotSell) or of profiling is not lost with the lead. A redelivered event finds
 * the statuses equal and appends nothing. Runs in the dispatcher's system transaction, switched
 * into each event's workspace.
 */
export function conversionConsumer(records: RecordService): EventConsumer {
  return {
    name: 'consents.conversion',
    types: ['lead.converted'],
    async handle(tx, events) {
      let wrote = false;
      try {
        for (const e of events) {
          const leadId = e.data?.leadId ?? e.recordId;
          const contactId = e.data?.contactId;
          if (typeof leadId !== 'string' || typeof contactId !== 'string') continue;
          await enterWorkspace(tx, e.workspaceId);
          const newest = async (object: 'leads' | 'contacts', id: string) =>
            (
              await sql<Newest>`select distinct on (purpose) purpose, status, lawful_basis, source, wording, proof
                from consents where workspace_id = ${e.workspaceId}::uuid and object = ${object} and record_id = ${id}::uuid
                order by purpose, recorded_at desc, id desc`.execute(tx)
            ).rows;
          const onContact = new Map((await newest('contacts', contactId)).map((c) => [c.purpose, c.status]));
          for (const c of await newest('leads', leadId)) {
            if (c.status === 'unknown' || onContact.get(c.purpose) === c.status) continue;
            await appendConsent(
              tx,
              { workspaceId: e.workspaceId, userId: e.actorUserId },
              records,
              'contacts',
              contactId,
              {
                purpose: c.purpose,
                status: c.status,
                source: c.source,
                lawfulBasis: c.lawful_basis,
                sourceRef: `lead:${leadId}`,
                wording: c.wording,
                proof: { ...c.proof, convertedFromLead: leadId },
              },
            );
            wrote = true;
          }
        }
      } finally {
        await leaveWorkspace(tx);
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}
