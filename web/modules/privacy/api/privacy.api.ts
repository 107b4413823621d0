import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  CompletePrivacyRequest,
  CreatedPrivacyRequestResponse,
  CreatePrivacyRequest,
  PrivacyRequestListResponse,
  PrivacyRequestResponse,
  RetentionPolicyInput,
  RetentionPolicyListResponse,
  RetentionRunResponse,
  TPrivacyRequest,
  UpdatePrivacyRequest,
} from '../../../../common/contracts/privacy';
import { getJson, request } from '../../../lib/http';

export type PrivacyRequest = TPrivacyRequest;
export type RetentionPolicy = z.infer<typeof RetentionPolicyListResponse>['data'][number];
export type RetentionRun = z.infer<typeof RetentionRunResponse>['data'];

/** Plain words for each request type. */
export const TYPE_LABELS: Record<PrivacyRequest['type'], string> = {
  access: 'Access (a copy of their data)',
  erasure: 'Erasure',
  rectification: 'Rectification',
  opt_out: 'Opt-out of sale/sharing',
  restriction: 'Restriction of processing',
};

export const STATUS_LABELS: Record<PrivacyRequest['status'], string> = {
  unverified: 'Identity not confirmed',
  pending: 'To do',
  in_progress: 'In progress',
  completed: 'Completed',
  rejected: 'Rejected',
};

export const privacyRequestsQuery = () =>
  queryOptions({
    queryKey: ['admin', 'privacy', 'requests'],
    queryFn: ({ signal }) =>
      getJson<z.infer<typeof PrivacyRequestListResponse>>('/api/v1/privacy/requests?limit=200', signal),
  });

export const createPrivacyRequest = (body: z.input<typeof CreatePrivacyRequest>) =>
  request<z.infer<typeof CreatedPrivacyRequestResponse>>('POST', '/api/v1/privacy/requests', { body });

export const updatePrivacyRequest = (id: string, body: z.input<typeof UpdatePrivacyRequest>) =>
  request<z.infer<typeof PrivacyRequestResponse>>('PATCH', `/api/v1/privacy/requests/${id}`, { body });

export const extendPrivacyRequest = (id: string, reason: string) =>
  request<z.infer<typeof PrivacyRequestResponse>>('POST', `/api/v1/privacy/requests/${id}/extend`, {
    body: { reason },
  });

export const completePrivacyRequest = (id: string, body: z.input<typeof CompletePrivacyRequest> = {}) =>
  request<z.infer<typeof PrivacyRequestResponse>>('POST', `/api/v1/privacy/requests/${id}/complete`, { body });

/** The access export's URL (the browser downloads it with the session cookie). */
export const exportUrl = (id: string) => `/api/v1/privacy/requests/${id}/export`;

export const retentionPoliciesQuery = () =>
  queryOptions({
    queryKey: ['admin', 'privacy', 'retention'],
    queryFn: ({ signal }) =>
      getJson<z.infer<typeof RetentionPolicyListResponse>>('/api/v1/privacy/retention-policies', signal),
  });

export const createRetentionPolicy = (body: z.input<typeof RetentionPolicyInput>) =>
  request('POST', '/api/v1/privacy/retention-policies', { body });

export const deleteRetentionPolicy = (id: string) => request('DELETE', `/api/v1/privacy/retention-policies/${id}`);

export const runRetentionPolicy = (id: string, dryRun: boolean) =>
  request<z.infer<typeof RetentionRunResponse>>(
    'POST',
    `/api/v1/privacy/retention-policies/${id}/run?dryRun=${dryRun}`,
  );
