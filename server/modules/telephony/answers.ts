import type { TIvrDefinition } from '../../../common/contracts/telephony';
import type { FilterNode } from '../../../common/filter';
import {
  answerObjectSupported,
  type CallerKey,
  ownCallerKey,
  relationsToCaller,
  unsayableReason,
} from '../../../common/ivr-answers';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, type FieldError } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import type { FieldDef } from '../../platform/records/types';
import type { AnswerNode } from './ivr';

/**
 * Self-service answers (the IVR's `answer` node): a field of the caller's record said with
 * `<Say>` — their own contact, lead or account, or the newest record of another object that
 * points at them (an opportunity's stage, a ticket's status). Read through the record engine
 * as the contact centre's service identity (the system actor); a field marked sensitive is
 * refused when the flow is saved, since anyone calling from the number hears the answer.
 */

/** The caller as matched by number. */
export type CallerMatch = Partial<Record<CallerKey, string>>;

/** The to-one relations of `schema` that lead to the caller, with the matched id each compares to. */
const relationTo = (schema: ObjectSchema) => relationsToCaller(schema.fields().map((f) => f.def));

/** A field's value as words for `<Say>` (a select's option label, a date spelled out), or null when empty. */
export function spoken(def: FieldDef, value: unknown, language = 'en-US'): string | null {
  if (value === null || value === undefined || value === '') return null;
  const label = (v: unknown) => def.options?.find((o) => o.value === v)?.label ?? String(v);
  switch (def.type) {
    case 'select':
      return label(value);
    case 'multiSelect':
    case 'tags':
      return Array.isArray(value) && value.length ? value.map(label).join(', ') : null;
    case 'boolean':
      return value ? 'yes' : 'no';
    case 'date':
    case 'datetime': {
      const d = new Date(typeof value === 'string' && def.type === 'date' ? `${value}T12:00:00Z` : String(value));
      if (Number.isNaN(d.getTime())) return String(value);
      const opts: Intl.DateTimeFormatOptions =
        def.type === 'date'
          ? { dateStyle: 'long', timeZone: 'UTC' }
          : { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' };
      try {
        return new Intl.DateTimeFormat(language, opts).format(d);
      } catch {
        return new Intl.DateTimeFormat('en-US', opts).format(d);
      }
    }
    case 'money': {
      const m = value as { amount?: string; currency?: string };
      return m.amount ? `${m.amount} ${m.currency ?? ''}`.trim() : null;
    }
    case 'percent':
      return `${String(value)} percent`;
    default:
      return String(value).slice(0, 500);
  }
}

/** The value an answer node says for this caller, or null (unknown caller, no record, empty field). */
export async function readAnswer(
  tx: Tx,
  records: RecordService,
  sys: Actor,
  node: AnswerNode,
  caller: CallerMatch,
): Promise<string | null> {
  const ctx = await records.context(tx, sys, node.object, 'read');
  const def = ctx.schema.field(node.field)?.def;
  if (!def || unsayableReason(def)) return null;
  const own = ownCallerKey(node.object);
  let scope: FilterNode | null = null;
  if (own) {
    const id = caller[own];
    if (id) scope = { field: 'id', op: 'eq', value: id };
  } else {
    const via = relationTo(ctx.schema).find((r) => caller[r.key]);
    if (via) scope = { field: via.field, op: 'eq', value: caller[via.key] };
  }
  if (!scope) return null;
  const { data } = await records.list(tx, sys, node.object, {
    limit: 1,
    sort: node.sort,
    filter: node.filter ? { and: [scope, node.filter] } : scope,
  });
  const rec = data[0] as Record<string, unknown> | undefined;
  return rec ? spoken(def, rec[node.field], node.language) : null;
}

/**
 * Checks a flow's answer nodes when it is saved: the object exists and is the caller's or
 * points at a contact, account or lead; the field exists, reads out as words and is not
 * sensitive; the filter and sort compile. Else 422 naming the node's field.
 */
export async function checkAnswers(tx: Tx, records: RecordService, sys: Actor, def: TIvrDefinition): Promise<void> {
  const errors: FieldError[] = [];
  for (const [i, node] of def.nodes.entries()) {
    if (node.kind !== 'answer') continue;
    const at = `definition.nodes.${i}`;
    const ctx = await records.context(tx, sys, node.object, 'read').catch(() => null);
    if (!ctx) {
      errors.push({ path: `${at}.object`, message: `names no object: ${node.object}` });
      continue;
    }
    if (
      !answerObjectSupported(
        node.object,
        ctx.schema.fields().map((f) => f.def),
      )
    ) {
      errors.push({ path: `${at}.object`, message: 'is not related to a contact, account or lead' });
      continue;
    }
    const field = ctx.schema.field(node.field)?.def;
    const unsayable = field ? unsayableReason(field) : `names no field of ${node.object}`;
    if (unsayable) errors.push({ path: `${at}.field`, message: unsayable });
    try {
      if (node.filter) await records.checkFilter(tx, sys, node.object, node.filter, `${at}.filter`);
      await records.list(tx, sys, node.object, { limit: 1, sort: node.sort });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const list = err.errors;
      errors.push(
        ...(list.length
          ? list.map((e) => ({ ...e, path: e.path.startsWith(at) ? e.path : `${at}.sort` }))
          : [{ path: `${at}.sort`, message: err.message }]),
      );
    }
  }
  if (errors.length)
    throw new AppError('validation_failed', `Invalid body: ${errors.map((e) => e.path).join(', ')}`, { errors });
}
