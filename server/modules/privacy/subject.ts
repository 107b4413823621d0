import type { FilterNode } from '../../../common/filter';
import { STANDARD_PERMISSIONS } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { RecordData, RecordService } from '../../platform/records/records.service';

/** The system actor privacy work runs as: no person, the administrator's permissions. */
export const privacyActor = (workspaceId: string, userId: string | null = null): Actor => ({
  kind: 'user',
  userId,
  workspaceId,
  role: 'administrator',
  scopes: [],
  permissions: STANDARD_PERMISSIONS.administrator,
});

export const PERSON_OBJECTS = ['contacts', 'leads'] as const;
export type PersonObject = (typeof PERSON_OBJECTS)[number];

/** Whom a request is about: their records and the values that identify them in free text. */
export interface Subject {
  email: string;
  records: { object: PersonObject; id: string; record: RecordData }[];
  emails: string[];
  phones: string[];
  names: string[];
}

const strings = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.flatMap((x) =>
        typeof x === 'string' ? [x] : x && typeof x === 'object' && 'value' in x ? [String(x.value ?? '')] : [],
      )
    : typeof v === 'string'
      ? [v]
      : [];

/** The full name as people write it ("Ada Lovelace"), when there is a first and a last name. */
export const fullName = (r: RecordData): string | null => {
  const first = typeof r.firstName === 'string' ? r.firstName.trim() : '';
  const last = typeof r.lastName === 'string' ? r.lastName.trim() : '';
  return first && last ? `${first} ${last}` : null;
};

/** The contacts and leads with this address (their main or another email), read through the record engine. */
export async function findSubject(tx: Tx, records: RecordService, actor: Actor, email: string): Promise<Subject> {
  const address = email.trim().toLowerCase();
  const found = new Map<string, Subject['records'][number]>();
  for (const object of PERSON_OBJECTS) {
    const filters: FilterNode[] = [
      { field: 'email', op: 'eq', value: address },
      { field: 'emails', op: 'eq', value: address },
    ];
    for (const filter of filters) {
      const { data } = await records.list(tx, actor, object, { limit: 500, filter });
      for (const record of data) found.set(`${object}:${record.id}`, { object, id: String(record.id), record });
    }
  }
  const emails = new Set([address]);
  const phones = new Set<string>();
  const names = new Set<string>();
  for (const { record } of found.values()) {
    for (const e of [...strings(record.email), ...strings(record.emails)]) if (e) emails.add(e.toLowerCase());
    for (const p of [...strings(record.phone), ...strings(record.phones)]) if (p) phones.add(p);
    const name = fullName(record);
    if (name) names.add(name);
  }
  return { email: address, records: [...found.values()], emails: [...emails], phones: [...phones], names: [...names] };
}

/** Every value that identifies the subject in free text. */
export const identifiers = (s: Subject): string[] => [...s.emails, ...s.phones, ...s.names];
