import { defineModule } from '../../platform/modules';
import { quotesObject } from './quotes.object';
import { quoteRoutes } from './quotes.routes';

export { acceptQuote, type LineInput, setLines } from './quotes.service';

/** Quotes for opportunities: priced lines, totals, PDF, acceptance. */
export const quotesModule = defineModule({
  name: 'quotes',
  objects: [quotesObject],
  // Service reps see no deal values: not the quotes either (their totals are the amounts).
  permissions: { service_rep: { quotes: { create: false, read: false, update: false, delete: false } } },
  routes: quoteRoutes,
});
