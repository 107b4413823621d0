import { COST_CATEGORIES } from '../../../common/contracts/campaigns';
import type { ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';

/**
 * Cost entries: what was spent, on which day, on a campaign (or, without one, on
 * marketing or sales in general). A campaign may have many, so its cost is known per
 * period: customer acquisition cost over a period is the cost entries dated in it ÷ the
 * new customers won in it (server/modules/reports/cac.service.ts). A new entry is a
 * marketing cost unless told.
 */
export const campaignCostsObject: ObjectDef = {
  name: 'campaign_costs',
  singular: 'cost entry',
  label: 'Cost entry',
  labelPlural: 'Cost entries',
  table: 'campaign_costs',
  titleFields: ['description'],
  subtitleFields: ['category'],
  defaultSort: '-incurredOn',
  fields: [
    {
      name: 'campaignId',
      type: 'relation',
      label: 'Campaign',
      description: 'The campaign the money was spent on (empty: marketing or sales cost in general)',
      relation: { object: 'campaigns', cardinality: 'one' },
    },
    { name: 'category', type: 'select', label: 'Category', options: opt(...COST_CATEGORIES), indexed: true },
    { name: 'incurredOn', type: 'date', label: 'Date', required: true, indexed: true },
    { name: 'amount', type: 'money', label: 'Amount', required: true },
    { name: 'description', type: 'text', label: 'Description', maxLength: 500, search: 'A', fuzzy: true },
  ],
  async beforeWrite(_tx, w) {
    if (w.mode === 'create' && !w.changes.category) return { set: { category: 'marketing' } };
    if (w.changes.category === null)
      return { errors: [{ path: `${w.pathPrefix}category`, message: 'is marketing or sales' }] };
    return undefined;
  },
};
