import { createContext, useContext } from 'react';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';
import type { Selection } from '../hooks/useSelection';
import { recordTitle } from '../utils/fields';
import { FieldValue } from './FieldValue';
import { InlineEditCell } from './InlineEditCell';
import { SelectBox } from './SelectBox';

export interface InlineEdit {
  canEdit: (field: FieldMeta) => boolean;
  onSaved: (r: RecordData) => void;
  onStale: () => void;
}

/**
 * What cells need that changes often (the ticked ids). Passed by context so the table's
 * column definitions stay the same across refetches and ticks: new column definitions
 * would remount every cell, closing an inline editor mid-edit.
 */
export const TableState = createContext<{ selection?: Selection; inlineEdit?: InlineEdit }>({});

/** The loaded records, for "select all loaded rows" only: every page arriving changes it, and no row cell listens. */
export const LoadedRows = createContext<RecordData[]>([]);

export function SelectAllCell() {
  const { selection } = useContext(TableState);
  const rows = useContext(LoadedRows);
  if (!selection) return null;
  const all = rows.length > 0 && rows.every((r) => selection.ids.has(r.id));
  return (
    <SelectBox
      label="Select all loaded rows"
      checked={all}
      indeterminate={selection.ids.size > 0 && !all}
      onChange={(on) =>
        selection.setAll(
          rows.map((r) => r.id),
          on,
        )
      }
    />
  );
}

export function SelectRowCell({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  const { selection } = useContext(TableState);
  if (!selection) return null;
  return (
    <SelectBox
      label={`Select ${recordTitle(meta, record)}`}
      checked={selection.ids.has(record.id)}
      onChange={(on) => selection.toggle(record.id, on)}
    />
  );
}

/** A value cell: edits in place when the list allows it, else shows the value. */
export function ValueCell({ meta, field, record }: { meta: ObjectMeta; field: FieldMeta; record: RecordData }) {
  const { inlineEdit } = useContext(TableState);
  if (inlineEdit?.canEdit(field)) {
    return (
      <InlineEditCell
        meta={meta}
        field={field}
        record={record}
        onSaved={inlineEdit.onSaved}
        onStale={inlineEdit.onStale}
      />
    );
  }
  return <FieldValue field={field} record={record} />;
}
