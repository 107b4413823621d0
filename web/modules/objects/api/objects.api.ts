import { queryOptions } from '@tanstack/react-query';
import type { FilterOperator } from '../../../../common/filter';
import { getJson } from '../../../lib/http';

/** A field as `GET /api/v1/objects` describes it (server/platform/records/metadata.ts). */
export interface FieldMeta {
  name: string;
  type: string;
  label: string;
  description: string | null;
  custom: boolean;
  required: boolean;
  unique: boolean;
  readOnly: boolean;
  hidden: boolean;
  options: { value: string; label: string }[] | null;
  relation: { object: string; cardinality: 'one' | 'many' } | null;
  maxLength: number | null;
  min: number | null;
  max: number | null;
  sortable: boolean;
  filterOperators: FilterOperator[];
}

/** An object (accounts, contacts, …) with everything the UI needs to render it. */
export interface ObjectMeta {
  name: string;
  singular: string;
  label: string;
  labelPlural: string;
  titleFields: string[];
  subtitleFields: string[];
  defaultSort: string;
  fields: FieldMeta[];
  includes: string[];
  /** Records of other objects that point here (related lists): include name, object, back-pointing field. */
  inverse?: InverseMeta[];
  /** What the caller's role may do with this object (fields it may not see are left out). */
  permissions?: ObjectPermissions;
}

export interface InverseMeta {
  name: string;
  object: string;
  via: string;
  label: string;
}

export interface ObjectPermissions {
  create: boolean;
  read: boolean;
  update: boolean;
  delete: boolean;
  export: boolean;
  scope: 'own' | 'team' | 'all';
}

/** Whether the caller may do `action` on the object (servers before permissions allowed everything). */
export const can = (meta: ObjectMeta, action: 'create' | 'update' | 'delete' | 'export') =>
  meta.permissions?.[action] ?? true;

export const objectsQuery = queryOptions({
  queryKey: ['objects'],
  queryFn: ({ signal }) => getJson<{ data: ObjectMeta[] }>('/api/v1/objects', signal).then((r) => r.data),
  staleTime: 60_000,
});
