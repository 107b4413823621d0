import { sql } from 'kysely';
import type { TCampaignSettings } from '../../../common/contracts/campaigns';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';

const DEFAULTS: TCampaignSettings = { marketingLawfulBasis: 'consent' };

/** The workspace's campaign settings (the defaults until an administrator changes them). */
export async function campaignSettings(tx: Tx, workspaceId: string): Promise<TCampaignSettings> {
  const { rows } = await sql<{ marketing_lawful_basis: TCampaignSettings['marketingLawfulBasis'] }>`
    select marketing_lawful_basis from campaign_settings where workspace_id = ${workspaceId}::uuid`.execute(tx);
  return rows[0] ? { marketingLawfulBasis: rows[0].marketing_lawful_basis } : { ...DEFAULTS };
}

/** The settings as the caller may read them: anyone who may read campaigns (403 otherwise). */
export async function readCampaignSettings(tx: Tx, records: RecordService, actor: Actor): Promise<TCampaignSettings> {
  (await records.access.policy(tx, actor)).assert('campaigns', 'read');
  return campaignSettings(tx, actor.workspaceId);
}

/** Changes them: administrators only (403 otherwise), audited from → to. */
export async function updateCampaignSettings(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  input: Partial<TCampaignSettings>,
): Promise<TCampaignSettings> {
  if (!(await records.access.policy(tx, actor)).admin) {
    throw new AppError('forbidden', 'Only administrators may choose the lawful basis');
  }
  const before = await campaignSettings(tx, actor.workspaceId);
  const next = { ...before, ...input };
  await sql`insert into campaign_settings (workspace_id, marketing_lawful_basis)
    values (${actor.workspaceId}::uuid, ${next.marketingLawfulBasis})
    on conflict (workspace_id) do update set marketing_lawful_basis = excluded.marketing_lawful_basis,
      updated_at = now()`.execute(tx);
  if (before.marketingLawfulBasis !== next.marketingLawfulBasis) {
    await audit(tx, actor, {
      action: 'campaigns.settings_changed',
      changes: { marketingLawfulBasis: [before.marketingLawfulBasis, next.marketingLawfulBasis] },
    });
  }
  return next;
}
