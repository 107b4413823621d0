import { z } from 'zod';
import { FilterTreeInput } from '../filter';
import { RecordSchema } from './records';

/**
 * Request and response contracts of segments beyond their generic record API
 * (`/api/v1/segments`): members, static membership changes, CSV import, live preview.
 * Shared by server and web app.
 */

export const SEGMENT_OBJECTS = ['contacts', 'leads', 'accounts'] as const;

/** At most this many ids per add or remove. */
export const MAX_MEMBER_IDS = 1000;
/** At most this many emails per import. */
export const MAX_IMPORT_EMAILS = 10_000;

export const SegmentIdParam = z.object({ id: z.uuid() }).strict();

export const SegmentMembersBody = z
  .object({ ids: z.array(z.uuid()).min(1).max(MAX_MEMBER_IDS).describe('Record ids of the segment’s object') })
  .strict();

/**
 * Adding to a static segment: the records' ids, or a filter over the segment's object (a
 * list view's "select all matching"): every record the caller can see that matches, at
 * most MAX_MEMBER_IDS (more: 422, nothing added).
 */
export const SegmentAddMembersBody = z.union([
  SegmentMembersBody,
  z.object({ filter: FilterTreeInput.describe('A filter tree over the segment’s object') }).strict(),
]);
export type TSegmentAddMembersBody = z.input<typeof SegmentAddMembersBody>;

export const SegmentMembersResult = z.object({
  data: z.object({
    /** Records that became (or stopped being) members by this call. */
    changed: z.number(),
    /** Records that already were (or were not) members. */
    unchanged: z.number(),
  }),
});
export type TSegmentMembersResult = z.infer<typeof SegmentMembersResult>;

export const SegmentImportBody = z
  .object({ emails: z.array(z.string().max(254)).min(1).max(MAX_IMPORT_EMAILS) })
  .strict();

export const SegmentImportResult = z.object({
  data: z.object({
    /** Distinct emails read. */
    emails: z.number(),
    /** Records matched by email (the caller can see). */
    matched: z.number(),
    added: z.number(),
    /** Emails no visible record has (at most 100 shown). */
    unmatched: z.array(z.string()),
    /** How many emails no visible record has (all of them). */
    unmatchedCount: z.number(),
  }),
});
export type TSegmentImportResult = z.infer<typeof SegmentImportResult>;

export const SegmentPreviewBody = z
  .object({
    object: z.enum(SEGMENT_OBJECTS),
    filter: z.unknown().describe('A filter tree over the object'),
  })
  .strict();
export type TSegmentPreviewBody = z.infer<typeof SegmentPreviewBody>;

export const SegmentPreviewResult = z.object({
  data: z.object({
    /** Records the filter matches that the caller can see. */
    total: z.number(),
    /** The first 10 of them, in the object's default order. */
    sample: z.array(RecordSchema),
  }),
});
export type TSegmentPreview = z.infer<typeof SegmentPreviewResult>['data'];
