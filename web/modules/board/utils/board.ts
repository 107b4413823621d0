import type { FilterNode } from '../../../../common/filter';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import { formatDecimal, formatMoney } from '../../records/utils/format';
import type { AggregateSum } from '../api/aggregate.api';

/**
 * Fields a board can group by: select fields first (the default board), then the owner
 * (sales by rep) and the to-one relations (per account); their columns are the values the
 * records have, by name (the aggregate endpoint names them).
 */
export const groupFields = (meta: ObjectMeta): FieldMeta[] => [
  ...meta.fields.filter((f) => f.type === 'select'),
  ...meta.fields.filter((f) => f.name === 'ownerId' && f.type === 'user'),
  ...meta.fields.filter((f) => f.type === 'relation' && f.relation?.cardinality === 'one' && !f.hidden),
];

/** Fields a board can total per column: money (per currency) and numbers. */
export const sumFields = (meta: ObjectMeta): FieldMeta[] =>
  meta.fields.filter((f) => f.name !== 'version' && ['money', 'integer', 'decimal', 'percent'].includes(f.type));

/** The drop target id of a column (the option's value, or the "no value" column). */
export const NONE = '__none__';
export const columnId = (value: string | null) => (value === null ? NONE : `col:${value}`);
export const columnValue = (id: string): string | null => (id === NONE ? null : id.replace(/^col:/, ''));

/** The records of one column: the board's filter and "groupBy is this value" (or empty). */
export function columnFilter(groupBy: string, value: string | null, base: FilterNode | undefined): FilterNode {
  const own: FilterNode = value === null ? { field: groupBy, op: 'isEmpty' } : { field: groupBy, op: 'eq', value };
  if (!base) return own;
  return { and: [...('and' in base ? base.and : [base]), own] };
}

/** A column total for its header: "1,250.5 EUR · 30 USD", or "" when there is nothing to show. */
export function formatSum(sum: AggregateSum): string {
  if (sum === null) return '';
  if (typeof sum === 'string') return formatDecimal(sum);
  return sum.map(formatMoney).join(' · ');
}
