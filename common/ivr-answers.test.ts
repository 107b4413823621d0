import { describe, expect, it } from 'vitest';
import { answerObjectSupported, ownCallerKey, relationsToCaller, unsayableReason } from './ivr-answers';

const rel = (name: string, object: string, cardinality = 'one') => ({
  name,
  type: 'relation',
  relation: { object, cardinality },
});

describe('what an IVR answer node may read (the editor offers it, the save checks it)', () => {
  it('reads the caller’s own contact, lead or account, or an object pointing at one through a to-one relation', () => {
    expect(answerObjectSupported('contacts', [])).toBe(true);
    expect(answerObjectSupported('leads', [])).toBe(true);
    expect(answerObjectSupported('accounts', [])).toBe(true);
    expect(answerObjectSupported('opportunities', [{ name: 'name', type: 'text' }, rel('accountId', 'accounts')])).toBe(
      true,
    );
    // Nothing leads to the caller: a to-many relation or a relation elsewhere does not count.
    expect(answerObjectSupported('products', [{ name: 'name', type: 'text' }])).toBe(false);
    expect(answerObjectSupported('things', [rel('contactIds', 'contacts', 'many'), rel('ownerId', 'users')])).toBe(
      false,
    );
    // Object's own properties are not objects.
    expect(ownCallerKey('constructor')).toBeUndefined();
    expect(answerObjectSupported('toString', [])).toBe(false);
  });

  it('follows the most specific relation first: contact, then account, then lead', () => {
    const fields = [rel('leadId', 'leads'), rel('accountId', 'accounts'), rel('contactId', 'contacts')];
    expect(relationsToCaller(fields)).toEqual([
      { field: 'contactId', key: 'contactId' },
      { field: 'accountId', key: 'accountId' },
      { field: 'leadId', key: 'leadId' },
    ]);
  });

  it('says fields that read out as words and are not sensitive', () => {
    expect(unsayableReason({ name: 'stageId', type: 'select' })).toBeNull();
    expect(unsayableReason({ name: 'expectedCloseDate', type: 'date' })).toBeNull();
    expect(unsayableReason({ name: 'birthday', type: 'date', sensitive: true })).toMatch(/sensitive/);
    expect(unsayableReason({ name: 'accountId', type: 'relation' })).toMatch(/cannot be said/);
    expect(unsayableReason({ name: 'address', type: 'address' })).toMatch(/cannot be said/);
  });
});
