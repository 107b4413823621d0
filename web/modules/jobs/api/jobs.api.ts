import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { JobPageSchema, JobSchema, JobStateSchema } from '../../../../common/contracts/jobs';
import { getJson, request, withQuery } from '../../../lib/http';

export type JobState = z.infer<typeof JobStateSchema>;
/** The states in the order the jobs page offers them. */
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'failed', 'completed', 'cancelled'];

/** A background job (`GET /api/v1/admin/jobs`). */
export type JobItem = z.infer<typeof JobSchema>;

export type JobPage = z.infer<typeof JobPageSchema>;

export const jobsQuery = (state?: JobState) =>
  queryOptions({
    queryKey: ['admin', 'jobs', state ?? 'all'],
    queryFn: ({ signal }) => getJson<JobPage>(withQuery('/api/v1/admin/jobs', { state, limit: 100 }), signal),
    refetchInterval: 5000,
  });

export const retryJob = (id: string) => request<{ data: JobItem }>('POST', `/api/v1/admin/jobs/${id}/retry`);
export const cancelJob = (id: string) => request<{ data: JobItem }>('POST', `/api/v1/admin/jobs/${id}/cancel`);
