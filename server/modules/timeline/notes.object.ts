import type { ObjectDef } from '../../platform/records/types';
import { RELATED_FIELDS, relatedReference, validateRelated } from './related-record';

/** Notes: free text on any record (shown on its timeline), searchable. */
export const notesObject: ObjectDef = {
  name: 'notes',
  singular: 'note',
  label: 'Note',
  labelPlural: 'Notes',
  table: 'notes',
  titleFields: ['title'],
  defaultSort: '-createdAt',
  fields: [
    { name: 'title', type: 'text', label: 'Title', maxLength: 200, search: 'A', fuzzy: true },
    { name: 'body', type: 'longText', label: 'Note', required: true, maxLength: 20_000, search: 'B' },
    ...RELATED_FIELDS,
  ],
  validate: (record) => validateRelated(record),
  references: relatedReference,
};
