import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  CreateSuppressionRequest,
  SuppressionPageSchema,
  TSuppressionReason,
} from '../../../../common/contracts/mail-suppressions';
import { getJson, request, withQuery } from '../../../lib/http';

export type SuppressionPage = z.infer<typeof SuppressionPageSchema>;

/** Plain words for each reason. */
export const REASON_LABELS: Record<TSuppressionReason, string> = {
  hard_bounce: 'Hard bounce',
  complaint: 'Complaint',
  soft_bounce_limit: 'Repeated soft bounces',
  manual: 'Added by hand',
  erasure: 'Erased person (kept as a hash)',
};

export const suppressionsQuery = (q: string) =>
  queryOptions({
    queryKey: ['admin', 'mail', 'suppressions', q],
    queryFn: ({ signal }) =>
      getJson<SuppressionPage>(withQuery('/api/v1/mail/suppressions', { q: q || undefined, limit: 100 }), signal),
  });

export const addSuppression = (body: z.input<typeof CreateSuppressionRequest>) =>
  request('POST', '/api/v1/mail/suppressions', { body });

export const removeSuppression = (address: string) =>
  request('DELETE', `/api/v1/mail/suppressions/${encodeURIComponent(address)}`);
