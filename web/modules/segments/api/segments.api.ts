// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/segments.ts.
import type { z } from 'zod';
import type { RecordPageSchema } from '../../../../common/contracts/records';
import type {
  SegmentImportResult,
  SegmentMembersResult,
  SegmentPreviewBody,
  SegmentPreviewResult,
} from '../../../../common/contracts/segments';
import { getJson, request, withQuery } from '../../../lib/http';

export type SegmentPreviewInput = z.input<typeof SegmentPreviewBody>;
export type SegmentPreview = z.infer<typeof SegmentPreviewResult>['data'];
export type SegmentMembersPage = z.infer<typeof RecordPageSchema>;
export type SegmentMembersChange = z.infer<typeof SegmentMembersResult>['data'];
export type SegmentImport = z.infer<typeof SegmentImportResult>['data'];

export const segmentKeys = {
  preview: (input: SegmentPreviewInput) => ['segments', 'preview', JSON.stringify(input)] as const,
  members: (id: string) => ['segments', 'members', id] as const,
};

/** The live count and the first 10 records of a filter being edited (as the caller sees them). */
export async function previewSegment(input: SegmentPreviewInput, signal?: AbortSignal): Promise<SegmentPreview> {
  return (await request<{ data: SegmentPreview }>('POST', '/api/v1/segments/preview', { body: input, signal })).body
    .data;
}

/** One page of a segment's members (records of its object), with their count. */
export function listMembers(id: string, cursor?: string, signal?: AbortSignal): Promise<SegmentMembersPage> {
  return getJson<SegmentMembersPage>(
    withQuery(`/api/v1/segments/${id}/members`, { count: 'true', limit: 50, cursor }),
    signal,
  );
}

export async function removeMembers(id: string, ids: string[]): Promise<SegmentMembersChange> {
  return (await request<{ data: SegmentMembersChange }>('DELETE', `/api/v1/segments/${id}/members`, { body: { ids } }))
    .body.data;
}

/** Adds the records with these emails (contacts or leads) to a static segment. */
export async function importEmails(id: string, emails: string[]): Promise<SegmentImport> {
  return (await request<{ data: SegmentImport }>('POST', `/api/v1/segments/${id}/members/import`, { body: { emails } }))
    .body.data;
}
