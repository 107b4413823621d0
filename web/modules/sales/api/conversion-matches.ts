// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { ConversionMatchesResponse, ConversionMatchSchema } from '../../../../common/contracts/sales';
import { getJson } from '../../../lib/http';

/** An existing account or contact a lead's conversion could link, with how sure the match is and why. */
export type ConversionMatch = z.infer<typeof ConversionMatchSchema>;

export type ConversionMatches = z.infer<typeof ConversionMatchesResponse>['data'];

/** What each reason means to a rep, as shown in the conversion dialog. */
export const REASON_LABELS: Record<ConversionMatch['reasons'][number], string> = {
  domain: 'same domain',
  website: 'same website',
  email_domain: 'email at its domain',
  name: 'same name',
  similar_name: 'similar name',
  email: 'same email',
};

/**
 * The accounts and contacts converting the lead could link, best first
 * (`GET /api/v1/leads/{id}/conversion-matches`). Converting without a choice links the
 * first strong account and the first contact; the server matches again in its transaction.
 */
export const findConversionMatches = (leadId: string, signal?: AbortSignal) =>
  getJson<{ data: ConversionMatches }>(`/api/v1/leads/${leadId}/conversion-matches`, signal).then((r) => r.data);
