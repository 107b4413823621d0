import { getJson, withQuery } from '../../../lib/http';

/** One hit of `GET /api/v1/search`. */
export interface SearchHit {
  object: string;
  id: string;
  title: string;
  subtitle: string | null;
  score: number;
}

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
