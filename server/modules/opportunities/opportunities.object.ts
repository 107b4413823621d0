import type { ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';
import { SOURCES } from '../leads';
import { pipelineOptions } from '../pipelines';
import { afterOpportunityWrite, beforeOpportunityWrite } from './opportunity-rules';

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export const LOST_REASONS = [
  'price',
  'competitor',
  'no_budget',
  'no_decision',
  'timing',
  'product_fit',
  'went_silent',
  'other',
] as const;

/**
 * Opportunities: deals in progress, each in a pipeline's stage. The stage is a select
 * whose options are the workspace's stages (grouped by pipeline id), so generic boards
 * and filters work on it; opportunity-rules.ts keeps stage, status, probability,
 * close date and forecast consistent on every write and records the stage history.
 */
export const opportunitiesObject: ObjectDef = {
  name: 'opportunities',
  singular: 'opportunity',
  label: 'Opportunity',
  labelPlural: 'Opportunities',
  table: 'opportunities',
  titleFields: ['name'],
  subtitleFields: ['accountId'],
  defaultSort: '-createdAt',
  fields: [
    { name: 'name', type: 'text', label: 'Name', required: true, maxLength: 200, search: 'A', fuzzy: true },
    { name: 'accountId', type: 'relation', label: 'Account', relation: { object: 'accounts', cardinality: 'one' } },
    { name: 'pipelineId', type: 'select', label: 'Pipeline', indexed: true },
    { name: 'stageId', type: 'select', label: 'Stage', indexed: true },
    {
      name: 'status',
      type: 'select',
      label: 'Status',
      readOnly: true,
      options: opt('open', 'won', 'lost'),
      indexed: true,
      description: 'Follows the kind of the stage (open, won or lost)',
    },
    { name: 'amount', type: 'money', label: 'Amount' },
    { name: 'probability', type: 'percent', label: 'Probability (%)', min: 0, max: 100 },
    { name: 'expectedCloseDate', type: 'date', label: 'Expected close', indexed: true },
    { name: 'forecastCategory', type: 'select', label: 'Forecast category', options: opt(...FORECAST_CATEGORIES) },
    { name: 'closedAt', type: 'datetime', label: 'Closed', readOnly: true, indexed: true },
    { name: 'stageChangedAt', type: 'datetime', label: 'In stage since', readOnly: true, hidden: true },
    { name: 'lostReason', type: 'select', label: 'Lost reason', options: opt(...LOST_REASONS) },
    { name: 'lostReasonDetail', type: 'text', label: 'Lost reason detail', maxLength: 1000, hidden: true },
    { name: 'source', type: 'select', label: 'Source', options: SOURCES, hidden: true },
    {
      name: 'sourceCampaignId',
      type: 'text',
      label: 'Source campaign',
      maxLength: 36,
      hidden: true,
      description: 'The id (UUID) of the campaign that brought this opportunity; a relation once campaigns exist',
    },
    { name: 'nextStep', type: 'text', label: 'Next step', maxLength: 500 },
    { name: 'description', type: 'longText', label: 'Description', hidden: true },
  ],
  inverse: [{ name: 'quotes', object: 'quotes', via: 'opportunityId', label: 'Quotes' }],
  dynamicOptions: { fields: ['pipelineId', 'stageId'], load: pipelineOptions },
  validate(record) {
    const c = record.sourceCampaignId;
    if (typeof c === 'string' && c && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(c)) {
      return [{ path: 'sourceCampaignId', message: 'must be a campaign id (UUID)' }];
    }
    return [];
  },
  beforeWrite: beforeOpportunityWrite,
  afterWrite: afterOpportunityWrite,
};
