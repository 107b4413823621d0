import { z } from 'zod';

/**
 * Request and response contracts of nurture sequences (`/api/v1/sequences`), shared by server
 * and web app. A sequence's steps are workflow steps (common/contracts/workflows.ts: email as
 * `campaign_email`, `wait`, `branch` on the record or its engagement, `create_task`,
 * `enroll_in_sequence` to move on), run by the workflow engine.
 */

export const SEQUENCE_OBJECTS = ['leads', 'contacts'] as const;
export const SEQUENCE_EXIT_REASONS = [
  'replied',
  'unsubscribed',
  'meeting_booked',
  'converted',
  'left_segment',
] as const;
export const ENROLMENT_STATUSES = ['active', 'completed', 'exited'] as const;
export const ENROLMENT_VIAS = ['new_record', 'segment', 'manual', 'workflow', 'sequence'] as const;

export const SequenceIdParam = z.object({ id: z.uuid() }).strict();
export const EnrolmentParam = z.object({ id: z.uuid(), enrolmentId: z.uuid() }).strict();

const Enrolment = z
  .object({
    /** Every new record of the object is enrolled (a welcome sequence). */
    newRecords: z.boolean().default(false),
    /** Every record entering this segment (of the same object) is enrolled. */
    segmentId: z.uuid().nullable().default(null),
  })
  .strict();

export const SequenceRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullish(),
    object: z.enum(SEQUENCE_OBJECTS),
    /** The campaign its emails are messages of; a new email campaign named after the sequence when absent. */
    campaignId: z.uuid().optional(),
    enrolment: Enrolment.default({ newRecords: false, segmentId: null }),
    exitOn: z
      .array(z.enum(SEQUENCE_EXIT_REASONS))
      .max(5)
      .default([...SEQUENCE_EXIT_REASONS]),
    /** Workflow steps; `campaign_email` steps may leave out `campaignId` (the sequence's campaign). */
    steps: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
    active: z.boolean().optional(),
  })
  .strict();
export type TSequenceRequest = z.infer<typeof SequenceRequest>;

export const UpdateSequenceRequest = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).nullish(),
    enrolment: Enrolment.optional(),
    exitOn: z.array(z.enum(SEQUENCE_EXIT_REASONS)).max(5).optional(),
    steps: z.array(z.record(z.string(), z.unknown())).min(1).max(100).optional(),
    active: z.boolean().optional(),
  })
  .strict();
export type TUpdateSequenceRequest = z.infer<typeof UpdateSequenceRequest>;

export const SequenceSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  object: z.enum(SEQUENCE_OBJECTS),
  campaignId: z.string(),
  workflowId: z.string(),
  active: z.boolean(),
  version: z.number(),
  enrolment: z.object({ newRecords: z.boolean(), segmentId: z.string().nullable() }),
  exitOn: z.array(z.enum(SEQUENCE_EXIT_REASONS)),
  steps: z.array(z.unknown()),
  counts: z.object({ active: z.number(), completed: z.number(), exited: z.number() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSequence = z.infer<typeof SequenceSchema>;

export const SequenceResponse = z.object({ data: SequenceSchema });
export const SequenceListResponse = z.object({ data: z.array(SequenceSchema) });

export const EnrolRequest = z.object({ recordIds: z.array(z.uuid()).min(1).max(1000) }).strict();
export const EnrolResponse = z.object({
  data: z.object({ enrolled: z.number(), alreadyEnrolled: z.number() }),
});

export const EnrolmentsQuery = z
  .object({
    status: z.enum(ENROLMENT_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: z.uuid().optional().describe('The last enrolment id of the previous page'),
  })
  .strict();

export const EnrolmentSchema = z.object({
  id: z.string(),
  object: z.enum(SEQUENCE_OBJECTS),
  recordId: z.string(),
  /** The person's name as the caller may read it (null: not visible). */
  title: z.string().nullable(),
  status: z.enum(ENROLMENT_STATUSES),
  via: z.enum(ENROLMENT_VIAS),
  exitReason: z.string().nullable(),
  runId: z.string().nullable(),
  /** The step the person is at (or waits in), while active. */
  currentStep: z.object({ stepId: z.string(), type: z.string(), wakeAt: z.string() }).nullable(),
  enrolledAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TEnrolment = z.infer<typeof EnrolmentSchema>;

export const EnrolmentListResponse = z.object({
  data: z.array(EnrolmentSchema),
  page: z.object({ hasMore: z.boolean(), nextCursor: z.string().nullable() }),
});
export const EnrolmentResponse = z.object({ data: EnrolmentSchema });
