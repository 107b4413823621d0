import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ArticlePreviewRequest,
  ArticlePreviewResponse,
  ArticleSuggestQuery,
  ArticleSuggestResponse,
  ArticleVersionsResponse,
} from '../../../common/contracts/knowledge';
import { RecordViewSchema } from '../../../common/contracts/records';
import { ServiceSettingsPatch, ServiceSettingsResponse } from '../../../common/contracts/service';
import { actorOf } from '../../platform/http/context';
import { ifMatch } from '../../platform/http/if-match';
import type { ModuleRouteDeps } from '../../platform/modules';
import { idempotentPost } from '../../platform/records/idempotency';
import { suggestArticles } from './article-suggestions';
import { listVersions } from './article-versions';
import { renderMarkdown } from './markdown';
import { readServiceSettings, updateServiceSettings } from './service-settings';

const IdParam = z.object({ id: z.uuid() }).strict();

/** The knowledge base's endpoints beyond the generic record ones, and the service settings. */
export function knowledgeRoutes({ config, database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/service/settings',
      {
        schema: {
          tags: ['Service'],
          summary: 'The workspace’s customer service settings: where its public help centre is',
          response: { 200: ServiceSettingsResponse },
        },
      },
      async (req) => ({ data: await readServiceSettings(database, config.baseUrl, actorOf(req).workspaceId) }),
    );

    app.patch(
      '/api/v1/service/settings',
      {
        schema: {
          tags: ['Service'],
          summary: 'Change the help centre’s address (slug), title or switch it off (administrators)',
          body: ServiceSettingsPatch,
          response: { 200: ServiceSettingsResponse },
        },
      },
      async (req) => ({
        data: await updateServiceSettings(database, records, config.baseUrl, actorOf(req), req.body),
      }),
    );

    app.get(
      '/api/v1/articles/suggest',
      {
        schema: {
          tags: ['Articles'],
          summary: 'Published articles matching a text (a ticket’s subject), for agents: internal ones included',
          querystring: ArticleSuggestQuery,
          response: { 200: ArticleSuggestResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await suggestArticles(database, records, config.baseUrl, actor, req.query.q, req.query.limit) };
      },
    );

    app.post(
      '/api/v1/articles/preview',
      {
        schema: {
          tags: ['Articles'],
          summary: 'Markdown rendered as the help centre will show it (sanitised HTML)',
          body: ArticlePreviewRequest,
          response: { 200: ArticlePreviewResponse },
        },
      },
      async (req) => {
        actorOf(req);
        return { data: { html: renderMarkdown(req.body.body) } };
      },
    );

    app.get(
      '/api/v1/articles/:id/versions',
      {
        schema: {
          tags: ['Articles'],
          summary: 'Every saved version of an article, newest first; `published` marks the one the help centre shows',
          params: IdParam,
          response: { 200: ArticleVersionsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          const article = await records.get(tx, actor, 'articles', req.params.id, {
            fields: 'id,publishedVersion,status',
          });
          const published =
            article.status === 'published' ? ((article.publishedVersion as number | null) ?? null) : null;
          return { data: await listVersions(tx, req.params.id, published) };
        });
      },
    );

    app.post(
      '/api/v1/articles/:id/publish',
      {
        schema: {
          tags: ['Articles'],
          summary: 'Publish the latest version of an article (the help centre shows it from now on)',
          description: 'The same as PATCH with `status: "published"`. If-Match and Idempotency-Key are honoured.',
          params: IdParam,
          response: { 200: RecordViewSchema },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const version = ifMatch(req);
        return idempotentPost(database, req, reply, actor, (tx) =>
          records.update(tx, actor, 'articles', req.params.id, { status: 'published' }, version),
        );
      },
    );
  };
}
