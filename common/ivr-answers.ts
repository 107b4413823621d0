/**
 * Which objects and fields an IVR self-service answer node (`kind: "answer"`) may read, stated
 * once: the server checks a flow against it when it is saved (server/modules/telephony/answers.ts)
 * and the flow editor offers only what it accepts (web/modules/telephony). No zod here, so the
 * web app can import it without the contracts' validators.
 */

/** The field properties the rules look at: a server field definition and `GET /api/v1/objects`' field both have them. */
export interface AnswerFieldLike {
  name: string;
  type: string;
  sensitive?: boolean;
  relation?: { object: string; cardinality: string } | null;
}

/** Objects read as the caller's own record, and the matched id each compares to. */
export const ANSWER_OWN_OBJECTS = { contacts: 'contactId', leads: 'leadId', accounts: 'accountId' } as const;
export type CallerKey = (typeof ANSWER_OWN_OBJECTS)[keyof typeof ANSWER_OWN_OBJECTS];

/** The matched id an object's own record compares to (`contacts` → contactId), or undefined for other objects. */
export const ownCallerKey = (object: string): CallerKey | undefined =>
  Object.hasOwn(ANSWER_OWN_OBJECTS, object) ? ANSWER_OWN_OBJECTS[object as keyof typeof ANSWER_OWN_OBJECTS] : undefined;

/** Which to-one relation of another object leads to the caller, most specific first. */
const VIA: [string, CallerKey][] = [
  ['contacts', 'contactId'],
  ['accounts', 'accountId'],
  ['leads', 'leadId'],
];

/** Field types that read out as words (not relations, users, JSON, addresses, lists of links). */
export const SAYABLE_FIELD_TYPES: ReadonlySet<string> = new Set([
  'text',
  'longText',
  'email',
  'phone',
  'url',
  'integer',
  'decimal',
  'money',
  'percent',
  'date',
  'datetime',
  'boolean',
  'select',
  'multiSelect',
  'tags',
]);

/** The to-one relations of an object's fields that lead to the caller (the first per target), most specific first. */
export function relationsToCaller(fields: readonly AnswerFieldLike[]): { field: string; key: CallerKey }[] {
  const out: { field: string; key: CallerKey }[] = [];
  for (const [target, key] of VIA) {
    const f = fields.find(
      (x) => x.type === 'relation' && x.relation?.cardinality === 'one' && x.relation.object === target,
    );
    if (f) out.push({ field: f.name, key });
  }
  return out;
}

/** Whether an answer node can read `object`: the caller's own contact, lead or account, or an object pointing at one. */
export function answerObjectSupported(object: string, fields: readonly AnswerFieldLike[]): boolean {
  return ownCallerKey(object) !== undefined || relationsToCaller(fields).length > 0;
}

/**
 * Why an answer node cannot say `field`, or null when it can: a sensitive field is never said
 * to whoever calls from the number, and some types do not read out as words.
 */
export function unsayableReason(field: AnswerFieldLike): string | null {
  if (field.sensitive) return 'is sensitive: it is not said to whoever calls from the number';
  if (!SAYABLE_FIELD_TYPES.has(field.type)) return `cannot be said (a ${field.type} field)`;
  return null;
}
