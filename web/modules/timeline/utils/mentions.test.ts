import { describe, expect, it } from 'vitest';
import { bodyParts, encodeMentions, insertMention, mentionQuery } from './mentions';

const id = '0190b4d1-0000-7000-8000-000000000001';

describe('mentions in comments', () => {
  it('finds the name being typed after @', () => {
    expect(mentionQuery('Hi @Mi', 6)).toBe('Mi');
    expect(mentionQuery('mail@example', 12)).toBeNull();
    expect(mentionQuery('@', 1)).toBe('');
  });
  it('inserts the picked name and encodes it for the API', () => {
    const { text, caret } = insertMention('Hi @Mi, ok', 6, 'Mia Manager');
    expect(text).toBe('Hi @Mia Manager , ok');
    expect(caret).toBe(16);
    expect(encodeMentions(text, [{ id, name: 'Mia Manager' }])).toBe(`Hi @[Mia Manager](user:${id}) , ok`);
  });
  it('splits a stored body into text and mentions', () => {
    expect(bodyParts(`cc @[Mia](user:${id}) please`)).toEqual([
      { at: 0, text: 'cc ' },
      { at: 3, mention: { id, name: 'Mia' } },
      { at: 3 + `@[Mia](user:${id})`.length, text: ' please' },
    ]);
  });
});
