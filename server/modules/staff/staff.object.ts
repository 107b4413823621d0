import type { ObjectDef } from '../../platform/records/types';

/**
 * The private fields of a staff entry: personal contact details and dates only the
 * administrators (and the member themselves, through /api/v1/staff/me) may see. They
 * are `sensitive` (reads are audited) and feed no search index, so a role that cannot
 * see them cannot find an entry by them either. All but the home address (geocoded, its
 * parts filtered) are also `encrypted` at rest (docs/ARCHITECTURE.md, "Sensitive fields"). The standard roles' defaults in
 * server/platform/access/permissions.ts hide exactly these.
 */
export const STAFF_PRIVATE_FIELDS = [
  'personalEmail',
  'personalPhone',
  'homeAddress',
  'dateOfBirth',
  'emergencyContact',
] as const;

/** Fields a member may change on their own entry (besides the private ones). */
export const STAFF_SELF_EDITABLE = ['workPhone', 'mobilePhone', 'location', ...STAFF_PRIVATE_FIELDS] as const;

/** The staff directory: one entry per workspace member, created when they join (a database trigger). */
export const staffObject: ObjectDef = {
  name: 'staff',
  singular: 'staff member',
  label: 'Staff member',
  labelPlural: 'Staff',
  table: 'staff',
  titleFields: ['displayName'],
  subtitleFields: ['title'],
  defaultSort: 'displayName',
  fields: [
    { name: 'userId', type: 'user', label: 'Member', unique: true, readOnly: true, hidden: true },
    {
      name: 'displayName',
      type: 'text',
      label: 'Name',
      required: true,
      maxLength: 200,
      search: 'A',
      fuzzy: true,
      indexed: true,
    },
    { name: 'workEmail', type: 'email', label: 'Work email', search: 'A', fuzzy: true },
    { name: 'title', type: 'text', label: 'Job title', maxLength: 200, search: 'B' },
    { name: 'department', type: 'text', label: 'Department', maxLength: 200, search: 'C', indexed: true },
    { name: 'workPhone', type: 'phone', label: 'Work phone', search: 'C' },
    { name: 'mobilePhone', type: 'phone', label: 'Mobile' },
    { name: 'location', type: 'text', label: 'Location', maxLength: 200, search: 'D' },
    { name: 'managerId', type: 'user', label: 'Manager' },
    { name: 'startDate', type: 'date', label: 'Start date', hidden: true },
    { name: 'personalEmail', type: 'email', label: 'Personal email', hidden: true, sensitive: true, encrypted: true },
    { name: 'personalPhone', type: 'phone', label: 'Personal phone', hidden: true, sensitive: true, encrypted: true },
    { name: 'homeAddress', type: 'address', label: 'Home address', hidden: true, sensitive: true },
    { name: 'dateOfBirth', type: 'date', label: 'Date of birth', hidden: true, sensitive: true, encrypted: true },
    {
      name: 'emergencyContact',
      type: 'longText',
      label: 'Emergency contact',
      maxLength: 1000,
      hidden: true,
      sensitive: true,
      encrypted: true,
    },
  ],
};
