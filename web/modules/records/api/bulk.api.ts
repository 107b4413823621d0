import type { FilterNode } from '../../../../common/filter';
import { request } from '../../../lib/http';

export type BulkAction = 'update' | 'addTags' | 'removeTags' | 'trash';

export interface BulkBody {
  ids?: string[];
  filter?: FilterNode;
  action: BulkAction;
  values?: Record<string, unknown>;
  tags?: string[];
}

export interface BulkResult {
  data: {
    index: number;
    id: string;
    status: 'updated' | 'unchanged' | 'trashed' | 'error';
    version?: number;
    error?: { code: string; message: string; errors?: { path: string; message: string }[] };
  }[];
  summary: { matched: number; updated: number; unchanged: number; trashed: number; failed: number };
}

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
