import { z } from 'zod';

/**
 * Request and response contracts of the knowledge base beyond the generic record
 * endpoints of `articles` (server/modules/knowledge): versions, publishing, suggestions.
 */

export const ArticleVersionSchema = z.object({
  version: z.number().int(),
  title: z.string(),
  body: z.string().describe('Markdown'),
  savedBy: z.string().nullable().describe('The user who saved it'),
  savedAt: z.string(),
  published: z.boolean().describe('True for the version the help centre shows'),
});
export type ArticleVersion = z.infer<typeof ArticleVersionSchema>;

export const ArticleVersionsResponse = z.object({ data: z.array(ArticleVersionSchema) });

export const ArticlePreviewRequest = z
  .object({ body: z.string().max(100000, 'must be at most 100,000 characters') })
  .strict();
export const ArticlePreviewResponse = z.object({ data: z.object({ html: z.string() }) });

export const ArticleSuggestQuery = z
  .object({
    q: z.string().trim().min(1, 'is required').max(300, 'must be at most 300 characters'),
    limit: z.coerce.number().int().min(1).max(20).default(5),
  })
  .strict();

export const ArticleSuggestionSchema = z.object({
  id: z.string(),
  title: z.string(),
  slug: z.string().nullable(),
  visibility: z.enum(['public', 'internal']),
  excerpt: z.string(),
  url: z
    .string()
    .nullable()
    .describe('The public help centre page (public articles of an enabled help centre); null for internal ones'),
});
export type ArticleSuggestion = z.infer<typeof ArticleSuggestionSchema>;

export const ArticleSuggestResponse = z.object({ data: z.array(ArticleSuggestionSchema) });

/** An article as the generic record endpoints return it (`/api/v1/articles`; fields as declared in articles.object.ts). */
export const ArticleSchema = z.looseObject({
  id: z.string(),
  version: z.number(),
  title: z.string(),
  body: z.string().nullable(),
  slug: z.string().nullable(),
  status: z.enum(['draft', 'published']),
  visibility: z.enum(['public', 'internal']),
  categoryId: z.string().nullable(),
  locale: z.string().nullable(),
  publishedVersion: z.number().nullable(),
  latestVersion: z.number().nullable(),
  updatedAt: z.string(),
});

/** An article category (`/api/v1/article_categories`). */
export const ArticleCategorySchema = z.looseObject({ id: z.string(), name: z.string() });
