import type { FilterNode } from '../../../../common/filter-ops';
import type { TReportDefinition, TReportResult } from '../api/reports.api';

type Row = TReportResult['rows'][number];

/** The first day of the bucket after `start` (YYYY-MM-DD). */
export function nextBucket(start: string, bucket: string): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (bucket === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (bucket === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else if (bucket === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  else if (bucket === 'quarter') d.setUTCMonth(d.getUTCMonth() + 3);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The list filter of the records behind one row of a report: the report's filter and,
 * per grouped field, "is this value" (a date bucket: from its first day to the next's;
 * no value: "is empty"). Date-time buckets are read in UTC, as saved reports run.
 */
export function drillFilter(definition: TReportDefinition, result: TReportResult, row: Row): FilterNode {
  const leaves: FilterNode[] = definition.filter ? [definition.filter as FilterNode] : [];
  for (const c of result.columns.filter((col) => col.role === 'group')) {
    const v = row[c.name];
    if (v == null) {
      leaves.push({ field: c.name, op: 'isEmpty' });
      continue;
    }
    if (c.bucket && typeof v === 'string') {
      const end = nextBucket(v, c.bucket);
      const at = (d: string) => (c.type === 'datetime' ? `${d}T00:00:00.000Z` : d);
      leaves.push({ field: c.name, op: 'gte', value: at(v) }, { field: c.name, op: 'lt', value: at(end) });
      continue;
    }
    leaves.push({ field: c.name, op: 'eq', value: v as string | boolean });
  }
  return leaves.length === 1 ? (leaves[0] as FilterNode) : { and: leaves };
}
