// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { RecordPageSchema, RecordSchema, RecordViewSchema } from '../../../../common/contracts/records';
import type { FilterNode } from '../../../../common/filter';
import { getJson, request, withQuery } from '../../../lib/http';

/** A record as the API returns it: fields by name, plus any included relations. */
export type RecordData = z.infer<typeof RecordSchema>;

export type RecordPage = z.infer<typeof RecordPageSchema>;

export interface ListParams {
  filter?: FilterNode;
  sort?: string;
  cursor?: string;
  /** Records to skip (a jump into a long list); not with cursor. */
  offset?: number;
  limit?: number;
  include?: string[];
  /** Only these fields (id and version always come). */
  fields?: string[];
  /** Also count every matching record (`total`). */
  count?: boolean;
}

/** A record with the ETag to send back as If-Match when changing it. */
export interface VersionedRecord {
  data: RecordData;
  etag: string | null;
  /** Set when the service worker answered with the copy it saved (offline): when it was saved. */
  savedAt?: string | null;
  /** With include: how many records each included list or section has in all (lists embed at most 100). */
  counts?: Record<string, number>;
}

const base = (object: string) => `/api/v1/${encodeURIComponent(object)}`;

export function listRecords(object: string, params: ListParams, signal?: AbortSignal): Promise<RecordPage> {
  return getJson<RecordPage>(
    withQuery(base(object), {
      filter: params.filter ? JSON.stringify(params.filter) : undefined,
      sort: params.sort,
      cursor: params.cursor,
      offset: params.offset,
      limit: params.limit,
      include: params.include?.length ? params.include.join(',') : undefined,
      fields: params.fields?.join(','),
      count: params.count ? 'true' : undefined,
    }),
    signal,
  );
}

export async function getRecord(
  object: string,
  id: string,
  include: string[] = [],
  signal?: AbortSignal,
): Promise<VersionedRecord> {
  const res = await request<z.infer<typeof RecordViewSchema>>(
    'GET',
    withQuery(`${base(object)}/${encodeURIComponent(id)}`, { include: include.join(',') }),
    { signal },
  );
  return {
    data: res.body.data,
    etag: res.headers.get('etag'),
    savedAt: res.headers.get('rapport-saved-at'),
    counts: res.body.meta?.counts ?? {},
  };
}

export async function createRecord(object: string, values: Record<string, unknown>): Promise<VersionedRecord> {
  const res = await request<{ data: RecordData }>('POST', base(object), { body: values });
  return { data: res.body.data, etag: res.headers.get('etag') };
}

/** PATCH with If-Match: the API answers 412 if someone changed the record since `etag` was read. */
export async function updateRecord(
  object: string,
  id: string,
  changes: Record<string, unknown>,
  etag: string | null,
): Promise<VersionedRecord> {
  const res = await request<{ data: RecordData }>('PATCH', `${base(object)}/${encodeURIComponent(id)}`, {
    body: changes,
    headers: etag ? { 'if-match': etag } : {},
  });
  return { data: res.body.data, etag: res.headers.get('etag') };
}

export async function trashRecord(object: string, id: string, etag: string | null): Promise<void> {
  await request<void>('DELETE', `${base(object)}/${encodeURIComponent(id)}`, {
    headers: etag ? { 'if-match': etag } : {},
  });
}
