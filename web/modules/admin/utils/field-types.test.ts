import { describe, expect, it } from 'vitest';
import { fieldNameFrom, optionValueFrom } from './field-types';

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
