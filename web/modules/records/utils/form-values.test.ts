import { describe, expect, it } from 'vitest';
import { fromDraft, sameValue, toDraft } from './form-values';
import { fieldMeta } from './test-objects';

describe('form values', () => {
  it('round-trips values through drafts', () => {
    const money = fieldMeta('annualRevenue', 'money');
    expect(toDraft(money, { amount: '60.07', currency: 'EUR' })).toEqual({ amount: '60.07', currency: 'EUR' });
    expect(fromDraft(money, { amount: ' 60.07 ', currency: 'eur' })).toEqual({
      ok: true,
      value: { amount: '60.07', currency: 'EUR' },
    });
    expect(fromDraft(money, { amount: '', currency: '' })).toEqual({ ok: true, value: null });
    expect(fromDraft(fieldMeta('name', 'text'), '  ')).toEqual({ ok: true, value: null });
  });

  it('refuses text that cannot be the type at all, leaving the rest to the API', () => {
    expect(fromDraft(fieldMeta('employees', 'integer'), '12.5')).toEqual({
      ok: false,
      error: 'must be a whole number',
    });
    expect(fromDraft(fieldMeta('employees', 'integer'), '250')).toEqual({ ok: true, value: 250 });
    expect(fromDraft(fieldMeta('socialProfiles', 'json'), '{bad')).toEqual({ ok: false, error: 'must be valid JSON' });
    // Decimals stay exact strings.
    expect(fromDraft(fieldMeta('rate', 'decimal'), '0.1000000001')).toEqual({ ok: true, value: '0.1000000001' });
  });

  it('keeps labels of multi-value entries and coordinates of an unmoved address', () => {
    const emails = fieldMeta('emails', 'emails');
    const before = [{ value: 'a@x.io', label: 'work' }];
    expect(fromDraft(emails, ['a@x.io', 'b@x.io'], before)).toEqual({
      ok: true,
      value: [{ value: 'a@x.io', label: 'work' }, { value: 'b@x.io' }],
    });
    const address = fieldMeta('address', 'address');
    const stored = {
      street: null,
      city: 'Lyon',
      region: null,
      postalCode: null,
      country: 'FR',
      latitude: 45.7,
      longitude: 4.8,
      geoPrecision: 'city',
      geoSource: 'gazetteer',
    };
    const draft = toDraft(address, stored);
    expect(fromDraft(address, draft, stored)).toEqual({ ok: true, value: stored });
    const moved = fromDraft(address, { ...(draft as Record<string, string>), city: 'Paris' }, stored);
    expect(moved).toEqual({
      ok: true,
      value: { street: null, city: 'Paris', region: null, postalCode: null, country: 'FR' },
    });
  });

  it('compares values regardless of key order, treating empty as null', () => {
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameValue('', null)).toBe(true);
    expect(sameValue(undefined, null)).toBe(true);
    expect(sameValue(['a'], ['b'])).toBe(false);
  });
});
