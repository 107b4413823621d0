import { describe, expect, it } from 'vitest';
import { objectKeys } from './object-keys';

const obj = (name: string, labelPlural: string) => ({ name, labelPlural });

describe('objectKeys', () => {
  it('gives each object the first free letter of its label, keeping h for home', () => {
    const keys = objectKeys([
      obj('accounts', 'Accounts'),
      obj('contacts', 'Contacts'),
      obj('campaigns', 'Campaigns'),
      obj('cases', 'Cases'),
      obj('households', 'Households'),
    ]);
    expect(Object.fromEntries(keys)).toEqual({
      a: 'accounts',
      c: 'contacts',
      m: 'campaigns',
      s: 'cases',
      o: 'households',
    });
  });

  it('skips objects with no free letter rather than sharing one', () => {
    const keys = objectKeys([obj('aa', 'Aa'), obj('ab', 'Ab'), obj('ba', 'Ba'), obj('bb', 'Bb')]);
    expect([...keys.values()]).toEqual(['aa', 'ab']);
  });
});
