import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { humanIssueMessage, isLibraryMessage } from './validation-messages';

/** The messages a schema's failure gives people, by path. */
const messages = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a failure');
  return Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || '(root)', humanIssueMessage(i)]));
};

describe('validation messages for people', () => {
  it('asks for a missing or empty value by name, with the right article', () => {
    const schema = z.object({ name: z.string().min(1), email: z.string(), firstName: z.string().trim().min(1) });
    expect(messages(schema, { name: '', firstName: ' ' })).toEqual({
      name: 'Enter a name',
      email: 'Enter an email',
      firstName: 'Enter a first name',
    });
  });

  it('says what is wrong in words, never zod’s', () => {
    const schema = z.object({
      title: z.string().max(5),
      count: z.number().int().min(1).max(10),
      kind: z.enum(['lead', 'contact']),
      tags: z.array(z.string()).min(1),
      site: z.url(),
      id: z.uuid(),
    });
    const out = messages(schema, { title: 'toolong', count: 20, kind: 'x', tags: [], site: 'nope', id: 'abc' });
    expect(out).toEqual({
      title: 'must be at most 5 characters',
      count: 'must be at most 10',
      kind: 'must be one of: lead, contact',
      tags: 'must have at least one item',
      site: 'must be a web address',
      id: 'must be a valid identifier',
    });
    expect(messages(z.object({ n: z.number() }), { n: 'x' })).toEqual({ n: 'must be a number' });
    for (const m of Object.values(out)) expect(isLibraryMessage(m)).toBe(false);
  });

  it('keeps a message the schema sets itself', () => {
    expect(messages(z.object({ name: z.string().min(1, 'Enter your name') }), { name: '' })).toEqual({
      name: 'Enter your name',
    });
    expect(isLibraryMessage('Too small: expected string to have >=1 characters')).toBe(true);
  });
});
