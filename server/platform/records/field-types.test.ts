import { describe, expect, it } from 'vitest';
import { STANDARD_OBJECTS } from '../../modules';
import { fromRow, normaliseDecimal, toColumns, valueSchema } from './field-types';
import { ObjectSchema } from './object-schema';
import { ObjectRegistry } from './registry';
import { FIELD_TYPES, type FieldDef, type FieldType } from './types';
import { validateInput } from './validate';

// Unit tests of the record engine's value layer: no database.

const UUID_A = '0190a0b0-0000-7000-8000-000000000001';
/** An address with every part empty, as validation returns it. */
const NO_ADDRESS = {
  street: null,
  city: null,
  region: null,
  postalCode: null,
  country: null,
  latitude: null,
  longitude: null,
  geoPrecision: null,
  geoSource: null,
};
const UUID_B = '0190a0b0-0000-7000-8000-000000000002';
const OPTIONS = [
  { value: 'red', label: 'Red' },
  { value: 'green', label: 'Green' },
  { value: 'blue', label: 'Blue' },
];

const field = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name: 'someField',
  type,
  label: 'Some field',
  ...(type === 'select' || type === 'multiSelect' ? { options: OPTIONS } : {}),
  ...(type === 'relation' ? { relation: { object: 'accounts', cardinality: 'one' as const } } : {}),
  ...extra,
});

/** Parses a value that must be accepted; returns the normalised value. */
function accept(f: FieldDef, input: unknown): unknown {
  const r = valueSchema(f).safeParse(input);
  if (!r.success) throw new Error(`${f.type} rejected ${JSON.stringify(input)}: ${r.error.message}`);
  return r.data;
}

/** Parses a value that must be rejected; returns the issues as "path: message". */
function reject(f: FieldDef, input: unknown): string[] {
  const r = valueSchema(f).safeParse(input);
  if (r.success) throw new Error(`${f.type} accepted ${JSON.stringify(input)} as ${JSON.stringify(r.data)}`);
  const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  for (const i of r.error.issues) expect(i.message.length).toBeGreaterThan(0);
  return issues;
}

describe('normaliseDecimal', () => {
  it.each([
    ['007.50', '7.5'],
    ['-0.0', '0'],
    ['-0', '0'],
    ['0.000', '0'],
    ['-00.500', '-0.5'],
    ['100', '100'],
    ['10.0100', '10.01'],
    ['000', '0'],
    ['-12.340000', '-12.34'],
    ['123456789012345.123456', '123456789012345.123456'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseDecimal(input)).toBe(expected);
  });
});

/**
 * Per field type: inputs that must be accepted (with their normalised value) and
 * inputs that must be rejected (with a fragment of the expected message).
 * Typed as Record<FieldType, …> so adding a field type without tests fails to compile.
 */
const CASES: Record<
  FieldType,
  { extra?: Partial<FieldDef>; valid: [unknown, unknown][]; invalid: [unknown, string | RegExp][] }
> = {
  text: {
    extra: { maxLength: 10 },
    valid: [
      ['  Jane  ', 'Jane'],
      ['', ''],
      ['x'.repeat(10), 'x'.repeat(10)],
      ['Ünïcødé', 'Ünïcødé'],
    ],
    invalid: [
      ['x'.repeat(11), /<=10/],
      [5, /expected string/],
      [true, /expected string/],
      [['a'], /expected string/],
      [{}, /expected string/],
    ],
  },
  longText: {
    valid: [
      ['  keeps  spaces\n', '  keeps  spaces\n'],
      ['x'.repeat(20_000), 'x'.repeat(20_000)],
    ],
    invalid: [
      ['x'.repeat(20_001), /<=20000/],
      [42, /expected string/],
    ],
  },
  email: {
    valid: [
      ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
      ['a+tag@sub.example.co.uk', 'a+tag@sub.example.co.uk'],
    ],
    invalid: [
      ['nope', 'must be a valid email address'],
      ['a@b', 'must be a valid email address'],
      ['@example.com', 'must be a valid email address'],
      ['jane doe@example.com', 'must be a valid email address'],
      [`${'a'.repeat(250)}@x.com`, /254/],
      [123, /expected string/],
    ],
  },
  emails: {
    valid: [
      [
        [{ value: 'A@X.com', label: 'work' }, { value: 'a@x.com', label: 'duplicate' }, { value: 'b@x.com' }],
        [{ value: 'a@x.com', label: 'work' }, { value: 'b@x.com' }],
      ],
      [[], []],
    ],
    invalid: [
      [[{ value: 'bad' }], '0.value: must be a valid email address'],
      [[{ value: 'a@x.com', kind: 'home' }], /Unrecognized key/],
      [['a@x.com'], /expected object/],
      [Array.from({ length: 21 }, (_, i) => ({ value: `u${i}@x.com` })), /\b20\b/],
      [[{ value: 'a@x.com', label: 'x'.repeat(51) }], /0\.label/],
      ['a@x.com', /expected array/],
    ],
  },
  phone: {
    valid: [
      ['+33 1 23 45 67 89', '+33123456789'],
      ['0033 1 23 45 67 89', '+33123456789'],
      ['+1 (415) 555-2671', '+14155552671'],
      ['  +44 20 7946 0958 ', '+442079460958'],
    ],
    invalid: [
      ['01 23 45 67 89', 'must be a valid phone number in international format'],
      ['+1 555', 'must be a valid phone number'],
      ['call me', 'must be a valid phone number'],
      ['', 'must be a valid phone number'],
      [`+33${'1'.repeat(40)}`, /<=40/],
      [33123456789, /expected string/],
    ],
  },
  phones: {
    valid: [
      [
        [{ value: '+33 1 23 45 67 89', label: 'office' }, { value: '+33123456789' }, { value: '+14155552671' }],
        [{ value: '+33123456789', label: 'office' }, { value: '+14155552671' }],
      ],
    ],
    invalid: [
      [[{ value: '+33123456789' }, { value: '12' }], '1.value: must be a valid phone number'],
      [[{ value: '+33123456789', extension: '12' }], /Unrecognized key/],
      [{ value: '+33123456789' }, /expected array/],
    ],
  },
  url: {
    valid: [
      ['example.com', 'https://example.com/'],
      ['  www.example.com/about  ', 'https://www.example.com/about'],
      ['http://Example.com/Path?q=1', 'http://example.com/Path?q=1'],
      ['HTTPS://example.org', 'https://example.org/'],
    ],
    invalid: [
      ['ftp://example.com', 'must be a web address (http or https)'],
      ['javascript:alert(1)', 'must be a web address'],
      ['localhost', 'must be a web address'],
      ['https://localhost:3000', 'must be a web address'],
      ['', 'must be a web address'],
      ['http://exa mple.com', 'must be a web address'],
      [`example.com/${'x'.repeat(2048)}`, /<=2048/],
    ],
  },
  integer: {
    extra: { min: 0, max: 1000 },
    valid: [
      [0, 0],
      [1000, 1000],
    ],
    invalid: [
      [-1, />=0/],
      [1001, /<=1000/],
      [5.5, /expected int/],
      ['5', /expected number/],
      [Number.NaN, /expected number/],
      [null, /expected number/],
    ],
  },
  decimal: {
    valid: [
      ['007.50', '7.5'],
      [' 12 ', '12'],
      ['-0.0', '0'],
      [1.5, '1.5'],
      [-3, '-3'],
      ['123456789012345.123456', '123456789012345.123456'],
    ],
    invalid: [
      ['1.1234567', 'must be a decimal number with at most 15 digits and 6 decimals'],
      ['1234567890123456', 'at most 15 digits'],
      ['1e5', 'must be a decimal number'],
      ['+1', 'must be a decimal number'],
      ['.5', 'must be a decimal number'],
      ['1.', 'must be a decimal number'],
      ['abc', 'must be a decimal number'],
      ['', 'must be a decimal number'],
      [1e21, 'must be a decimal number'],
      [0.1 + 0.2, 'must be a decimal number'],
      [Number.POSITIVE_INFINITY, /invalid/i],
      [true, /invalid/i],
    ],
  },
  money: {
    valid: [
      [
        { amount: '60.07', currency: 'eur' },
        { amount: '60.07', currency: 'EUR' },
      ],
      [
        { amount: '0060.0700', currency: ' usd ' },
        { amount: '60.07', currency: 'USD' },
      ],
      [
        { amount: '-1', currency: 'JPY' },
        { amount: '-1', currency: 'JPY' },
      ],
      [
        { amount: '999999999999999.9999', currency: 'CHF' },
        { amount: '999999999999999.9999', currency: 'CHF' },
      ],
    ],
    invalid: [
      [{ amount: '1', currency: 'XYZ' }, 'currency: must be an ISO 4217 currency code, e.g. EUR'],
      [{ amount: '1', currency: 'euro' }, 'currency: must be an ISO 4217 currency code'],
      [{ amount: '1', currency: '' }, 'currency: must be an ISO 4217 currency code'],
      [{ amount: 60.07, currency: 'EUR' }, 'amount: must be a decimal string, e.g. "60.07"'],
      [
        { amount: '1.12345', currency: 'EUR' },
        'amount: must be a decimal number with at most 15 digits and 4 decimals',
      ],
      [{ amount: '1' }, /^currency: /],
      [{ currency: 'EUR' }, /^amount: /],
      [{ amount: '1', currency: 'EUR', rate: 1 }, /Unrecognized key/],
      ['60.07 EUR', /expected object/],
    ],
  },
  percent: {
    valid: [
      [12.345678, 12.3457],
      [0, 0],
      [-1000, -1000],
      [1000, 1000],
      [33.33333, 33.3333],
    ],
    invalid: [
      [1000.5, /<=1000/],
      [-1001, />=-1000/],
      ['5', /expected number/],
      [Number.POSITIVE_INFINITY, /expected number/],
    ],
  },
  date: {
    valid: [
      ['2024-02-29', '2024-02-29'],
      ['1999-12-31', '1999-12-31'],
    ],
    invalid: [
      ['2023-02-29', 'must be a date YYYY-MM-DD'],
      ['2024-13-01', 'must be a date YYYY-MM-DD'],
      ['2024-1-1', 'must be a date YYYY-MM-DD'],
      ['2024-05-01T10:00:00Z', 'must be a date YYYY-MM-DD'],
      ['01/05/2024', 'must be a date YYYY-MM-DD'],
      [20240501, 'must be a date YYYY-MM-DD'],
    ],
  },
  datetime: {
    valid: [
      ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z'],
      ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
      ['2024-05-01T10:00:00.123456Z', '2024-05-01T10:00:00.123Z'],
      ['2024-12-31T23:30:00-01:00', '2025-01-01T00:30:00.000Z'],
    ],
    invalid: [
      ['2024-05-01T10:00:00', 'must be an ISO 8601 date-time with a time zone'],
      ['2024-05-01', 'must be an ISO 8601 date-time with a time zone'],
      ['2024-05-01 10:00:00Z', 'must be an ISO 8601 date-time'],
      ['yesterday', 'must be an ISO 8601 date-time'],
      [1714557600000, 'must be an ISO 8601 date-time'],
    ],
  },
  boolean: {
    valid: [
      [true, true],
      [false, false],
    ],
    invalid: [
      ['true', /expected boolean/],
      [0, /expected boolean/],
      [1, /expected boolean/],
    ],
  },
  select: {
    valid: [
      ['red', 'red'],
      ['blue', 'blue'],
    ],
    invalid: [
      ['purple', 'must be one of: red, green, blue'],
      ['Red', 'must be one of: red, green, blue'],
      ['', 'must be one of'],
      [['red'], /expected string/],
    ],
  },
  multiSelect: {
    valid: [
      [
        ['red', 'blue', 'red'],
        ['red', 'blue'],
      ],
      [[], []],
      [
        ['green', 'red', 'blue'],
        ['green', 'red', 'blue'],
      ],
    ],
    invalid: [
      [['red', 'purple'], '1: must be one of: red, green, blue'],
      ['red', /expected array/],
      [[1], /expected string/],
    ],
  },
  relation: {
    valid: [
      [UUID_A, UUID_A],
      ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
    ],
    invalid: [
      ['nope', /Invalid UUID/],
      [`${UUID_A}x`, /Invalid UUID/],
      [[UUID_A], /expected string/],
      [42, /expected string/],
    ],
  },
  user: {
    valid: [[UUID_B, UUID_B]],
    invalid: [
      ['me', /Invalid UUID/],
      ['', /Invalid UUID/],
    ],
  },
  address: {
    valid: [
      [
        {
          street: ' 1 rue de Rivoli ',
          city: ' Paris ',
          postalCode: '75001',
          country: 'fr',
          latitude: 48.86,
          longitude: 2.35,
        },
        {
          street: '1 rue de Rivoli',
          city: 'Paris',
          region: null,
          postalCode: '75001',
          country: 'FR',
          latitude: 48.86,
          longitude: 2.35,
          // Coordinates without a word on where they came from were set by hand.
          geoPrecision: 'manual',
          geoSource: 'user',
        },
      ],
      [
        { city: 'Lyon', street: '', region: null },
        { ...NO_ADDRESS, city: 'Lyon' },
      ],
      [
        { latitude: -90, longitude: 180 },
        { ...NO_ADDRESS, latitude: -90, longitude: 180, geoPrecision: 'manual', geoSource: 'user' },
      ],
      [
        { latitude: 45.76, longitude: 4.84, geoPrecision: 'city', geoSource: 'gazetteer' },
        { ...NO_ADDRESS, latitude: 45.76, longitude: 4.84, geoPrecision: 'city', geoSource: 'gazetteer' },
      ],
      // Without coordinates there is no precision nor source.
      [{ geoPrecision: 'city', geoSource: 'gazetteer' }, NO_ADDRESS],
      [{}, NO_ADDRESS],
    ],
    invalid: [
      [{ latitude: 48.86 }, 'longitude: latitude and longitude go together'],
      [{ longitude: 2.35, latitude: null }, 'latitude: latitude and longitude go together'],
      [{ country: 'France' }, 'country: must be an ISO 3166-1 alpha-2 country code, e.g. FR'],
      [{ country: 'F1' }, 'country: must be an ISO 3166-1 alpha-2 country code'],
      [{ latitude: 91, longitude: 0 }, /^latitude: .*<=90/],
      [{ latitude: 0, longitude: -181 }, /^longitude: .*>=-180/],
      [{ latitude: '48.86', longitude: 2.35 }, /^latitude: .*expected number/],
      [{ zip: '75001' }, /Unrecognized key/],
      [{ latitude: 1, longitude: 2, geoPrecision: 'village' }, /^geoPrecision: /],
      [{ latitude: 1, longitude: 2, geoSource: 'guess' }, /^geoSource: /],
      [{ postalCode: 'x'.repeat(21) }, /^postalCode: /],
      ['1 rue de Rivoli, Paris', /expected object/],
    ],
  },
  tags: {
    valid: [
      [
        [' Foo ', 'foo', 'BAR', 'bar'],
        ['foo', 'bar'],
      ],
      [[], []],
      [['VIP'], ['vip']],
    ],
    invalid: [
      [[''], /^0: .*>=1/],
      [['   '], /^0: .*>=1/],
      [['ok', 'x'.repeat(65)], /^1: .*<=64/],
      [Array.from({ length: 101 }, (_, i) => `t${i}`), /\b100\b/],
      ['foo', /expected array/],
      [[1], /expected string/],
    ],
  },
  json: {
    valid: [
      [{ linkedin: 'jane' }, { linkedin: 'jane' }],
      [
        [1, 'two', { three: 3 }],
        [1, 'two', { three: 3 }],
      ],
      [{}, {}],
      [{ big: 'x'.repeat(65_000) }, { big: 'x'.repeat(65_000) }],
    ],
    invalid: [
      [{ big: 'x'.repeat(65_536) }, 'must be at most 64 KB of JSON'],
      [Array.from({ length: 20_000 }, () => 'abc'), 'must be at most 64 KB of JSON'],
      ['a string', /invalid/i],
      [42, /invalid/i],
      [true, /invalid/i],
    ],
  },
};

describe('valueSchema', () => {
  it('has cases for every field type', () => {
    expect(Object.keys(CASES).sort()).toEqual([...FIELD_TYPES].sort());
    for (const t of FIELD_TYPES) {
      expect(CASES[t].valid.length, t).toBeGreaterThan(0);
      expect(CASES[t].invalid.length, t).toBeGreaterThan(0);
    }
  });

  for (const type of FIELD_TYPES) {
    const { extra, valid, invalid } = CASES[type];
    describe(type, () => {
      it.each(valid.map(([input, expected]) => ({ input, expected })))('accepts $input', ({ input, expected }) => {
        expect(accept(field(type, extra), input)).toEqual(expected);
      });
      it.each(invalid.map(([input, message]) => ({ input, message })))('rejects $input', ({ input, message }) => {
        const issues = reject(field(type, extra), input);
        if (typeof message === 'string') expect(issues.join(' | ')).toContain(message);
        else expect(issues.join(' | ')).toMatch(message);
      });
    });
  }

  it('text defaults to 255 characters; maxLength overrides it, for longText too', () => {
    accept(field('text'), 'x'.repeat(255));
    reject(field('text'), 'x'.repeat(256));
    accept(field('longText', { maxLength: 5 }), '12345');
    reject(field('longText', { maxLength: 5 }), '123456');
  });

  it('integer defaults to the safe integer range', () => {
    expect(accept(field('integer'), Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(accept(field('integer'), -Number.MAX_SAFE_INTEGER)).toBe(-Number.MAX_SAFE_INTEGER);
    reject(field('integer'), 2 ** 53);
  });

  it('percent honours the field min/max', () => {
    expect(accept(field('percent', { min: 0, max: 100 }), 99.99999)).toBe(100);
    reject(field('percent', { min: 0, max: 100 }), -0.5);
    reject(field('percent', { min: 0, max: 100 }), 100.5);
  });

  it('relation with cardinality many takes a de-duplicated list of uuids', () => {
    const many = field('relation', { relation: { object: 'accounts', cardinality: 'many' } });
    expect(accept(many, [UUID_A, UUID_B, UUID_A])).toEqual([UUID_A, UUID_B]);
    expect(accept(many, [])).toEqual([]);
    expect(reject(many, UUID_A).join()).toMatch(/expected array/);
    expect(reject(many, [UUID_A, 'x']).join()).toMatch(/^1: Invalid UUID/);
    expect(
      reject(
        many,
        Array.from({ length: 1001 }, () => UUID_A),
      ).join(),
    ).toMatch(/<=1000/);
  });

  it('select and multiSelect accept only their own options', () => {
    const sizes = [{ value: 's', label: 'S' }];
    expect(accept(field('select', { options: sizes }), 's')).toBe('s');
    expect(reject(field('select', { options: sizes }), 'red')).toEqual([': must be one of: s']);
    expect(reject(field('multiSelect', { options: sizes }), ['red']).join()).toContain('must be one of: s');
  });

  it('the currency list is ISO 4217 (common codes accepted, lower-case normalised)', () => {
    const money = field('money');
    for (const c of ['EUR', 'usd', 'GBP', 'jpy', 'CHF', 'BRL', 'INR']) {
      expect(accept(money, { amount: '1', currency: c })).toEqual({ amount: '1', currency: c.toUpperCase() });
    }
    for (const c of ['XXXX', 'EU', '€', 'BTC']) reject(money, { amount: '1', currency: c });
  });

  // Found while testing: the list is capped at the number of options *before* duplicates
  // are removed, so a list that de-duplicates to valid options is refused.
  it('multiSelect removes duplicates rather than counting them against the option limit', () => {
    expect(accept(field('multiSelect'), ['red', 'green', 'blue', 'red'])).toEqual(['red', 'green', 'blue']);
  });

  // Found while testing: an empty string clears every address part (street: "" → null)
  // except the country, which is rejected, so a form that clears the country gets a 422.
  it('an empty country clears it, like the other address parts', () => {
    expect(accept(field('address'), { city: 'Paris', country: '' })).toMatchObject({ city: 'Paris', country: null });
  });

  // Found while testing: year 0000 passes the ISO check but PostgreSQL has no year 0, so
  // the value fails in the database (500 when used in a filter, see test/fuzz.test.ts).
  it('rejects dates and date-times PostgreSQL cannot store (year 0000)', () => {
    reject(field('date'), '0000-01-01');
    reject(field('datetime'), '0000-01-01T00:00:00Z');
  });

  // Found while testing: PostgreSQL text and jsonb cannot hold U+0000; a value valueSchema
  // accepts must be storable (rejected here, or at least stripped of the NUL).
  it('never lets U+0000 through (text, longText, tags, json, emails labels)', () => {
    const inputs: [FieldType, unknown][] = [
      ['text', 'a\u0000b'],
      ['longText', 'a\u0000b'],
      ['tags', ['a\u0000b']],
      ['json', { key: 'a\u0000b' }],
      ['emails', [{ value: 'a@x.com', label: 'a\u0000b' }]],
    ];
    const leaking = inputs
      .filter(([type, input]) => {
        const r = valueSchema(field(type)).safeParse(input);
        return r.success && JSON.stringify(r.data).includes('\\u0000');
      })
      .map(([type]) => type);
    expect(leaking).toEqual([]);
  });

  // Found while testing: the 64 KB check JSON.stringify()s the value, which throws a
  // RangeError (→ 500) on deeply nested JSON instead of reporting an issue.
  it('json reports deeply nested values as invalid instead of throwing', () => {
    const deep = JSON.parse(`{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    let result: { success: boolean } | undefined;
    expect(() => {
      result = valueSchema(field('json')).safeParse(deep);
    }).not.toThrow();
    expect(result?.success).toBe(false);
  });
});

describe('toColumns and fromRow', () => {
  const money: FieldDef = { name: 'annualRevenue', type: 'money', label: 'Revenue' };
  const address: FieldDef = { name: 'address', type: 'address', label: 'Address' };

  it('splits money into amount and currency columns, and reads it back exactly', () => {
    expect(toColumns(money, { amount: '60.07', currency: 'EUR' })).toEqual({
      annual_revenue_amount: '60.07',
      annual_revenue_currency: 'EUR',
    });
    expect(toColumns(money, null)).toEqual({ annual_revenue_amount: null, annual_revenue_currency: null });
    expect(fromRow(money, { annual_revenue_amount: '60.0700', annual_revenue_currency: 'EUR' })).toEqual({
      amount: '60.07',
      currency: 'EUR',
    });
    expect(fromRow(money, { annual_revenue_amount: '1250000.1000', annual_revenue_currency: 'USD' })).toEqual({
      amount: '1250000.1',
      currency: 'USD',
    });
    expect(fromRow(money, { annual_revenue_amount: null, annual_revenue_currency: null })).toBeNull();
  });

  it('splits an address into one column per part; an all-empty address reads back as null', () => {
    const value = accept(address, { city: 'Paris', country: 'fr', latitude: 48.86, longitude: 2.35 });
    const cols = toColumns(address, value);
    expect(cols).toEqual({
      address_street: null,
      address_city: 'Paris',
      address_region: null,
      address_postal_code: null,
      address_country: 'FR',
      address_latitude: 48.86,
      address_longitude: 2.35,
      address_geo_precision: 'manual',
      address_geo_source: 'user',
    });
    expect(fromRow(address, cols)).toEqual(value);
    expect(Object.values(toColumns(address, null)).every((v) => v === null)).toBe(true);
    expect(Object.keys(toColumns(address, null))).toHaveLength(9);
    expect(fromRow(address, toColumns(address, null))).toBeNull();
    expect(fromRow(address, { address_city: 'Lyon' })).toMatchObject({ city: 'Lyon', street: null, latitude: null });
  });

  it('serialises JSONB fields as text for statements, raw inside a JSON document', () => {
    const emails: FieldDef = { name: 'emails', type: 'emails', label: 'Emails' };
    const list = [{ value: 'a@x.com', label: 'work' }];
    expect(toColumns(emails, list)).toEqual({ emails: JSON.stringify(list) });
    expect(toColumns(emails, list, true)).toEqual({ emails: list });
    expect(toColumns(emails, null)).toEqual({ emails: null });
    const json: FieldDef = { name: 'socialProfiles', type: 'json', label: 'Social' };
    expect(toColumns(json, { x: 'y' })).toEqual({ social_profiles: '{"x":"y"}' });
    const phones: FieldDef = { name: 'phones', type: 'phones', label: 'Phones' };
    expect(toColumns(phones, [{ value: '+33123456789' }])).toEqual({ phones: '[{"value":"+33123456789"}]' });
  });

  it('maps single-column fields to their snake_case column', () => {
    expect(toColumns({ name: 'firstName', type: 'text', label: 'F' }, 'Ann')).toEqual({ first_name: 'Ann' });
    expect(toColumns({ name: 'firstName', type: 'text', label: 'F' }, undefined)).toEqual({ first_name: null });
    expect(toColumns({ name: 'tags', type: 'tags', label: 'T' }, ['a'])).toEqual({ tags: ['a'] });
    expect(toColumns({ name: 'doNotContact', type: 'boolean', label: 'D' }, false)).toEqual({ do_not_contact: false });
  });

  it('converts database values back to API values', () => {
    const f = (name: string, type: FieldType): FieldDef => ({ name, type, label: name });
    expect(fromRow(f('employees', 'integer'), { employees: '42' })).toBe(42);
    expect(fromRow(f('share', 'percent'), { share: '12.3400' })).toBe(12.34);
    expect(fromRow(f('price', 'decimal'), { price: '7.500000' })).toBe('7.5');
    expect(fromRow(f('price', 'decimal'), { price: '-0.000000' })).toBe('0');
    expect(fromRow(f('seenAt', 'datetime'), { seen_at: new Date('2024-05-01T08:00:00Z') })).toBe(
      '2024-05-01T08:00:00.000Z',
    );
    expect(fromRow(f('seenAt', 'datetime'), { seen_at: '2024-05-01 10:00:00+02' })).toBe('2024-05-01T08:00:00.000Z');
    expect(fromRow(f('birthday', 'date'), { birthday: '1990-04-01' })).toBe('1990-04-01');
    expect(fromRow(f('tags', 'tags'), { tags: null })).toEqual([]);
    expect(fromRow(f('colours', 'multiSelect'), { colours: null })).toEqual([]);
    expect(fromRow(f('firstName', 'text'), { first_name: null })).toBeNull();
    expect(fromRow(f('firstName', 'text'), {})).toBeNull();
    expect(fromRow(f('emails', 'emails'), { emails: [{ value: 'a@x.com' }] })).toEqual([{ value: 'a@x.com' }]);
    expect(fromRow(f('active', 'boolean'), { active: false })).toBe(false);
  });

  it('round-trips every field type through its columns', () => {
    const samples: Record<FieldType, unknown> = {
      text: 'Ann',
      longText: 'Line 1\nLine 2',
      email: 'ann@example.com',
      emails: [{ value: 'ann@example.com', label: 'work' }],
      phone: '+33123456789',
      phones: [{ value: '+33123456789' }],
      url: 'https://example.com/',
      integer: 12,
      decimal: '7.5',
      money: { amount: '60.07', currency: 'EUR' },
      percent: 12.5,
      date: '2024-02-29',
      datetime: '2024-05-01T08:00:00.000Z',
      boolean: true,
      select: 'red',
      multiSelect: ['red', 'blue'],
      relation: UUID_A,
      user: UUID_B,
      address: {
        street: null,
        city: 'Paris',
        region: null,
        postalCode: null,
        country: 'FR',
        latitude: 1,
        longitude: 2,
        geoPrecision: 'street',
        geoSource: 'import',
      },
      tags: ['vip'],
      json: { linkedin: 'ann' },
    };
    for (const type of FIELD_TYPES) {
      const f = field(type);
      const validated = accept(f, samples[type]);
      expect(fromRow(f, toColumns(f, validated, true)), type).toEqual(samples[type]);
    }
  });
});

describe('validateInput', () => {
  const registry = new ObjectRegistry(STANDARD_OBJECTS);
  const schemaOf = (name: string, custom: FieldDef[] = []) => {
    const def = registry.get(name);
    if (!def) throw new Error(`no object ${name}`);
    return new ObjectSchema(def, registry.fields(def.name), custom);
  };
  const contacts = schemaOf('contacts');
  const accounts = schemaOf('accounts');
  const valuesOf = (v: ReturnType<typeof validateInput>) =>
    Object.fromEntries([...v.builtin].map(([f, value]) => [f.name, value]));

  it('normalises every built-in field it is given', () => {
    const v = validateInput(
      contacts,
      {
        firstName: '  Ada ',
        email: 'ADA@Example.com',
        phone: '+44 20 7946 0958',
        tags: ['VIP', 'vip'],
        address: { city: 'London', country: 'gb' },
        birthday: '1815-12-10',
        doNotContact: false,
        accountId: UUID_A,
      },
      'create',
    );
    expect(v.errors).toEqual([]);
    expect(valuesOf(v)).toEqual({
      firstName: 'Ada',
      email: 'ada@example.com',
      phone: '+442079460958',
      tags: ['vip'],
      address: { ...NO_ADDRESS, city: 'London', country: 'GB' },
      birthday: '1815-12-10',
      doNotContact: false,
      accountId: UUID_A,
    });
    expect(v.custom).toEqual({});
  });

  it('reports unknown fields by name', () => {
    const v = validateInput(contacts, { firstName: 'Ada', salary: 100, constructor: 1, __proto__x: 2 }, 'create');
    expect(v.errors).toEqual([
      { path: 'salary', message: 'unknown field' },
      { path: 'constructor', message: 'unknown field' },
      { path: '__proto__x', message: 'unknown field' },
    ]);
  });

  it('rejects read-only fields, but silently ignores echoed id and version', () => {
    const v = validateInput(
      contacts,
      { firstName: 'Ada', createdAt: '2024-01-01T00:00:00Z', lastContactedAt: null, createdBy: UUID_A },
      'create',
    );
    expect(v.errors).toEqual([
      { path: 'createdAt', message: 'is read-only' },
      { path: 'lastContactedAt', message: 'is read-only' },
      { path: 'createdBy', message: 'is read-only' },
    ]);
    const echoed = validateInput(contacts, { id: 'whatever', version: 'x', lastName: 'Lovelace' }, 'update');
    expect(echoed.errors).toEqual([]);
    expect(valuesOf(echoed)).toEqual({ lastName: 'Lovelace' });
  });

  it('requires required fields on create, and never lets them be cleared', () => {
    expect(validateInput(accounts, { domain: 'acme.com' }, 'create').errors).toEqual([
      { path: 'name', message: 'is required' },
    ]);
    for (const name of ['', '   ', null]) {
      expect(validateInput(accounts, { name }, 'create').errors, String(name)).toEqual([
        { path: 'name', message: 'is required and cannot be empty' },
      ]);
      expect(validateInput(accounts, { name }, 'update').errors, String(name)).toEqual([
        { path: 'name', message: 'is required and cannot be empty' },
      ]);
    }
    // Partial updates need not repeat required fields.
    expect(validateInput(accounts, { domain: 'acme.com' }, 'update').errors).toEqual([]);
  });

  it('reports wrong types with the field path and a message', () => {
    const v = validateInput(
      contacts,
      { firstName: 5, doNotContact: 'yes', birthday: '10/12/1815', lifecycleStage: 'vip', accountId: 'acme' },
      'create',
    );
    expect(v.errors.map((e) => e.path)).toEqual([
      'firstName',
      'doNotContact',
      'birthday',
      'lifecycleStage',
      'accountId',
    ]);
    for (const e of v.errors) expect(e.message).toMatch(/\w/);
    expect(v.errors.find((e) => e.path === 'lifecycleStage')?.message).toMatch(/^must be one of: subscriber, lead/);
    expect(v.builtin.size).toBe(0);
  });

  it('names sub-field paths (address.country, annualRevenue.currency, emails.1.value)', () => {
    const c = validateInput(
      contacts,
      {
        firstName: 'Ada',
        address: { country: 'United Kingdom', latitude: 51.5 },
        emails: [{ value: 'ok@x.com' }, { value: 'nope' }],
      },
      'create',
    );
    expect(c.errors).toEqual(
      expect.arrayContaining([
        { path: 'address.country', message: 'must be an ISO 3166-1 alpha-2 country code, e.g. FR' },
        { path: 'emails.1.value', message: 'must be a valid email address' },
      ]),
    );
    const a = validateInput(accounts, { name: 'Acme', annualRevenue: { amount: '10', currency: 'ZZZ' } }, 'create');
    expect(a.errors).toEqual([
      { path: 'annualRevenue.currency', message: 'must be an ISO 4217 currency code, e.g. EUR' },
    ]);
    const geo = validateInput(contacts, { firstName: 'Ada', address: { longitude: 0.12 } }, 'create');
    expect(geo.errors).toEqual([{ path: 'address.latitude', message: 'latitude and longitude go together' }]);
  });

  it('prefixes every path for batch items', () => {
    const v = validateInput(accounts, { website: 'ftp://x.org', rating: 5 }, 'create', 'records.3.');
    expect(v.errors).toEqual(
      expect.arrayContaining([
        { path: 'records.3.website', message: 'must be a web address (http or https)' },
        { path: 'records.3.rating', message: 'unknown field' },
        { path: 'records.3.name', message: 'is required' },
      ]),
    );
    expect(v.errors).toHaveLength(3);
    expect(validateInput(accounts, 'x', 'create', 'records.7.').errors).toEqual([
      { path: 'records.7', message: 'must be a JSON object' },
    ]);
  });

  it('rejects a body that is not a JSON object', () => {
    for (const body of [null, undefined, [], [{ firstName: 'Ada' }], 'Ada', 42, true]) {
      expect(validateInput(contacts, body, 'create').errors, JSON.stringify(body)).toEqual([
        { path: 'body', message: 'must be a JSON object' },
      ]);
    }
  });

  it('null or an empty string clears a field; undefined leaves it alone', () => {
    const v = validateInput(contacts, { title: null, department: '', phone: undefined, tags: [] }, 'update');
    expect(v.errors).toEqual([]);
    expect(valuesOf(v)).toEqual({ title: null, department: null, tags: [] });
  });

  it('applies the contacts rule: a first name, a last name or an email on create', () => {
    const rule = { path: 'lastName', message: 'a contact needs a first name, a last name or an email' };
    expect(validateInput(contacts, {}, 'create').errors).toEqual([rule]);
    expect(validateInput(contacts, { title: 'CEO', firstName: '  ' }, 'create').errors).toEqual([rule]);
    expect(validateInput(contacts, { firstName: null, lastName: '', email: null }, 'create').errors).toEqual([rule]);
    expect(validateInput(contacts, { firstName: 'Ada' }, 'create').errors).toEqual([]);
    expect(validateInput(contacts, { lastName: 'Lovelace' }, 'create').errors).toEqual([]);
    expect(validateInput(contacts, { email: 'ada@example.com' }, 'create').errors).toEqual([]);
    // Updates are partial: the rule is for new contacts.
    expect(validateInput(contacts, { title: 'CEO' }, 'update').errors).toEqual([]);
    // Object rules run only once the fields themselves are valid.
    expect(validateInput(contacts, { email: 'not-an-email' }, 'create').errors).toEqual([
      { path: 'email', message: 'must be a valid email address' },
    ]);
    expect(validateInput(contacts, {}, 'create', 'records.0.').errors).toEqual([
      { ...rule, path: 'records.0.lastName' },
    ]);
  });

  it('applies the contacts rule on socialProfiles (network → handle strings)', () => {
    expect(validateInput(contacts, { firstName: 'Ada', socialProfiles: { x: '@ada' } }, 'create').errors).toEqual([]);
    for (const socialProfiles of [{ x: 5 }, ['@ada'], { x: 'a'.repeat(201) }]) {
      expect(validateInput(contacts, { firstName: 'Ada', socialProfiles }, 'update').errors).toEqual([
        { path: 'socialProfiles', message: 'must map networks to handles, e.g. {"linkedin": "jane-doe"}' },
      ]);
    }
  });

  it('normalises and checks account domains', () => {
    const v = validateInput(accounts, { name: 'Acme', domain: 'https://www.Acme.com/about?x=1' }, 'create');
    expect(v.errors).toEqual([]);
    expect(valuesOf(v).domain).toBe('acme.com');
    expect(validateInput(accounts, { name: 'Acme', domain: 'not a domain' }, 'create').errors).toEqual([
      { path: 'domain', message: 'must be a domain name such as acme.com' },
    ]);
  });

  it('collects every error at once instead of stopping at the first', () => {
    const v = validateInput(
      accounts,
      { name: '', employees: -5, website: 'nope', industry: 'magic', unknown: 1, createdAt: 'x' },
      'create',
    );
    expect(v.errors.map((e) => e.path).sort()).toEqual(
      ['createdAt', 'employees', 'industry', 'name', 'unknown', 'website'].sort(),
    );
  });

  it('validates custom fields beside built-in ones and keeps them apart', () => {
    const score: FieldDef = { name: 'score', type: 'integer', label: 'Score', min: 0, max: 100, customId: UUID_A };
    const tier: FieldDef = {
      name: 'tier',
      type: 'select',
      label: 'Tier',
      required: true,
      options: [{ value: 'gold', label: 'Gold' }],
      customId: UUID_B,
    };
    const schema = schemaOf('contacts', [score, tier]);
    const ok = validateInput(schema, { firstName: 'Ada', score: 42, tier: 'gold' }, 'create');
    expect(ok.errors).toEqual([]);
    expect(ok.custom).toEqual({ score: 42, tier: 'gold' });
    expect(valuesOf(ok)).toEqual({ firstName: 'Ada' });
    expect(validateInput(schema, { firstName: 'Ada', score: 101 }, 'create').errors).toEqual([
      { path: 'score', message: 'must be at most 100' },
      { path: 'tier', message: 'is required' },
    ]);
    expect(validateInput(schema, { score: null }, 'update').custom).toEqual({ score: null });
  });
});
