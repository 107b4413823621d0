// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { AggregateGroupSchema, AggregateSchema, AggregateSumSchema } from '../../../../common/contracts/records';
import type { FilterNode } from '../../../../common/filter';
import { getJson, withQuery } from '../../../lib/http';

/** A number total (exact decimal string), a money total per currency, or none. */
export type AggregateSum = z.infer<typeof AggregateSumSchema>;

export type AggregateGroup = z.infer<typeof AggregateGroupSchema>;

export type Aggregate = z.infer<typeof AggregateSchema>;

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
