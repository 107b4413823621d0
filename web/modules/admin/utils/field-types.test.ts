import { describe, expect, it } from 'vitest';
import { canEncrypt, fieldNameFrom, optionValueFrom } from './field-types';

describe('custom field names', () => {
  it('turns labels into camelCase API names', () => {
    expect(fieldNameFrom('Renewal date (EU)')).toBe('renewalDateEu');
    expect(fieldNameFrom('Région préférée')).toBe('regionPreferee');
    expect(fieldNameFrom('2nd phone')).toBe('ndPhone');
    expect(fieldNameFrom('  ')).toBe('');
  });
  it('turns option labels into stable values', () => {
    expect(optionValueFrom('Very high!')).toBe('very_high');
    expect(optionValueFrom('Élevé')).toBe('eleve');
  });
});

describe('sensitive custom fields', () => {
  it('offers encryption only for the types the server can encrypt', () => {
    expect(['text', 'email', 'phone', 'date', 'select', 'json'].every(canEncrypt)).toBe(true);
    expect(['money', 'address', 'relation', 'multiSelect', 'boolean', 'tags', 'user'].some(canEncrypt)).toBe(false);
  });
});
