import { listRecords, type RecordData } from '../../records/api/records.api';

/** The existing records a lead's conversion would link, found the way the server does (lead-converter.ts). */
export interface ConversionMatches {
  account: { record: RecordData; by: 'domain' | 'name' } | null;
  contact: RecordData | null;
}

/** `https://www.Acme.com/x` → `acme.com` (the API normalises account domains this way). */
export function domainOf(lead: Record<string, unknown>): string | null {
  if (typeof lead.domain === 'string' && lead.domain) return lead.domain;
  if (typeof lead.website !== 'string' || !lead.website) return null;
  try {
    return new URL(/^https?:\/\//i.test(lead.website) ? lead.website : `https://${lead.website}`).hostname
      .toLowerCase()
      .replace(/^www\./, '');
  } catch {
    return null;
  }
}

/**
 * Account: the oldest visible one with the lead's domain, else with its company name
 * (case-insensitive, exact); contact: the oldest with its email. Only a preview: the
 * conversion matches again on the server, in its transaction.
 */
export async function findConversionMatches(lead: RecordData, signal?: AbortSignal): Promise<ConversionMatches> {
  const domain = domainOf(lead);
  const company = typeof lead.company === 'string' ? lead.company.trim() : '';
  const email = typeof lead.email === 'string' ? lead.email : '';
  const first = async (object: string, filter: object) =>
    (await listRecords(object, { filter: filter as never, sort: 'createdAt', limit: 1 }, signal)).data[0] ?? null;

  let account: ConversionMatches['account'] = null;
  if (domain) {
    const r = await first('accounts', { field: 'domain', op: 'eq', value: domain });
    if (r) account = { record: r, by: 'domain' };
  }
  if (!account && company) {
    // `contains` is case-insensitive; keep the exact (case-insensitive) names.
    const page = await listRecords(
      'accounts',
      { filter: { field: 'name', op: 'contains', value: company }, sort: 'createdAt', limit: 100 },
      signal,
    );
    const r = page.data.find((a) => String(a.name ?? '').toLowerCase() === company.toLowerCase());
    if (r) account = { record: r, by: 'name' };
  }
  const contact = email ? await first('contacts', { field: 'email', op: 'eq', value: email.toLowerCase() }) : null;
  return { account, contact };
}
