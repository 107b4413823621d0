import type { ObjectDef } from '../../platform/records/types';
import { slugify } from './slug';

/** Categories of the knowledge base: the sections of the public help centre, in `position` order. */
export const articleCategoriesObject: ObjectDef = {
  name: 'article_categories',
  singular: 'article category',
  label: 'Article category',
  labelPlural: 'Article categories',
  table: 'article_categories',
  titleFields: ['name'],
  subtitleFields: ['description'],
  defaultSort: 'position',
  fields: [
    { name: 'name', type: 'text', label: 'Name', required: true, maxLength: 120, search: 'A', fuzzy: true },
    {
      name: 'slug',
      type: 'text',
      label: 'Slug',
      maxLength: 120,
      indexed: true,
      description: 'The category’s address in the help centre (from its name when left empty)',
    },
    { name: 'description', type: 'longText', label: 'Description', maxLength: 1000, search: 'C' },
    { name: 'position', type: 'integer', label: 'Position', min: 0, max: 100000 },
  ],
  async beforeWrite(_tx, w) {
    const name = (w.changes.name ?? w.before?.name) as string | undefined;
    const slug = w.changes.slug as string | null | undefined;
    if (slug != null && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug))
      return {
        errors: [{ path: `${w.pathPrefix}slug`, message: 'may hold only lower-case letters, digits and dashes' }],
      };
    if ((w.mode === 'create' && !slug) || slug === null) return { set: { slug: slugify(name ?? 'category') } };
    return undefined;
  },
};
