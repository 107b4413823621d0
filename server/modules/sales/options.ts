import type { SelectOption } from '../../platform/records/types';

/** Select options from values: `best_case` → "Best case". */
export const opt = (...values: string[]): SelectOption[] =>
  values.map((v) => ({ value: v, label: v.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()) }));

/** Where leads and opportunities come from (shared so conversion can copy it). */
export const SOURCES = opt(
  'website',
  'referral',
  'event',
  'advertising',
  'cold_call',
  'email',
  'social',
  'partner',
  'trade_show',
  'other',
);

/** "https://www.Acme.com/about" and "acme.com" are the same company domain (as accounts normalise it). */
export const normaliseDomain = (v: string) =>
  v
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#:].*$/, '');

export const DOMAIN_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
