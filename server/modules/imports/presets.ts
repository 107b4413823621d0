/**
 * Column presets for files exported from other CRMs, so such a file imports with no mapping.
 *
 * Sources of the column names and values (kept with the fixtures in test/fixtures/imports/):
 * - HubSpot: the CSV/XLSX an "Export" of the contacts, companies or deals view produces —
 *   property labels as headers ("Record ID", "First Name", "Last Name", "Email", "Phone
 *   Number", "Company Name", "Associated Company ID", "Lifecycle Stage", "Contact owner",
 *   "Country/Region", "State/Region"…; older exports say "Contact ID"/"Company ID"), and
 *   the lifecycle stage's internal values (subscriber, lead, marketingqualifiedlead,
 *   salesqualifiedlead, opportunity, customer, evangelist, other) or their labels
 *   (knowledge.hubspot.com, "Import contacts"; "Use lifecycle stages").
 * - Salesforce: a report export (field labels: "Contact ID", "Account ID", "Account Name",
 *   "First Name", "Mailing Street", "Mailing City", "Mailing State/Province", "Mailing
 *   Zip/Postal Code", "Mailing Country", "Contact Owner"…) and the weekly Data Export
 *   (API names: Id, AccountId, FirstName, MailingStreet, OwnerId…), both recognised.
 */
import type { ImportPreset } from '../../../common/contracts/imports';

export interface MappingEntry {
  /** The file's column header. */
  column: string;
  /** A field of the object, `address.<part>` for an address part, or `@externalId`. */
  field: string;
  /** For relations and people: how the cell names the record (default: any of them). */
  by?: 'id' | 'externalId' | 'name' | 'email';
  /** Cell values to field values (lower-cased keys). */
  values?: Record<string, string>;
  /** A value that is not an option, or a person or record not found, is left out instead of failing the row (presets). */
  lenient?: boolean;
  /** Money: the column holding the currency of an amount written without one (Salesforce's "Opportunity Currency"). */
  currencyColumn?: string;
}

/** Preset entries: a money column also names the columns its currency may be in. */
type PresetEntry = Omit<MappingEntry, 'column' | 'currencyColumn'> & { currencyFrom?: string[] };

/** The source system's name where external ids are kept ("hubspot", "salesforce", or "import"). */
export const externalSource = (preset: ImportPreset | null | undefined) => preset ?? 'import';

const HUBSPOT_LIFECYCLE: Record<string, string> = {
  subscriber: 'subscriber',
  lead: 'lead',
  marketingqualifiedlead: 'mql',
  'marketing qualified lead': 'mql',
  salesqualifiedlead: 'sql',
  'sales qualified lead': 'sql',
  opportunity: 'opportunity',
  customer: 'customer',
  evangelist: 'evangelist',
  other: 'other',
};

const HUBSPOT_COMPANY_TYPE: Record<string, string> = {
  prospect: 'prospect',
  partner: 'partner',
  reseller: 'partner',
  vendor: 'supplier',
  other: 'other',
  customer: 'customer',
};

const HUBSPOT_LEAD_STATUS: Record<string, string> = {
  new: 'new',
  open: 'working',
  in_progress: 'working',
  'in progress': 'working',
  open_deal: 'sql',
  'open deal': 'sql',
  unqualified: 'disqualified',
  attempted_to_contact: 'working',
  'attempted to contact': 'working',
  connected: 'working',
  bad_timing: 'nurturing',
  'bad timing': 'nurturing',
};

const SALESFORCE_LEAD_STATUS: Record<string, string> = {
  'open - not contacted': 'new',
  'working - contacted': 'working',
  'closed - converted': 'converted',
  'closed - not converted': 'disqualified',
};

const SALESFORCE_LEAD_SOURCE: Record<string, string> = {
  web: 'website',
  'phone inquiry': 'cold_call',
  'partner referral': 'partner',
  'purchased list': 'other',
  other: 'other',
  advertisement: 'advertising',
  'employee referral': 'referral',
  'external referral': 'referral',
  partner: 'partner',
  'public relations': 'other',
  seminar: 'event',
  'seminar - internal': 'event',
  'seminar - partner': 'event',
  'trade show': 'trade_show',
  'word of mouth': 'referral',
};

const SALESFORCE_ACCOUNT_TYPE: Record<string, string> = {
  prospect: 'prospect',
  'customer - direct': 'customer',
  'customer - channel': 'customer',
  'channel partner / reseller': 'partner',
  'installation partner': 'partner',
  'technology partner': 'partner',
  other: 'other',
};

const FORECAST_CATEGORY: Record<string, string> = {
  pipeline: 'pipeline',
  'best case': 'best_case',
  bestcase: 'best_case',
  commit: 'commit',
  closed: 'closed',
  omitted: 'omitted',
};

type PresetColumns = [string[], PresetEntry][];

const address = (
  prefix: string[],
  street: string[],
  city: string[],
  region: string[],
  zip: string[],
  country: string[],
) =>
  [
    [street.flatMap((s) => prefix.map((p) => `${p}${s}`)), { field: 'address.street' }],
    [city.flatMap((s) => prefix.map((p) => `${p}${s}`)), { field: 'address.city' }],
    [region.flatMap((s) => prefix.map((p) => `${p}${s}`)), { field: 'address.region' }],
    [zip.flatMap((s) => prefix.map((p) => `${p}${s}`)), { field: 'address.postalCode' }],
    [country.flatMap((s) => prefix.map((p) => `${p}${s}`)), { field: 'address.country' }],
  ] as PresetColumns;

const HUBSPOT_ADDRESS = address(
  [''],
  ['Street Address'],
  ['City'],
  ['State/Region'],
  ['Postal Code', 'Zip'],
  ['Country/Region', 'Country'],
);

const PRESETS: Record<ImportPreset, Record<string, PresetColumns>> = {
  hubspot: {
    contacts: [
      [['Record ID', 'Contact ID', 'Record ID - Contact'], { field: '@externalId' }],
      [['First Name'], { field: 'firstName' }],
      [['Last Name'], { field: 'lastName' }],
      [['Email'], { field: 'email' }],
      [['Phone Number'], { field: 'phone' }],
      [['Mobile Phone Number'], { field: 'phones' }],
      [['Job Title'], { field: 'title' }],
      [['Associated Company ID', 'Primary Associated Company ID'], { field: 'accountId', by: 'externalId' }],
      [['Company Name', 'Associated Company'], { field: 'accountId', by: 'name' }],
      [['Lifecycle Stage'], { field: 'lifecycleStage', values: HUBSPOT_LIFECYCLE, lenient: true }],
      [['Contact owner', 'Contact Owner'], { field: 'ownerId', lenient: true }],
      [['Date of birth'], { field: 'birthday' }],
      ...HUBSPOT_ADDRESS,
    ],
    accounts: [
      [['Record ID', 'Company ID', 'Record ID - Company'], { field: '@externalId' }],
      [['Company name', 'Name'], { field: 'name' }],
      [['Company Domain Name', 'Domain'], { field: 'domain' }],
      [['Website URL'], { field: 'website' }],
      [['Phone Number'], { field: 'phone' }],
      [['Number of Employees'], { field: 'employees' }],
      [['Type'], { field: 'type', values: HUBSPOT_COMPANY_TYPE, lenient: true }],
      [['Industry'], { field: 'industry', lenient: true }],
      [['Company owner', 'Company Owner'], { field: 'ownerId', lenient: true }],
      [['Description', 'About Us'], { field: 'description' }],
      ...HUBSPOT_ADDRESS,
    ],
    leads: [
      [['Record ID', 'Contact ID'], { field: '@externalId' }],
      [['First Name'], { field: 'firstName' }],
      [['Last Name'], { field: 'lastName' }],
      [['Email'], { field: 'email' }],
      [['Phone Number'], { field: 'phone' }],
      [['Job Title'], { field: 'title' }],
      [['Company Name'], { field: 'company' }],
      [['Website URL'], { field: 'website' }],
      [['Lead Status'], { field: 'status', values: HUBSPOT_LEAD_STATUS, lenient: true }],
      [['Contact owner', 'Contact Owner'], { field: 'ownerId', lenient: true }],
      ...HUBSPOT_ADDRESS,
    ],
    // Deals: the stage by its label ("Closed Won"), matched to a stage of the workspace's pipelines.
    opportunities: [
      [['Record ID', 'Deal ID', 'Record ID - Deal'], { field: '@externalId' }],
      [['Deal Name'], { field: 'name' }],
      [['Amount'], { field: 'amount', currencyFrom: ['Currency', 'Deal Currency Code'] }],
      [['Close Date'], { field: 'expectedCloseDate' }],
      [['Deal Stage'], { field: 'stageId', lenient: true }],
      [['Associated Company ID', 'Associated Company IDs (Primary)'], { field: 'accountId', by: 'externalId' }],
      [['Associated Company', 'Associated Company (Primary)', 'Company Name'], { field: 'accountId', by: 'name' }],
      [
        ['Forecast category', 'Forecast Category'],
        { field: 'forecastCategory', values: FORECAST_CATEGORY, lenient: true },
      ],
      [['Deal owner', 'Deal Owner'], { field: 'ownerId', lenient: true }],
      [['Deal Description', 'Description'], { field: 'description' }],
    ],
  },
  salesforce: {
    contacts: [
      [['Contact ID', 'Id'], { field: '@externalId' }],
      [['First Name', 'FirstName'], { field: 'firstName' }],
      [['Last Name', 'LastName'], { field: 'lastName' }],
      [['Email'], { field: 'email' }],
      [['Phone', 'Business Phone'], { field: 'phone' }],
      [['Mobile', 'MobilePhone', 'Mobile Phone'], { field: 'phones' }],
      [['Title'], { field: 'title' }],
      [['Department'], { field: 'department' }],
      [['Account ID', 'AccountId'], { field: 'accountId', by: 'externalId' }],
      [['Account Name'], { field: 'accountId', by: 'name' }],
      [['Contact Owner', 'OwnerId'], { field: 'ownerId', lenient: true }],
      [['Birthdate'], { field: 'birthday' }],
      [['Description'], { field: 'description' }],
      ...address(
        ['Mailing ', 'Mailing'],
        ['Street'],
        ['City'],
        ['State/Province', 'State'],
        ['Zip/Postal Code', 'PostalCode'],
        ['Country'],
      ),
    ],
    accounts: [
      [['Account ID', 'Id'], { field: '@externalId' }],
      [['Account Name', 'Name'], { field: 'name' }],
      [['Website'], { field: 'website' }],
      [['Phone'], { field: 'phone' }],
      [['Employees', 'NumberOfEmployees'], { field: 'employees' }],
      [['Type'], { field: 'type', values: SALESFORCE_ACCOUNT_TYPE, lenient: true }],
      [['Industry'], { field: 'industry', lenient: true }],
      [['Parent Account ID', 'ParentId'], { field: 'parentAccountId', by: 'externalId' }],
      [['Account Owner', 'OwnerId'], { field: 'ownerId', lenient: true }],
      [['Description'], { field: 'description' }],
      ...address(
        ['Billing ', 'Billing'],
        ['Street'],
        ['City'],
        ['State/Province', 'State'],
        ['Zip/Postal Code', 'PostalCode'],
        ['Country'],
      ),
    ],
    leads: [
      [['Lead ID', 'Id'], { field: '@externalId' }],
      [['First Name', 'FirstName'], { field: 'firstName' }],
      [['Last Name', 'LastName'], { field: 'lastName' }],
      [['Email'], { field: 'email' }],
      [['Phone'], { field: 'phone' }],
      [['Title'], { field: 'title' }],
      [['Company', 'Company / Account'], { field: 'company' }],
      [['Website'], { field: 'website' }],
      [['Lead Status', 'Status'], { field: 'status', values: SALESFORCE_LEAD_STATUS, lenient: true }],
      [['Lead Source', 'LeadSource'], { field: 'source', values: SALESFORCE_LEAD_SOURCE, lenient: true }],
      [['Industry'], { field: 'industry', lenient: true }],
      [['Lead Owner', 'OwnerId'], { field: 'ownerId', lenient: true }],
      [['Description'], { field: 'description' }],
      ...address(
        [''],
        ['Street'],
        ['City'],
        ['State/Province', 'State'],
        ['Zip/Postal Code', 'PostalCode'],
        ['Country'],
      ),
    ],
    // Opportunities: the account by Salesforce id (of an earlier accounts import) or by name,
    // the stage by its label, matched to a stage of the workspace's pipelines.
    opportunities: [
      [['Opportunity ID', 'Id'], { field: '@externalId' }],
      [['Opportunity Name', 'Name'], { field: 'name' }],
      [['Account ID', 'AccountId'], { field: 'accountId', by: 'externalId' }],
      [['Account Name', 'Account'], { field: 'accountId', by: 'name' }],
      [
        ['Amount'],
        { field: 'amount', currencyFrom: ['Amount Currency', 'Opportunity Currency', 'CurrencyIsoCode', 'Currency'] },
      ],
      [['Close Date', 'CloseDate'], { field: 'expectedCloseDate' }],
      [['Stage', 'StageName'], { field: 'stageId', lenient: true }],
      [['Probability (%)', 'Probability'], { field: 'probability' }],
      [['Next Step', 'NextStep'], { field: 'nextStep' }],
      [['Lead Source', 'LeadSource'], { field: 'source', values: SALESFORCE_LEAD_SOURCE, lenient: true }],
      [
        ['Forecast Category', 'ForecastCategoryName'],
        { field: 'forecastCategory', values: FORECAST_CATEGORY, lenient: true },
      ],
      [['Opportunity Owner', 'OwnerId'], { field: 'ownerId', lenient: true }],
      [['Description'], { field: 'description' }],
    ],
  },
};

/** The objects a preset knows, for error messages. */
export const presetObjects = (preset: ImportPreset) => Object.keys(PRESETS[preset]);

const norm = (s: string) => s.trim().toLowerCase();

/** A preset's mapping for a file's header: the first matching column for each entry. */
export function presetMapping(preset: ImportPreset, object: string, header: string[]): MappingEntry[] | null {
  const columns = PRESETS[preset][object];
  if (!columns) return null;
  const byNorm = new Map(header.map((h) => [norm(h), h]));
  const out: MappingEntry[] = [];
  const find = (names: string[]) => names.map((n) => byNorm.get(norm(n))).find((c): c is string => !!c);
  for (const [names, { currencyFrom, ...entry }] of columns) {
    const column = find(names);
    if (!column || out.some((e) => e.column === column)) continue;
    const currencyColumn = currencyFrom ? find(currencyFrom) : undefined;
    out.push({ column, ...entry, ...(currencyColumn ? { currencyColumn } : {}) });
  }
  return out;
}
