import { queryOptions } from '@tanstack/react-query';
import { getJson, request, withQuery } from '../../../lib/http';

export const JOB_STATES = ['queued', 'running', 'failed', 'completed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A background job (`GET /api/v1/admin/jobs`). */
export interface JobItem {
  id: string;
  queue: string;
  state: JobState;
  key: string | null;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobPage {
  data: JobItem[];
  counts: Record<JobState, number>;
  next: string | null;
}

export const jobsQuery = (state?: JobState) =>
  queryOptions({
    queryKey: ['admin', 'jobs', state ?? 'all'],
    queryFn: ({ signal }) => getJson<JobPage>(withQuery('/api/v1/admin/jobs', { state, limit: 100 }), signal),
    refetchInterval: 5000,
  });

export const retryJob = (id: string) => request<{ data: JobItem }>('POST', `/api/v1/admin/jobs/${id}/retry`);
export const cancelJob = (id: string) => request<{ data: JobItem }>('POST', `/api/v1/admin/jobs/${id}/cancel`);
