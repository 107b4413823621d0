import { MultiSelect, Select, TagsInput, TextInput } from '@mantine/core';
import type { FilterOperator } from '../../../../common/filter-ops';
import { useObjects } from '../../objects/hooks/useObjects';
import { PersonSelect } from '../../people/components/PersonSelect';
import { useFilterDropdowns } from '../hooks/useFilterDropdowns';
import { type FilterTarget, isUnary, kindOf, takesList } from '../utils/filters';
import { toLocalDateTime } from '../utils/form-values';
import { RecordPicker } from './RecordPicker';

interface Props {
  target: FilterTarget;
  op: FilterOperator;
  value: unknown;
  /** undefined: no value yet (the condition is left out until it has one). */
  onChange: (value: unknown) => void;
}

const LABEL = 'Value';
const asList = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
const asText = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const orNone = (v: string | null) => (v === null || v === '' ? undefined : v);
const listOrNone = (v: string[]) => (v.length ? v : undefined);

/** The value box of one filter condition, shaped by the field's type, the part compared and the operator. */
export function FilterValueInput({ target, op, value, onChange }: Props) {
  const objects = useObjects();
  const dropdowns = useFilterDropdowns();
  if (isUnary(op)) return null;
  const { field, sub } = target;
  const kind = kindOf(target);
  const list = takesList(target, op);

  if (field.options && !sub) {
    return list ? (
      <MultiSelect
        comboboxProps={dropdowns}
        aria-label={LABEL}
        data={field.options}
        value={asList(value)}
        onChange={(v) => onChange(listOrNone(v))}
        searchable
      />
    ) : (
      <Select
        comboboxProps={dropdowns}
        aria-label={LABEL}
        data={field.options}
        value={asText(value) || null}
        onChange={(v) => onChange(orNone(v))}
        searchable
      />
    );
  }
  if (kind === 'boolean') {
    return (
      <Select
        comboboxProps={dropdowns}
        aria-label={LABEL}
        data={[
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]}
        value={value === undefined || value === null ? null : String(value)}
        onChange={(v) => onChange(v === null ? undefined : v === 'true')}
      />
    );
  }
  const related = field.relation ? objects.find((o) => o.name === field.relation?.object) : undefined;
  if (related && !list) {
    return (
      <RecordPicker
        comboboxProps={dropdowns}
        aria-label={LABEL}
        target={related}
        value={asText(value) || null}
        onChange={(id) => onChange(id ?? undefined)}
      />
    );
  }
  if (field.type === 'user' && !list) {
    return (
      <PersonSelect
        comboboxProps={dropdowns}
        aria-label={LABEL}
        field={field}
        value={asText(value) || null}
        onChange={(id) => onChange(id ?? undefined)}
      />
    );
  }
  if (list) {
    return (
      <TagsInput
        comboboxProps={dropdowns}
        aria-label={LABEL}
        placeholder="Type and press Enter"
        value={asList(value)}
        onChange={(v) => onChange(listOrNone(v))}
      />
    );
  }
  if (kind === 'date') {
    return (
      <TextInput
        aria-label={LABEL}
        type="date"
        value={asText(value)}
        onChange={(e) => onChange(orNone(e.currentTarget.value))}
      />
    );
  }
  if (kind === 'datetime') {
    const local = typeof value === 'string' && value ? toLocalDateTime(value) : '';
    return (
      <TextInput
        aria-label={LABEL}
        type="datetime-local"
        value={local}
        onChange={(e) => {
          const d = new Date(e.currentTarget.value);
          onChange(Number.isNaN(d.getTime()) ? undefined : d.toISOString());
        }}
      />
    );
  }
  return (
    <TextInput
      aria-label={LABEL}
      inputMode={kind === 'number' ? 'decimal' : undefined}
      value={asText(value)}
      onChange={(e) => onChange(orNone(e.currentTarget.value))}
    />
  );
}
