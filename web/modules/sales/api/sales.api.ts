import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  AcceptQuoteResponse,
  ConvertLeadRequest,
  ConvertLeadResponse,
  DealSchema,
  DealStatsSchema,
  DealsPageSchema,
  DealsQuery,
  DuplicateSchema,
  OpportunityContactSchema,
  PipelineSchema,
  PriceBookSchema,
  PriceEntrySchema,
  QuoteLineInput as QuoteLineInputSchema,
  QuoteLineSchema,
  SetOpportunityContactsRequest,
  SetQuoteLinesResponse,
  StageHistorySchema,
  StageKind as StageKindSchema,
  StageSchema,
} from '../../../../common/contracts/sales';
import { getJson, request, withQuery } from '../../../lib/http';
import type { RecordData } from '../../records/api/records.api';

/*
 * The sales endpoints beyond the generic record ones (server/modules/{pipelines,
 * opportunities,quotes,products,leads,deals,duplicates}; contracts in common/contracts/sales.ts).
 */

export type StageKind = z.infer<typeof StageKindSchema>;

export type Stage = z.infer<typeof StageSchema>;

export type Pipeline = z.infer<typeof PipelineSchema>;

/** Query keys of the sales data: invalidating `salesKeys.all` refreshes every view of it. */
export const salesKeys = {
  all: ['sales'] as const,
  pipelines: ['sales', 'pipelines'] as const,
  contacts: (opportunityId: string) => ['sales', 'opportunity-contacts', opportunityId] as const,
  history: (opportunityId: string) => ['sales', 'stage-history', opportunityId] as const,
  lines: (quoteId: string) => ['sales', 'quote-lines', quoteId] as const,
  priceBooks: ['sales', 'price-books'] as const,
  prices: (priceBookId: string, currency: string) => ['sales', 'prices', priceBookId, currency] as const,
  deals: (params: DealsParams) => ['sales', 'deals', params] as const,
  stats: (params: DealsParams) => ['sales', 'deal-stats', params] as const,
  duplicates: (object: string, id: string) => ['sales', 'duplicates', object, id] as const,
};

export const pipelinesQuery = queryOptions({
  queryKey: salesKeys.pipelines,
  queryFn: ({ signal }) => getJson<{ data: Pipeline[] }>('/api/v1/pipelines', signal).then((r) => r.data),
  staleTime: 60_000,
});

// Opportunities ---------------------------------------------------------------

export const CONTACT_ROLES = [
  { value: 'decision_maker', label: 'Decision maker' },
  { value: 'economic_buyer', label: 'Economic buyer' },
  { value: 'champion', label: 'Champion' },
  { value: 'influencer', label: 'Influencer' },
  { value: 'technical_buyer', label: 'Technical buyer' },
  { value: 'user', label: 'User' },
  { value: 'other', label: 'Other' },
] as const;

export type OpportunityContact = z.infer<typeof OpportunityContactSchema>;

export const getOpportunityContacts = (id: string, signal?: AbortSignal) =>
  getJson<{ data: OpportunityContact[] }>(`/api/v1/opportunities/${id}/contacts`, signal).then((r) => r.data);

export const setOpportunityContacts = async (
  id: string,
  contacts: z.input<typeof SetOpportunityContactsRequest>['contacts'],
) =>
  (await request<{ data: OpportunityContact[] }>('PUT', `/api/v1/opportunities/${id}/contacts`, { body: { contacts } }))
    .body.data;

export type StageStay = z.infer<typeof StageHistorySchema>;

export const getStageHistory = (id: string, signal?: AbortSignal) =>
  getJson<{ data: StageStay[] }>(`/api/v1/opportunities/${id}/stage-history`, signal).then((r) => r.data);

// Products, price books, quotes ---------------------------------------------------

export type PriceBook = z.infer<typeof PriceBookSchema>;

export type PriceEntry = z.infer<typeof PriceEntrySchema>;

export const priceBooksQuery = queryOptions({
  queryKey: salesKeys.priceBooks,
  queryFn: ({ signal }) => getJson<{ data: PriceBook[] }>('/api/v1/price-books', signal).then((r) => r.data),
  staleTime: 60_000,
});

export const getPrices = (priceBookId: string, currency: string, signal?: AbortSignal) =>
  getJson<{ data: PriceEntry[] }>(withQuery(`/api/v1/price-books/${priceBookId}/entries`, { currency }), signal).then(
    (r) => r.data,
  );

export type QuoteLine = z.infer<typeof QuoteLineSchema>;

export type QuoteLineInput = z.input<typeof QuoteLineInputSchema>;

export const getQuoteLines = (id: string, signal?: AbortSignal) =>
  getJson<{ data: QuoteLine[] }>(`/api/v1/quotes/${id}/lines`, signal).then((r) => r.data);

/** Replaces the line items (If-Match: the quote's ETag); the server answers with its own amounts and totals. */
export async function setQuoteLines(id: string, lines: QuoteLineInput[], etag: string | null) {
  const res = await request<z.infer<typeof SetQuoteLinesResponse>>('PUT', `/api/v1/quotes/${id}/lines`, {
    body: { lines },
    headers: etag ? { 'if-match': etag } : {},
  });
  return { ...res.body.data, etag: res.headers.get('etag') };
}

export const quotePdfUrl = (id: string) => `/api/v1/quotes/${id}/pdf`;

/** Accepts the quote; by default its opportunity moves to the won stage with the quote's total. */
export async function acceptQuote(id: string) {
  return (
    await request<z.infer<typeof AcceptQuoteResponse>>('POST', `/api/v1/quotes/${id}/accept`, {
      body: {},
      headers: { 'idempotency-key': newKey() },
    })
  ).body.data;
}

// Leads -------------------------------------------------------------------------

export type ConvertLeadInput = z.input<typeof ConvertLeadRequest>;

export type ConvertLeadResult = z.infer<typeof ConvertLeadResponse>['data'];

/** Converts a lead in one transaction; the idempotency key makes a double click harmless. */
export async function convertLead(id: string, input: ConvertLeadInput, idempotencyKey: string) {
  return (
    await request<{ data: ConvertLeadResult }>('POST', `/api/v1/leads/${id}/convert`, {
      body: input,
      headers: { 'idempotency-key': idempotencyKey },
    })
  ).body.data;
}

// Deals -------------------------------------------------------------------------

/** The deal filters (the list also takes a cursor and a limit). */
export type DealsParams = Omit<z.input<typeof DealsQuery>, 'limit' | 'cursor'>;

export type Deal = z.infer<typeof DealSchema>;

export type DealStats = z.infer<typeof DealStatsSchema>;

export const listDeals = (params: DealsParams & { cursor?: string; limit?: number }, signal?: AbortSignal) =>
  getJson<z.infer<typeof DealsPageSchema>>(withQuery('/api/v1/deals', { ...params }), signal);

export const getDealStats = (params: DealsParams, signal?: AbortSignal) =>
  getJson<{ data: DealStats }>(withQuery('/api/v1/deals/stats', { ...params }), signal).then((r) => r.data);

// Duplicates ----------------------------------------------------------------------

export type Duplicate = z.infer<typeof DuplicateSchema>;

/** Records that look like the one about to be created (send the create body). */
export const checkDuplicates = async (object: string, values: Record<string, unknown>) =>
  (await request<{ data: Duplicate[] }>('POST', `/api/v1/${object}/duplicates`, { body: values })).body.data;

export const getDuplicatesOf = (object: string, id: string, signal?: AbortSignal) =>
  getJson<{ data: Duplicate[] }>(`/api/v1/${object}/${id}/duplicates`, signal).then((r) => r.data);

/** Merges `otherId` into `id` with the chosen field values; the other record goes to the trash. */
export async function mergeRecords(object: string, id: string, otherId: string, values: Record<string, unknown>) {
  return (
    await request<{ data: RecordData }>('POST', `/api/v1/${object}/${id}/merge`, {
      body: { otherId, values },
      headers: { 'idempotency-key': newKey() },
    })
  ).body.data;
}

/** An idempotency key (crypto.randomUUID needs a secure context; plain http on a LAN has none). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
