import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/sequences.ts.
import type { z } from 'zod';
import type {
  EnrolmentListResponse,
  EnrolResponse,
  SequenceRequest,
  SequenceSchema,
  UpdateSequenceRequest,
} from '../../../../common/contracts/sequences';
import { getJson, request, withQuery } from '../../../lib/http';

export type Sequence = z.infer<typeof SequenceSchema>;
export type SequenceInput = z.input<typeof SequenceRequest>;
export type SequencePatch = z.input<typeof UpdateSequenceRequest>;
export type EnrolmentPage = z.infer<typeof EnrolmentListResponse>;
export type Enrolled = z.infer<typeof EnrolResponse>['data'];

export const sequencesQuery = queryOptions({
  queryKey: ['sequences'],
  queryFn: ({ signal }) => getJson<{ data: Sequence[] }>('/api/v1/sequences', signal).then((r) => r.data),
});

export const sequenceQuery = (id: string) =>
  queryOptions({
    queryKey: ['sequences', id],
    queryFn: ({ signal }) => getJson<{ data: Sequence }>(`/api/v1/sequences/${id}`, signal).then((r) => r.data),
  });

export const enrolmentsQuery = (id: string, status?: string) =>
  queryOptions({
    queryKey: ['sequences', id, 'enrolments', status ?? 'all'],
    queryFn: ({ signal }) =>
      getJson<EnrolmentPage>(withQuery(`/api/v1/sequences/${id}/enrolments`, { status, limit: 200 }), signal),
  });

export const createSequence = (body: SequenceInput) =>
  request<{ data: Sequence }>('POST', '/api/v1/sequences', { body }).then((r) => r.body.data);

export const updateSequence = (id: string, body: SequencePatch) =>
  request<{ data: Sequence }>('PATCH', `/api/v1/sequences/${id}`, { body }).then((r) => r.body.data);

export const exitEnrolment = (id: string, enrolmentId: string) =>
  request('POST', `/api/v1/sequences/${id}/enrolments/${enrolmentId}/exit`, { body: {} });

/** Plain words for how someone left (or is in) a sequence. */
export const EXIT_LABELS: Record<string, string> = {
  replied: 'Replies by email',
  unsubscribed: 'Unsubscribes',
  meeting_booked: 'Books a meeting',
  converted: 'Converts',
  left_segment: 'Leaves the segment',
};
