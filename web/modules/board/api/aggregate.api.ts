import type { FilterNode } from '../../../../common/filter';
import { getJson, withQuery } from '../../../lib/http';
import type { Money } from '../../records/utils/format';

/** A number total (exact decimal string), a money total per currency, or none. */
export type AggregateSum = string | Money[] | null;

export interface AggregateGroup {
  value: string | null;
  label: string;
  count: number;
  sum: AggregateSum;
}

export interface Aggregate {
  groupBy: string;
  sum: string | null;
  groups: AggregateGroup[];
  total: { count: number; sum: AggregateSum };
}

/** `GET /api/v1/{object}/aggregate`: per-option counts and totals, with the list's permissions. */
export function getAggregate(
  object: string,
  params: { groupBy: string; sum?: string; filter?: FilterNode },
  signal?: AbortSignal,
): Promise<Aggregate> {
  return getJson<{ data: Aggregate }>(
    withQuery(`/api/v1/${encodeURIComponent(object)}/aggregate`, {
      groupBy: params.groupBy,
      sum: params.sum,
      filter: params.filter ? JSON.stringify(params.filter) : undefined,
    }),
    signal,
  ).then((r) => r.data);
}
