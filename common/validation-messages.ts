/**
 * The one map from schema-library (zod) issues to messages written for people. zod's
 * own English ("Too small: expected string to have >=1 characters") never reaches a
 * user: the server's problem mapper and the field-value checks pass every issue
 * through `humanIssueMessage`. A message a schema sets itself ("must be a valid email
 * address", "Enter your name") is kept as written.
 *
 * Messages follow the house form: a predicate about the field the error's path names
 * ("must be at most 200 characters"), or an instruction naming it ("Enter a name").
 */

/** The parts of a zod issue the map reads (a finalised issue, or the params a validator kept of it). */
export interface IssueLike {
  code?: string;
  path?: readonly PropertyKey[];
  message?: string;
  expected?: unknown;
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: unknown;
  format?: unknown;
  values?: unknown;
  keys?: unknown;
  divisor?: unknown;
}

// zod's English messages all start with one of these; a schema's own messages do not.
const ZOD_DEFAULT = /^(Invalid|Too small|Too big|Unrecognized key)/;

/** True when the message is zod's default wording rather than one a schema set. */
export function isLibraryMessage(message: string | undefined): boolean {
  return !message || ZOD_DEFAULT.test(message);
}

/** `firstName` → "first name", `3` (an array index) → "item". */
export function fieldLabel(path: readonly PropertyKey[] | undefined): string {
  const last = [...(path ?? [])].reverse().find((p) => typeof p === 'string');
  if (typeof last !== 'string' || last === '') return 'a value';
  return last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

/** "a name", "an email": the article English wants before a word. */
export function withArticle(word: string): string {
  if (word.startsWith('a ') || word.startsWith('an ')) return word;
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  date: 'a date',
  null: 'empty',
};

const FORMATS: Record<string, string> = {
  email: 'must be a valid email address',
  url: 'must be a web address',
  uuid: 'must be a valid identifier',
  guid: 'must be a valid identifier',
  datetime: 'must be a date and time with a time zone, e.g. 2025-03-01T09:00:00Z',
  date: 'must be a date, e.g. 2025-03-01',
  time: 'must be a time, e.g. 09:30',
  e164: 'must be a phone number in international format, e.g. +33 1 23 45 67 89',
  regex: 'is not in the expected format',
};

const num = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : '?');
const plural = (n: unknown, word: string) => `${num(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * A person's message for a zod issue: the schema's own message when it set one,
 * otherwise a sentence chosen by the issue's code.
 */
export function humanIssueMessage(issue: IssueLike): string {
  if (!isLibraryMessage(issue.message)) return issue.message as string;
  const label = fieldLabel(issue.path);
  const missing = /received (undefined|null)$/.test(issue.message ?? '');
  switch (issue.code) {
    case 'invalid_type': {
      if (missing) return issue.expected === 'string' ? `Enter ${withArticle(label)}` : 'is required';
      const expected = typeof issue.expected === 'string' ? issue.expected : '';
      return `must be ${TYPE_NAMES[expected] ?? (expected || 'of another type')}`;
    }
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string')
        return min === 1 ? `Enter ${withArticle(label)}` : `must be at least ${plural(min, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return min === 1 ? 'must have at least one item' : `must have at least ${plural(min, 'item')}`;
      if (issue.origin === 'date') return 'is too early';
      return issue.inclusive === false ? `must be more than ${num(min)}` : `must be at least ${num(min)}`;
    }
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string') return `must be at most ${plural(max, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${plural(max, 'item')}`;
      if (issue.origin === 'date') return 'is too late';
      return issue.inclusive === false ? `must be less than ${num(max)}` : `must be at most ${num(max)}`;
    }
    case 'invalid_format':
      return FORMATS[String(issue.format)] ?? 'is not in the expected format';
    case 'invalid_value': {
      const values = Array.isArray(issue.values) ? issue.values.map(String) : [];
      if (values.length === 1) return `must be ${values[0]}`;
      if (values.length > 0 && values.length <= 8) return `must be one of: ${values.join(', ')}`;
      return 'is not one of the allowed values';
    }
    case 'not_multiple_of':
      return `must be a multiple of ${num(issue.divisor)}`;
    case 'unrecognized_keys':
      return Array.isArray(issue.keys) && issue.keys.length > 1 ? 'are not fields we know' : 'is not a field we know';
    case 'invalid_union':
      return 'is not in any of the accepted forms';
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has an item that is not valid';
    default:
      return 'is not valid';
  }
}
