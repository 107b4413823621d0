import { defineModule } from '../../platform/modules';
import { priceBookRoutes } from './price-books.routes';
import { productsObject } from './products.object';

export {
  type PriceBook,
  type PriceBookEntry,
  priceBookOptions,
  priceOf,
  standardPriceBookId,
  upsertEntries,
} from './price-books.service';

/** The product catalogue (and its price books) is shared and kept by administrators; others read all of it. */
const CATALOGUE_READER = { create: false, update: false, delete: false, scope: 'all' } as const;

/** Products and price books. */
export const productsModule = defineModule({
  name: 'products',
  objects: [productsObject],
  permissions: {
    sales_rep: { products: CATALOGUE_READER },
    marketing_manager: { products: CATALOGUE_READER },
    service_rep: { products: CATALOGUE_READER },
  },
  routes: priceBookRoutes,
});
