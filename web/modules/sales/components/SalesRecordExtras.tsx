import type { ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../../records/api/records.api';
import { ConvertLeadButton, LeadConversionLinks } from './LeadConversion';
import { PossibleDuplicates } from './PossibleDuplicates';

const MERGEABLE = new Set(['contacts', 'accounts']);

/** Sales actions in a record page's header: Convert on leads. */
export function SalesRecordActions({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  if (meta.name === 'leads') return <ConvertLeadButton lead={record} />;
  return null;
}

/** Sales panels above a record's details: what a converted lead became. */
export function SalesRecordBanner({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  if (meta.name === 'leads') return <LeadConversionLinks lead={record} />;
  return null;
}

/** Sales panels beside a record: possible duplicates and merging for contacts and accounts. */
export function SalesRecordAside({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  if (MERGEABLE.has(meta.name)) return <PossibleDuplicates meta={meta} record={record} />;
  return null;
}
