import { defineModule } from '../../platform/modules';
import { accountsObject } from './accounts.object';

export { accountsObject, INDUSTRIES } from './accounts.object';

/** Accounts: the companies the CRM tracks. Sales reps do not see suppliers. */
export const accountsModule = defineModule({
  name: 'accounts',
  objects: [accountsObject],
  permissions: { sales_rep: { accounts: { where: { field: 'type', op: 'ne', value: 'supplier' } } } },
});
