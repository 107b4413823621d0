import { z } from 'zod';
import { checkFilterTree, type FilterNode } from '../filter';

/** Request and response contracts of saved views (`/api/v1/views`), shared by server and web app. */

const FilterTree = z.unknown().superRefine((v, ctx) => {
  if (v === null || v === undefined) return;
  for (const e of checkFilterTree(v, 'filter').slice(0, 20)) {
    // The tree's own place inside `filter` (e.g. and.1.op), so the error path reads filter.and.1.op.
    ctx.addIssue({ code: 'custom', path: e.path.split('.').slice(1), message: e.message });
  }
}) as z.ZodType<FilterNode | null | undefined>;

const FieldName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,99}$/, 'must be a field name');

const viewProps = {
  name: z.string().trim().min(1).max(100),
  shared: z.boolean().describe('Seen by the whole workspace (default: only you)'),
  kind: z.enum(['list', 'board']),
  filter: FilterTree.nullable().describe('A filter tree, as list endpoints take it'),
  sort: z.string().max(500).nullable().describe('The list sort, e.g. -createdAt,name'),
  columns: z.array(FieldName).max(200).nullable().describe('List columns in order'),
  groupBy: FieldName.nullable().describe('Board: the select field whose options are the columns'),
  sumField: FieldName.nullable().describe('Board: a money or number field totalled per column'),
};

export const ViewCreateRequest = z
  .object({
    object: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
    name: viewProps.name,
    shared: viewProps.shared.optional(),
    kind: viewProps.kind.optional(),
    filter: viewProps.filter.optional(),
    sort: viewProps.sort.optional(),
    columns: viewProps.columns.optional(),
    groupBy: viewProps.groupBy.optional(),
    sumField: viewProps.sumField.optional(),
  })
  .strict();
export type TViewCreateRequest = z.infer<typeof ViewCreateRequest>;

export const ViewUpdateRequest = ViewCreateRequest.partial().strict();
export type TViewUpdateRequest = z.infer<typeof ViewUpdateRequest>;

export const SavedViewSchema = z.object({
  id: z.string(),
  object: z.string(),
  name: z.string(),
  ownerId: z.string(),
  shared: z.boolean(),
  kind: z.enum(['list', 'board']),
  filter: z.unknown().nullable(),
  sort: z.string().nullable(),
  columns: z.array(z.string()).nullable(),
  groupBy: z.string().nullable(),
  sumField: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  permissions: z.object({ update: z.boolean(), delete: z.boolean() }),
});
export type TSavedView = Omit<z.infer<typeof SavedViewSchema>, 'filter'> & { filter: FilterNode | null };
