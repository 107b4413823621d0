// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/segments.ts.
import type { z } from 'zod';
import type { RecordPageSchema } from '../../../../common/contracts/records';
import type {
  SegmentAddMembersBody,
  SegmentImportResult,
  SegmentMembersResult,
  SegmentPreviewBody,
  SegmentPreviewResult,
} from '../../../../common/contracts/segments';
import type { FilterNode } from '../../../../common/filter-ops';
import { getJson, request, withQuery } from '../../../lib/http';
import { can, type ObjectMeta } from '../../objects/api/objects.api';

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

/** The objects whose list views offer "Add to segment". */
export const SEGMENT_OBJECTS = ['contacts', 'leads', 'accounts'];

/** Whether the caller may add records of `meta` to static segments (segments they may change). */
export function canAddToSegment(meta: ObjectMeta, objects: ObjectMeta[]): boolean {
  const segments = objects.find((o) => o.name === 'segments');
  return SEGMENT_OBJECTS.includes(meta.name) && !!segments && can(segments, 'update');
}

/** The static segments of an object (name order, the first 200), for "Add to segment". */
export async function staticSegments(object: string, signal?: AbortSignal): Promise<{ id: string; name: string }[]> {
  const filter: FilterNode = {
    and: [
      { field: 'object', op: 'eq', value: object },
      { field: 'type', op: 'eq', value: 'static' },
    ],
  };
  const page = await getJson<SegmentMembersPage>(
    withQuery('/api/v1/segments', { filter: JSON.stringify(filter), sort: 'name', fields: 'name', limit: 200 }),
    signal,
  );
  return page.data.map((r) => ({ id: r.id, name: String(r.name) }));
}

/** Adds records to a static segment: by id, or every record matching a filter (up to 1,000). */
export async function addMembers(
  id: string,
  body: z.input<typeof SegmentAddMembersBody> | { filter: FilterNode },
): Promise<SegmentMembersChange> {
  return (await request<{ data: SegmentMembersChange }>('POST', `/api/v1/segments/${id}/members`, { body })).body.data;
}

/** Uploads a CSV file's text: the records with its emails (any column) are added. */
export async function importCsv(id: string, csv: string): Promise<SegmentImport> {
  return (
    await request<{ data: SegmentImport }>('POST', `/api/v1/segments/${id}/members/import`, {
      raw: { body: csv, type: 'text/csv' },
    })
  ).body.data;
}
