import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  FieldMetaSchema,
  InverseMetaSchema,
  ObjectMetaSchema,
  ObjectPermissionsSchema,
} from '../../../../common/contracts/objects';
import { getJson } from '../../../lib/http';

/** A field as `GET /api/v1/objects` describes it (server/platform/records/metadata.ts). */
export type FieldMeta = z.infer<typeof FieldMetaSchema>;

/** An object (accounts, contacts, …) with everything the UI needs to render it. */
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

export type InverseMeta = z.infer<typeof InverseMetaSchema>;

export type ObjectPermissions = z.infer<typeof ObjectPermissionsSchema>;

/** Whether the caller may do `action` on the object (servers before permissions allowed everything). */
export const can = (meta: ObjectMeta, action: 'create' | 'update' | 'delete' | 'export') =>
  meta.permissions?.[action] ?? true;

export const objectsQuery = queryOptions({
  queryKey: ['objects'],
  queryFn: ({ signal }) => getJson<{ data: ObjectMeta[] }>('/api/v1/objects', signal).then((r) => r.data),
  staleTime: 60_000,
});
