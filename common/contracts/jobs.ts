import { z } from 'zod';

/** Request and response contracts of the job queue as administrators see it (`/api/v1/admin/jobs`). */

export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type TJobState = z.infer<typeof JobStateSchema>;

export const JobsQuery = z
  .object({
    state: JobStateSchema.optional(),
    queue: z.string().max(100).optional(),
    before: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const JobSchema = z.object({
  id: z.string(),
  queue: z.string(),
  state: JobStateSchema,
  key: z.string().nullable(),
  payload: z.unknown(),
  attempts: z.number(),
  maxAttempts: z.number(),
  runAt: z.string(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TJob = z.infer<typeof JobSchema>;

export const JobPageSchema = z.object({
  data: z.array(JobSchema),
  counts: z.record(JobStateSchema, z.number()).describe('Jobs per state (of the queue filter, if any)'),
  next: z.string().nullable().describe('Pass as `before` for the next page'),
});
