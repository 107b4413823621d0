import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { StaffEntrySchema } from '../../../../common/contracts/staff';
import { request } from '../../../lib/http';
import type { FieldMeta } from '../../objects/api/objects.api';

/** Your own staff-directory entry (`GET /api/v1/staff/me`), private fields included. */
export type StaffEntry = z.infer<typeof StaffEntrySchema>;

export const myStaffEntryQuery = queryOptions({
  queryKey: ['staff', 'me'],
  queryFn: async ({ signal }) => {
    const res = await request<{ data: StaffEntry }>('GET', '/api/v1/staff/me', { signal });
    return { entry: res.body.data, etag: res.headers.get('etag') ?? undefined };
  },
});

export async function updateMyStaffEntry(changes: Record<string, unknown>, etag?: string) {
  const res = await request<{ data: StaffEntry }>('PATCH', '/api/v1/staff/me', {
    body: changes,
    headers: etag ? { 'if-match': etag } : {},
  });
  return { entry: res.body.data, etag: res.headers.get('etag') ?? undefined };
}

const field = (name: string, type: string, label: string): FieldMeta => ({
  name,
  type,
  label,
  description: null,
  custom: false,
  required: false,
  unique: false,
  readOnly: false,
  hidden: false,
  options: null,
  relation: null,
  maxLength: null,
  min: null,
  max: null,
  sortable: false,
  filterOperators: [],
});

/**
 * What a member may change on their own entry (server/modules/staff/staff.object.ts
 * STAFF_SELF_EDITABLE). Declared here because the directory's metadata leaves the
 * private fields out for every role but the administrators.
 */
export const SELF_EDITABLE: { heading: string; fields: FieldMeta[] }[] = [
  {
    heading: 'At work',
    fields: [
      field('workPhone', 'phone', 'Work phone'),
      field('mobilePhone', 'phone', 'Mobile'),
      field('location', 'text', 'Location'),
    ],
  },
  {
    heading: 'Private (only you and the administrators see these)',
    fields: [
      field('personalEmail', 'email', 'Personal email'),
      field('personalPhone', 'phone', 'Personal phone'),
      field('homeAddress', 'address', 'Home address'),
      field('dateOfBirth', 'date', 'Date of birth'),
      field('emergencyContact', 'longText', 'Emergency contact'),
    ],
  },
];
