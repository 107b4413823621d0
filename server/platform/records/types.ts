import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import type { FieldError } from '../http/errors';
import type { RecordService } from './records.service';

/**
 * The record engine's vocabulary. An object (accounts, contacts, …) is declared
 * once as an ObjectDef; the engine derives its table, validation, REST routes,
 * OpenAPI schemas, filters, sorting and search from that declaration.
 */

import type { FieldType } from '../../../common/fields/field-values';

// Field types are shared with the web app (common/fields/field-values.ts).
export { FIELD_TYPES, type FieldType } from '../../../common/fields/field-values';

export interface SelectOption {
  value: string;
  label: string;
  /** Options loaded from workspace data may belong to a group (a stage to its pipeline's id). */
  group?: string;
  /** Facts about the option a client may show or use (a stage's probability and kind). */
  meta?: Record<string, string | number | boolean | null>;
}

export interface FieldDef {
  /** API name, camelCase (`firstName`). */
  name: string;
  type: FieldType;
  label: string;
  description?: string;
  /** Must be present (non-empty) on create and can never be cleared. */
  required?: boolean;
  /** At most one live record per workspace has a given value; usable as a batch upsert key. */
  unique?: boolean;
  /** Set by the system only (createdAt, lastActivityAt…): rejected on write. */
  readOnly?: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  /** For select and multiSelect. */
  options?: SelectOption[];
  /** For relation: the target object and cardinality (one = a uuid column, many = a uuid[] column). */
  relation?: { object: string; cardinality: 'one' | 'many' };
  /** Full-text weight when the field feeds search (A most important). */
  search?: 'A' | 'B' | 'C' | 'D';
  /** Also matched with trigrams (typo tolerance); use for names. */
  fuzzy?: boolean;
  /** Gets a (workspace_id, column, id) index: for fields lists are often sorted or filtered by. */
  indexed?: boolean;
  /** Holds personal data whose reads are written to the audit log. */
  sensitive?: boolean;
  /**
   * Sensitive and encrypted at rest (AES-256-GCM under the instance key ring, with a
   * blind index for equality filters: crypto/field-crypto.ts). Only with `sensitive`,
   * on the types of ENCRYPTABLE_TYPES; filters take eq/in/isEmpty/isNotEmpty only, it
   * cannot be sorted, grouped or searched. Custom fields marked `sensitive` are encrypted.
   */
  encrypted?: boolean;
  /** Hidden from default list columns in the UI. */
  hidden?: boolean;
  /**
   * For json: the shape its value takes, for the OpenAPI document (the object's rules
   * decide): `userIds`, a list of at most 100 user ids. Unset: a free-form object.
   */
  jsonShape?: 'userIds';
  /** Custom fields only: the id of the definition row. */
  customId?: string;
}

/**
 * Records of another object that point at this one, embeddable with `include` (newest
 * first, at most 100 per record, with their count): through a to-one relation (`via`),
 * through the "related to" link activities have (`related`: relatedObject + relatedId), or both.
 */
export interface InverseRelation {
  /** The include name, e.g. `contacts` on accounts. */
  name: string;
  object: string;
  /** The to-one relation field on `object` that points here (e.g. `accountId`). */
  via?: string;
  /** Also the records of `object` whose relatedObject + relatedId name this record (tasks, meetings…). */
  related?: boolean;
  label: string;
  /** The order of the embedded list, a sort of `object` (default: its default sort). */
  sort?: string;
}

export interface ObjectDef {
  /** Plural API name and route segment: `contacts`. */
  name: string;
  singular: string;
  label: string;
  labelPlural: string;
  /** Table name (snake_case plural). */
  table: string;
  fields: FieldDef[];
  /** Field names that make the record's title, joined by a space (e.g. first + last name). */
  titleFields: string[];
  /** A secondary line for search results and pickers. */
  subtitleFields?: string[];
  inverse?: InverseRelation[];
  /** Default sort of lists. */
  defaultSort?: string;
  /** Object-level validation after field validation (e.g. "a name or an email"). */
  validate?: (
    record: Record<string, unknown>,
    mode: 'create' | 'update',
    /** `system`: a write the system makes (RecordService.systemWrite), not a caller's. */
    opts?: { system?: boolean },
  ) => { path: string; message: string }[];
  /** Normalises a unique value before matching (e.g. domains without www.). */
  normalise?: Partial<Record<string, (value: string) => string>>;
  /**
   * Select fields whose options are workspace data (an opportunity's pipeline and stage):
   * loaded with the workspace's schema and cached with it (call invalidateSchemas and
   * NOTIFY rapport_schema when the data changes). Validation and metadata use them.
   */
  dynamicOptions?: { fields: string[]; load: (tx: Tx) => Promise<Record<string, SelectOption[]>> };
  /**
   * Rules that need the database or the stored record, run in the write's transaction
   * for every create and update (single, PATCH, batch) after field validation: return
   * errors to refuse the write, or `set` to write derived fields (read-only ones too).
   */
  beforeWrite?: (
    tx: Tx,
    w: BeforeWrite,
  ) => Promise<{ errors?: FieldError[]; set?: Record<string, unknown> } | undefined>;
  /** Runs in the write's transaction after every create and update (history, events). */
  afterWrite?: (tx: Tx, w: AfterWrite) => Promise<void>;
  /**
   * References the engine cannot see from field types, checked like relations on every
   * write: polymorphic links (`relatedObject` + `relatedId`) and lists of users kept in
   * JSON. Gets the validated input by field name (only fields present) and returns what
   * must exist and be visible to the caller (`object`: an object name or "users").
   */
  references?: (input: Record<string, unknown>) => { path: string; object: string; ids: string[] }[];
}

export interface BeforeWrite {
  actor: Actor;
  /** The engine, for rules that check input against other objects as the caller sees them (a segment's filter). */
  records: RecordService;
  mode: 'create' | 'update';
  /** The stored record (every field, whatever the caller may see); null on create. */
  before: Record<string, unknown> | null;
  /** The validated fields sent (API names, null = clear). */
  changes: Record<string, unknown>;
  /** Where errors point: '' for single writes, `records.3.` in a batch. */
  pathPrefix: string;
  /** A write the system makes (RecordService.systemWrite), not a caller's. */
  system?: boolean;
}

export interface AfterWrite {
  actor: Actor;
  /** The engine, for rules that must look at other records in the same transaction (a segment's baseline). */
  records: RecordService;
  mode: 'create' | 'update';
  before: Record<string, unknown> | null;
  /** The stored record after the write (every field). */
  after: Record<string, unknown>;
}

/** The columns every record table has, with their API names. */
export const SYSTEM_FIELDS: FieldDef[] = [
  { name: 'id', type: 'text', label: 'ID', readOnly: true },
  { name: 'ownerId', type: 'user', label: 'Owner' },
  // A team id (validated as a uuid, checked by a foreign key to teams).
  { name: 'teamId', type: 'user', label: 'Team', hidden: true },
  { name: 'tags', type: 'tags', label: 'Tags' },
  { name: 'version', type: 'integer', label: 'Version', readOnly: true, hidden: true },
  { name: 'createdAt', type: 'datetime', label: 'Created', readOnly: true },
  { name: 'updatedAt', type: 'datetime', label: 'Updated', readOnly: true },
  { name: 'createdBy', type: 'user', label: 'Created by', readOnly: true, hidden: true },
  { name: 'updatedBy', type: 'user', label: 'Updated by', readOnly: true, hidden: true },
];

export const SYSTEM_FIELD_NAMES = new Set([...SYSTEM_FIELDS.map((f) => f.name), 'deletedAt', 'custom', 'search']);

const columnNames = new Map<string, string>();

/** camelCase → snake_case column name. */
export function columnName(fieldName: string): string {
  let name = columnNames.get(fieldName);
  if (name === undefined) {
    name = fieldName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    columnNames.set(fieldName, name);
  }
  return name;
}

/** Words an option label writes in capitals, as people in sales and marketing do. */
const ACRONYMS = new Set(['mql', 'sql', 'crm', 'api', 'b2b', 'b2c', 'vat', 'url', 'sms', 'roi', 'ceo', 'cfo', 'cto']);

/** An option's label from its value: `best_case` → "Best case", `mql` → "MQL". */
export const optionLabel = (value: string): string =>
  value
    .split('_')
    .map((w, i) => (ACRONYMS.has(w) ? w.toUpperCase() : i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');

/** Select options from values, labelled by `optionLabel`. */
export const opt = (...values: string[]): SelectOption[] => values.map((v) => ({ value: v, label: optionLabel(v) }));
