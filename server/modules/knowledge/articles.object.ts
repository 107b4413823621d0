import type { ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';
import { afterArticleWrite, beforeArticleWrite } from './article-versions';

export const ARTICLE_VISIBILITIES = ['public', 'internal'] as const;
export const ARTICLE_STATUSES = ['draft', 'published'] as const;

/**
 * Knowledge base articles (markdown). Every save of the title or body keeps a version
 * (article_versions); the help centre shows `publishedVersion`, which moves only when the
 * article is published (see article-versions.ts).
 */
export const articlesObject: ObjectDef = {
  name: 'articles',
  singular: 'article',
  label: 'Article',
  labelPlural: 'Articles',
  table: 'articles',
  titleFields: ['title'],
  subtitleFields: ['status'],
  defaultSort: '-updatedAt',
  fields: [
    { name: 'title', type: 'text', label: 'Title', required: true, maxLength: 300, search: 'A', fuzzy: true },
    {
      name: 'slug',
      type: 'text',
      label: 'Slug',
      maxLength: 120,
      indexed: true,
      description: 'The article’s address in the help centre, unique per locale (from the title when left empty)',
    },
    { name: 'body', type: 'longText', label: 'Body (markdown)', maxLength: 100000, search: 'C', hidden: true },
    {
      name: 'categoryId',
      type: 'relation',
      label: 'Category',
      relation: { object: 'article_categories', cardinality: 'one' },
    },
    { name: 'visibility', type: 'select', label: 'Visibility', options: opt(...ARTICLE_VISIBILITIES), indexed: true },
    { name: 'status', type: 'select', label: 'Status', options: opt(...ARTICLE_STATUSES), indexed: true },
    { name: 'locale', type: 'text', label: 'Locale', maxLength: 10, description: 'e.g. en, fr, pt-BR (default en)' },
    {
      name: 'translationOfId',
      type: 'relation',
      label: 'Translation of',
      relation: { object: 'articles', cardinality: 'one' },
      hidden: true,
    },
    { name: 'publishedAt', type: 'datetime', label: 'Published', readOnly: true },
    {
      name: 'publishedVersion',
      type: 'integer',
      label: 'Published version',
      readOnly: true,
      hidden: true,
      description: 'The version the help centre shows',
    },
    { name: 'latestVersion', type: 'integer', label: 'Latest version', readOnly: true, hidden: true },
    { name: 'helpfulCount', type: 'integer', label: 'Helpful', readOnly: true },
    { name: 'notHelpfulCount', type: 'integer', label: 'Not helpful', readOnly: true, hidden: true },
  ],
  beforeWrite: beforeArticleWrite,
  afterWrite: afterArticleWrite,
};
