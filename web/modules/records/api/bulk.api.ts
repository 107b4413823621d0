// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { BulkActionSchema, BulkResponse, bulkRequest } from '../../../../common/contracts/records';
import type { FilterNode } from '../../../../common/filter';
import { request } from '../../../lib/http';

export type BulkAction = z.infer<typeof BulkActionSchema>;

/** The body of a bulk action; the filter is typed as a filter tree here. */
export type BulkBody = Omit<z.input<ReturnType<typeof bulkRequest>>, 'filter'> & { filter?: FilterNode };

export type BulkResult = z.infer<typeof BulkResponse>;

/** `POST /api/v1/{object}/bulk`: one action on many records, with per-record results. */
export async function bulkRecords(object: string, body: BulkBody): Promise<BulkResult> {
  return (await request<BulkResult>('POST', `/api/v1/${encodeURIComponent(object)}/bulk`, { body })).body;
}

/** "3 updated · 1 unchanged · 2 failed (not found)", for the bulk bar. */
export function describeBulk(result: BulkResult): string {
  const s = result.summary;
  const parts = [
    s.updated ? `${s.updated} updated` : '',
    s.trashed ? `${s.trashed} moved to the trash` : '',
    s.unchanged ? `${s.unchanged} already so` : '',
  ].filter(Boolean);
  if (s.failed) {
    const reasons = [...new Set(result.data.filter((r) => r.error).map((r) => r.error?.message ?? 'failed'))];
    parts.push(`${s.failed} failed (${reasons.slice(0, 2).join('; ')})`);
  }
  return parts.join(' · ') || 'Nothing to change';
}
