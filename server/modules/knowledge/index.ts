import { defineModule } from '../../platform/modules';
import { articleCategoriesObject } from './article-categories.object';
import { articlesObject } from './articles.object';
import { helpCentreRoutes } from './help-centre.routes';
import { seedKnowledgeDemo } from './knowledge.demo';
import { knowledgeRoutes } from './knowledge.routes';

export { readServiceSettings } from './service-settings';

const READ_ONLY = { create: false, read: true, update: false, delete: false, scope: 'all' } as const;
const WRITE = { create: true, read: true, update: true, delete: true, scope: 'all' } as const;

/**
 * The knowledge base (articles in markdown with versions, categories) and the public help
 * centre of each workspace (/help/{slug}), with the service settings it is configured by.
 */
export const knowledgeModule = defineModule({
  name: 'knowledge',
  objects: [articlesObject, articleCategoriesObject],
  // Customer service representatives and administrators write the knowledge base; everyone reads it.
  permissions: {
    service_rep: { articles: WRITE, article_categories: WRITE },
    sales_rep: { articles: READ_ONLY, article_categories: READ_ONLY },
    marketing_manager: { articles: READ_ONLY, article_categories: READ_ONLY },
    data_analyst: { articles: { ...READ_ONLY, export: true }, article_categories: { ...READ_ONLY, export: true } },
  },
  routes: (deps) => async (app) => {
    await app.register(knowledgeRoutes(deps));
    await app.register(helpCentreRoutes(deps));
  },
  demo: seedKnowledgeDemo,
});
