import { type ObjectDef, opt } from '../../platform/records/types';
import { INDUSTRIES } from '../accounts';
import { DO_NOT_SELL_FIELD, SCORE_DETAIL_FIELDS } from '../contacts';

/** Where leads and opportunities come from (opportunities use the same options, so conversion can copy it). */
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

const DOMAIN_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

export const LEAD_STATUSES = ['new', 'working', 'mql', 'sql', 'nurturing', 'disqualified', 'converted'] as const;

/**
 * Leads: people (and their company) not yet qualified. Conversion
 * (`POST /api/v1/leads/{id}/convert`, lead-converter.ts) turns one into an account,
 * a contact and optionally an opportunity; only it sets the status `converted`.
 */
export const leadsObject: ObjectDef = {
  name: 'leads',
  singular: 'lead',
  label: 'Lead',
  labelPlural: 'Leads',
  table: 'leads',
  titleFields: ['firstName', 'lastName'],
  subtitleFields: ['company'],
  defaultSort: '-createdAt',
  fields: [
    { name: 'firstName', type: 'text', label: 'First name', maxLength: 100, search: 'A', fuzzy: true },
    { name: 'lastName', type: 'text', label: 'Last name', maxLength: 100, search: 'A', fuzzy: true, indexed: true },
    { name: 'email', type: 'email', label: 'Email', search: 'A', fuzzy: true, indexed: true },
    // Kept when leads are merged (the other record's email and phone), copied to the contact on conversion.
    { name: 'emails', type: 'emails', label: 'Other emails', hidden: true },
    { name: 'phone', type: 'phone', label: 'Phone', search: 'B', indexed: true },
    { name: 'phones', type: 'phones', label: 'Other phones', hidden: true },
    { name: 'title', type: 'text', label: 'Job title', maxLength: 200, search: 'C' },
    { name: 'company', type: 'text', label: 'Company', maxLength: 200, search: 'A', fuzzy: true },
    { name: 'domain', type: 'text', label: 'Company domain', maxLength: 253, search: 'B', indexed: true },
    { name: 'website', type: 'url', label: 'Website', hidden: true },
    { name: 'industry', type: 'select', label: 'Industry', options: opt(...INDUSTRIES), hidden: true },
    { name: 'employees', type: 'integer', label: 'Employees', min: 0, max: 10_000_000, hidden: true },
    { name: 'address', type: 'address', label: 'Address', hidden: true },
    // The territory the address is in (server/modules/geo keeps it).
    {
      name: 'territoryId',
      type: 'relation',
      label: 'Territory',
      readOnly: true,
      hidden: true,
      relation: { object: 'territories', cardinality: 'one' },
    },
    { name: 'source', type: 'select', label: 'Source', options: SOURCES, indexed: true },
    {
      name: 'sourceCampaignId',
      type: 'relation',
      label: 'Source campaign',
      description: 'The campaign that brought this lead (first touch)',
      relation: { object: 'campaigns', cardinality: 'one' },
    },
    { name: 'status', type: 'select', label: 'Status', options: opt(...LEAD_STATUSES), indexed: true },
    { name: 'disqualifiedReason', type: 'text', label: 'Disqualified because', maxLength: 500, hidden: true },
    DO_NOT_SELL_FIELD,
    // Filled in by lead scoring; clients read it.
    { name: 'score', type: 'integer', label: 'Score', readOnly: true, min: -1_000_000, max: 1_000_000, indexed: true },
    ...SCORE_DETAIL_FIELDS,
    // Set when the score first reaches the workspace's MQL threshold (server/modules/scoring).
    { name: 'mqlAt', type: 'datetime', label: 'Became MQL', readOnly: true, hidden: true },
    // Set when the lead first becomes sales-qualified (status or qualification sql): the
    // marketing funnel's MQL → SQL and SQL → opportunity times (server/modules/reports).
    { name: 'sqlAt', type: 'datetime', label: 'Became SQL', readOnly: true, hidden: true },
    {
      name: 'qualification',
      type: 'select',
      label: 'Qualification',
      readOnly: true,
      options: opt('mql', 'sql', 'rejected'),
      indexed: true,
    },
    { name: 'convertedAt', type: 'datetime', label: 'Converted', readOnly: true, hidden: true },
    {
      name: 'convertedAccountId',
      type: 'relation',
      label: 'Converted to account',
      readOnly: true,
      hidden: true,
      relation: { object: 'accounts', cardinality: 'one' },
    },
    {
      name: 'convertedContactId',
      type: 'relation',
      label: 'Converted to contact',
      readOnly: true,
      hidden: true,
      relation: { object: 'contacts', cardinality: 'one' },
    },
    {
      name: 'convertedOpportunityId',
      type: 'relation',
      label: 'Converted to opportunity',
      readOnly: true,
      hidden: true,
      relation: { object: 'opportunities', cardinality: 'one' },
    },
    { name: 'description', type: 'longText', label: 'Notes', hidden: true },
  ],
  normalise: { domain: normaliseDomain },
  async beforeWrite(_tx, w) {
    if (w.before?.status === 'converted' && 'status' in w.changes) {
      return { errors: [{ path: `${w.pathPrefix}status`, message: 'a converted lead stays converted' }] };
    }
    const set: Record<string, unknown> = {};
    if (w.mode === 'create' && w.changes.status == null) set.status = 'new';
    const becomesSql = w.changes.status === 'sql' || w.changes.qualification === 'sql';
    if (becomesSql && !w.before?.sqlAt) set.sqlAt = new Date().toISOString();
    return Object.keys(set).length ? { set } : undefined;
  },
  validate(record, mode, opts) {
    const errors: { path: string; message: string }[] = [];
    if (mode === 'create' && !record.lastName && !record.email && !record.company) {
      errors.push({ path: 'lastName', message: 'a lead needs a last name, an email or a company' });
    }
    if (record.status === 'converted' && !opts?.system) {
      errors.push({ path: 'status', message: 'is set by converting the lead (POST /api/v1/leads/{id}/convert)' });
    }
    const d = record.domain;
    if (typeof d === 'string' && d && !DOMAIN_RE.test(d)) {
      errors.push({ path: 'domain', message: 'must be a domain name such as acme.com' });
    }
    return errors;
  },
};
