// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { SearchHitSchema } from '../../../../common/contracts/objects';
import { getJson, withQuery } from '../../../lib/http';

/** One hit of `GET /api/v1/search`. */
export type SearchHit = z.infer<typeof SearchHitSchema>;

export async function searchRecords(
  q: string,
  opts: { objects?: string[]; limit?: number } = {},
  signal?: AbortSignal,
): Promise<SearchHit[]> {
  const res = await getJson<{ data: SearchHit[] }>(
    withQuery('/api/v1/search', { q, objects: opts.objects?.join(','), limit: opts.limit }),
    signal,
  );
  return res.data;
}
