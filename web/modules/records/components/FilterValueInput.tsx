import { MultiSelect, Select, TagsInput, TextInput } from '@mantine/core';
import type { FilterOperator } from '../../../../common/filter';
import { useObjects } from '../../objects/hooks/useObjects';
import { PersonSelect } from '../../people/components/PersonSelect';
import { type FilterTarget, isUnary, takesList } from '../utils/filters';
import { toLocalDateTime } from '../utils/form-values';
import { RecordPicker } from './RecordPicker';

interface Props {
  target: FilterTarget;
  op: FilterOperator;
  value: unknown;
  onChange: (value: unknown) => void;
}

// The builder lives in a Popover: dropdowns must render inside it, or picking an
// option counts as a click outside and closes the builder.
const inPopover = { comboboxProps: { withinPortal: false } };

const asList = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
const asText = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** The value box of one filter condition, shaped by the field's type and the operator. */
export function FilterValueInput({ target, op, value, onChange }: Props) {
  const objects = useObjects();
  if (isUnary(op)) return null;
  const { field } = target;
  const label = 'Value';
  const list = takesList(field, op);
  const isPart = target.path !== field.name;

  if (field.options && !isPart) {
    return list ? (
      <MultiSelect
        {...inPopover}
        aria-label={label}
        data={field.options}
        value={asList(value)}
        onChange={onChange}
        searchable
      />
    ) : (
      <Select
        {...inPopover}
        aria-label={label}
        data={field.options}
        value={asText(value) || null}
        onChange={onChange}
        searchable
      />
    );
  }
  if (field.type === 'boolean') {
    return (
      <Select
        {...inPopover}
        aria-label={label}
        data={[
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]}
        value={value === undefined ? null : String(value)}
        onChange={(v) => onChange(v === null ? undefined : v === 'true')}
      />
    );
  }
  const target_ = field.relation ? objects.find((o) => o.name === field.relation?.object) : undefined;
  if (target_ && !list) {
    return (
      <RecordPicker
        withinPortal={false}
        target={target_}
        value={asText(value) || null}
        onChange={(id) => onChange(id ?? undefined)}
      />
    );
  }
  if (field.type === 'user' && !list) {
    return (
      <PersonSelect
        aria-label={label}
        field={field}
        withinPortal={false}
        value={asText(value) || null}
        onChange={(id) => onChange(id ?? undefined)}
      />
    );
  }
  if (list) {
    return (
      <TagsInput
        {...inPopover}
        aria-label={label}
        placeholder="Type and press Enter"
        value={asList(value)}
        onChange={onChange}
      />
    );
  }
  if (field.type === 'date' && !isPart) {
    return (
      <TextInput
        aria-label={label}
        type="date"
        value={asText(value)}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
    );
  }
  if (field.type === 'datetime') {
    const local = typeof value === 'string' && value ? toLocalDateTime(value) : '';
    return (
      <TextInput
        aria-label={label}
        type="datetime-local"
        value={local}
        onChange={(e) => {
          const d = new Date(e.currentTarget.value);
          onChange(Number.isNaN(d.getTime()) ? undefined : d.toISOString());
        }}
      />
    );
  }
  const numeric = ['integer', 'decimal', 'percent', 'money'].includes(field.type) && !isPart;
  return (
    <TextInput
      aria-label={label}
      inputMode={numeric ? 'decimal' : undefined}
      value={asText(value)}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
