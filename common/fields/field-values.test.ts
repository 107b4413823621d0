import { describe, expect, it } from 'vitest';
import {
  checkFieldValue,
  FIELD_TYPES,
  type FieldValueSpec,
  isFieldType,
  REQUIRED_NOT_EMPTY_MESSAGE,
  valueSchema,
} from './field-values';

// The shared value rules as the web app calls them: with field metadata, where absent
// settings are null rather than undefined (server-side coverage: server/platform/records/field-types.test.ts).
const meta = (type: FieldValueSpec['type'], extra: Partial<FieldValueSpec> = {}): FieldValueSpec => ({
  type,
  required: false,
  maxLength: null,
  min: null,
  max: null,
  options: null,
  relation: null,
  ...extra,
});

describe('shared field value schemas', () => {
  it('normalises phones to E.164 and refuses what is not a number, in the API’s words', () => {
    expect(checkFieldValue(meta('phone'), '+1 202 555 0143')).toEqual({ ok: true, value: '+12025550143' });
    expect(checkFieldValue(meta('phone'), '0033 1 23 45 67 89')).toEqual({ ok: true, value: '+33123456789' });
    expect(checkFieldValue(meta('phone'), '12345')).toEqual({
      ok: false,
      problems: [{ sub: '', message: 'must be a valid phone number in international format, e.g. +33 1 23 45 67 89' }],
    });
  });

  it('checks emails, URLs, money and addresses with sub-field paths', () => {
    expect(checkFieldValue(meta('email'), ' Ada@Example.COM ')).toEqual({ ok: true, value: 'ada@example.com' });
    expect(checkFieldValue(meta('email'), 'ada@')).toMatchObject({
      ok: false,
      problems: [{ message: 'must be a valid email address' }],
    });
    expect(checkFieldValue(meta('url'), 'acme.com')).toEqual({ ok: true, value: 'https://acme.com/' });
    expect(checkFieldValue(meta('money'), { amount: '007.50', currency: 'eur' })).toEqual({
      ok: true,
      value: { amount: '7.5', currency: 'EUR' },
    });
    expect(checkFieldValue(meta('money'), { amount: '1.23456', currency: 'XXY' })).toEqual({
      ok: false,
      problems: [
        { sub: 'amount', message: 'must be a decimal number with at most 15 digits and 4 decimals' },
        { sub: 'currency', message: 'must be an ISO 4217 currency code, e.g. EUR' },
      ],
    });
    expect(checkFieldValue(meta('address'), { city: 'Lyon', country: 'France' })).toMatchObject({
      ok: false,
      problems: [{ sub: 'country', message: 'must be an ISO 3166-1 alpha-2 country code, e.g. FR' }],
    });
  });

  it('applies metadata bounds given as null or numbers, and select options', () => {
    expect(checkFieldValue(meta('integer'), 2 ** 40)).toEqual({ ok: true, value: 2 ** 40 });
    expect(checkFieldValue(meta('integer', { max: 10 }), 11).ok).toBe(false);
    expect(checkFieldValue(meta('text', { maxLength: 3 }), 'abcd').ok).toBe(false);
    const select = meta('select', { options: [{ value: 'lead' }, { value: 'customer' }] });
    expect(checkFieldValue(select, 'customer')).toEqual({ ok: true, value: 'customer' });
    expect(checkFieldValue(select, 'partner')).toEqual({
      ok: false,
      problems: [{ sub: '', message: 'must be one of: lead, customer' }],
    });
  });

  it('treats empty text as a clear, which a required field refuses', () => {
    expect(checkFieldValue(meta('text'), '')).toEqual({ ok: true, value: null });
    expect(checkFieldValue(meta('text', { required: true }), '   ')).toEqual({
      ok: false,
      problems: [{ sub: '', message: REQUIRED_NOT_EMPTY_MESSAGE }],
    });
    expect(checkFieldValue(meta('tags', { required: true }), [])).toMatchObject({ ok: false });
    // Absent is not a clear: nothing to check.
    expect(checkFieldValue(meta('text', { required: true }), undefined)).toEqual({ ok: true, value: undefined });
  });

  it('has a schema for every field type and knows the type names', () => {
    for (const t of FIELD_TYPES) expect(valueSchema(meta(t))).toBeDefined();
    expect(isFieldType('phone')).toBe(true);
    expect(isFieldType('hologram')).toBe(false);
  });
});
