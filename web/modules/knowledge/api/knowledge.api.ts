// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  ArticleCategorySchema,
  ArticlePreviewResponse,
  ArticleSchema,
  ArticleSuggestResponse,
  ArticleVersionsResponse,
} from '../../../../common/contracts/knowledge';
import type { ServiceSettingsResponse } from '../../../../common/contracts/service';
import { getJson, request, withQuery } from '../../../lib/http';

export type ArticleSuggestion = z.infer<typeof ArticleSuggestResponse>['data'][number];
export type ArticleVersion = z.infer<typeof ArticleVersionsResponse>['data'][number];
export type ServiceSettings = z.infer<typeof ServiceSettingsResponse>['data'];

/** An article as the generic record endpoints return it (server/modules/knowledge/articles.object.ts). */
export type Article = z.infer<typeof ArticleSchema>;
export type ArticleCategory = z.infer<typeof ArticleCategorySchema>;

export const knowledgeKeys = {
  settings: ['service', 'settings'] as const,
  articles: ['knowledge', 'articles'] as const,
  categories: ['knowledge', 'categories'] as const,
  article: (id: string) => ['knowledge', 'article', id] as const,
  versions: (id: string) => ['knowledge', 'versions', id] as const,
  suggest: (q: string) => ['knowledge', 'suggest', q] as const,
};

export const getServiceSettings = async (signal?: AbortSignal) =>
  (await getJson<{ data: ServiceSettings }>('/api/v1/service/settings', signal)).data;

export const listArticles = async (signal?: AbortSignal) =>
  (
    await getJson<{ data: Article[] }>(
      withQuery('/api/v1/articles', {
        sort: '-updatedAt',
        limit: 200,
        fields: 'title,slug,status,visibility,categoryId,locale,publishedVersion,latestVersion,updatedAt',
      }),
      signal,
    )
  ).data;

export const listCategories = async (signal?: AbortSignal) =>
  (await getJson<{ data: ArticleCategory[] }>('/api/v1/article_categories?sort=position&limit=200&fields=name', signal))
    .data;

export const getArticle = async (id: string, signal?: AbortSignal) =>
  (await getJson<{ data: Article }>(`/api/v1/articles/${id}`, signal)).data;

export const getVersions = async (id: string, signal?: AbortSignal) =>
  (await getJson<{ data: ArticleVersion[] }>(`/api/v1/articles/${id}/versions`, signal)).data;

export type ArticleInput = Partial<Pick<Article, 'title' | 'body' | 'status' | 'visibility' | 'categoryId'>>;

export const createArticle = async (input: ArticleInput) =>
  (await request<{ data: Article }>('POST', '/api/v1/articles', { body: input })).body.data;

export const updateArticle = async (id: string, version: number, input: ArticleInput) =>
  (
    await request<{ data: Article }>('PATCH', `/api/v1/articles/${id}`, {
      body: input,
      headers: { 'if-match': `"${version}"` },
    })
  ).body.data;

export const publishArticle = async (id: string) =>
  (await request<{ data: Article }>('POST', `/api/v1/articles/${id}/publish`)).body.data;

export const previewMarkdown = async (body: string, signal?: AbortSignal) =>
  (
    await request<z.infer<typeof ArticlePreviewResponse>>('POST', '/api/v1/articles/preview', {
      body: { body },
      signal,
    })
  ).body.data.html;

export const suggestArticles = async (q: string, signal?: AbortSignal) =>
  (await getJson<{ data: ArticleSuggestion[] }>(withQuery('/api/v1/articles/suggest', { q, limit: 5 }), signal)).data;
