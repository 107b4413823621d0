import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES } from '../../../common/contracts/campaigns';
import type { BeforeWrite, ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';

/** End not before start; a campaign is not its own parent; a new campaign is planned unless told. */
async function beforeCampaignWrite(
  _tx: unknown,
  w: BeforeWrite,
): Promise<{ errors?: { path: string; message: string }[]; set?: Record<string, unknown> } | undefined> {
  const p = w.pathPrefix;
  const start = (w.changes.startDate ?? w.before?.startDate) as string | null | undefined;
  const end = (w.changes.endDate ?? w.before?.endDate) as string | null | undefined;
  if (start && end && end < start) return { errors: [{ path: `${p}endDate`, message: 'is before the start date' }] };
  const parent = w.changes.parentId as string | null | undefined;
  if (parent && w.before && parent === w.before.id) {
    return { errors: [{ path: `${p}parentId`, message: 'a campaign cannot be its own parent' }] };
  }
  if (w.mode === 'create' && !w.changes.status) return { set: { status: 'planned' } };
  return undefined;
}

/**
 * Campaigns: a marketing effort (an email send, an event, direct mail…) with its dates,
 * budget and actual cost (exact money), owner, notes and parent campaign. Members (the
 * contacts, leads and accounts it targets) and sends live in the module's own tables;
 * leads and opportunities name their source campaign (first touch).
 */
export const campaignsObject: ObjectDef = {
  name: 'campaigns',
  singular: 'campaign',
  label: 'Campaign',
  labelPlural: 'Campaigns',
  table: 'campaigns',
  titleFields: ['name'],
  subtitleFields: ['type', 'status'],
  defaultSort: '-createdAt',
  fields: [
    { name: 'name', type: 'text', label: 'Name', required: true, maxLength: 200, search: 'A', fuzzy: true },
    { name: 'type', type: 'select', label: 'Type', required: true, options: opt(...CAMPAIGN_TYPES), indexed: true },
    { name: 'status', type: 'select', label: 'Status', options: opt(...CAMPAIGN_STATUSES), indexed: true },
    { name: 'startDate', type: 'date', label: 'Start', indexed: true },
    { name: 'endDate', type: 'date', label: 'End' },
    { name: 'budget', type: 'money', label: 'Budget' },
    { name: 'actualCost', type: 'money', label: 'Actual cost' },
    {
      name: 'parentId',
      type: 'relation',
      label: 'Parent campaign',
      relation: { object: 'campaigns', cardinality: 'one' },
    },
    { name: 'notes', type: 'longText', label: 'Notes', search: 'C' },
  ],
  beforeWrite: beforeCampaignWrite as ObjectDef['beforeWrite'],
};
