import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';
import { dealRoutes } from '../deals/deals.routes';
import { duplicateRoutes } from '../duplicates/duplicates.routes';
import { leadRoutes } from '../leads/leads.routes';
import { opportunityRoutes } from '../opportunities/opportunities.routes';
import { pipelineRoutes } from '../pipelines/pipelines.routes';
import { priceBookRoutes } from '../products/price-books.routes';
import { quoteRoutes } from '../quotes/quotes.routes';

/** Every sales endpoint beyond the generic record ones (registered before them). */
export function salesRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(pipelineRoutes(deps));
    await app.register(opportunityRoutes(deps));
    await app.register(priceBookRoutes(deps));
    await app.register(quoteRoutes(deps));
    await app.register(leadRoutes(deps));
    await app.register(dealRoutes(deps));
    await app.register(duplicateRoutes(deps));
  };
}
