import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  ConsentLedgerResponse,
  ConsentPostRequest,
  ConsentPurposesResponse,
} from '../../../../common/contracts/audience';
import { getJson, request } from '../../../lib/http';

export type ConsentLedger = z.infer<typeof ConsentLedgerResponse>;
export type ConsentInput = z.input<typeof ConsentPostRequest>;
export type ConsentPurpose = z.infer<typeof ConsentPurposesResponse>['data'][number];

export const consentKeys = { ledger: (object: string, id: string) => ['consents', object, id] as const };

export const consentLedgerQuery = (object: string, id: string) =>
  queryOptions({
    queryKey: consentKeys.ledger(object, id),
    queryFn: ({ signal }) => getJson<ConsentLedger>(`/api/v1/${object}/${id}/consents`, signal),
  });

export const consentPurposesQuery = queryOptions({
  queryKey: ['consent-purposes'],
  queryFn: ({ signal }) => getJson<{ data: ConsentPurpose[] }>('/api/v1/consent-purposes', signal).then((r) => r.data),
  staleTime: 60_000,
});

export const recordConsent = (object: string, id: string, input: ConsentInput) =>
  request<{ data: ConsentLedger['data'][number] }>('POST', `/api/v1/${object}/${id}/consents`, { body: input }).then(
    (r) => r.body.data,
  );
