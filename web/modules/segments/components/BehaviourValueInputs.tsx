import { Group, MultiSelect, NumberInput, Select, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { MAX_BEHAVIOUR_DAYS } from '../../../../common/behaviour-conditions';
import type { FilterOperator } from '../../../../common/filter-ops';
import { formsQuery } from '../../forms/api/forms.api';
import { useFilterDropdowns } from '../../records/hooks/useFilterDropdowns';

interface Props {
  op: FilterOperator;
  value: unknown;
  onChange: (value: unknown) => void;
}

type Parts = Record<string, unknown>;
const partsOf = (v: unknown): Parts => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Parts) : {});

/** The value with `key` set (or dropped when empty); undefined when nothing is left. */
function withPart(value: unknown, key: string, next: unknown): Parts | undefined {
  const out: Parts = { ...partsOf(value) };
  if (next === undefined || next === null || next === '' || (Array.isArray(next) && next.length === 0)) delete out[key];
  else out[key] = next;
  return Object.keys(out).length ? out : undefined;
}

/** "In the last N days" (empty: ever). */
function DaysInput({ value, onChange }: { value: unknown; onChange: (value: unknown) => void }) {
  const days = partsOf(value).days;
  return (
    <NumberInput
      aria-label="In the last (days)"
      placeholder="ever"
      leftSection={<span style={{ fontSize: 12, paddingLeft: 6 }}>last</span>}
      leftSectionWidth={40}
      rightSection={<span style={{ fontSize: 12 }}>days</span>}
      rightSectionWidth={44}
      w={150}
      min={1}
      max={MAX_BEHAVIOUR_DAYS}
      allowDecimal={false}
      value={typeof days === 'number' ? days : ''}
      onChange={(n) => onChange(withPart(value, 'days', typeof n === 'number' ? n : undefined))}
    />
  );
}

/** `@visited`: the page (a path or a URL), the window and pages or downloads. */
export function VisitedValueInput({ op, value, onChange }: Props) {
  const dropdowns = useFilterDropdowns();
  const parts = partsOf(value);
  return (
    <Group gap={6} wrap="wrap">
      {op !== 'isNotEmpty' && (
        <TextInput
          aria-label="Page"
          placeholder="/pricing"
          w={180}
          value={typeof parts.page === 'string' ? parts.page : ''}
          onChange={(e) => onChange(withPart(value, 'page', e.currentTarget.value))}
        />
      )}
      <DaysInput value={value} onChange={onChange} />
      <Select
        comboboxProps={dropdowns}
        aria-label="Pages or downloads"
        w={170}
        allowDeselect={false}
        data={[
          { value: 'any', label: 'Pages and downloads' },
          { value: 'page', label: 'Pages' },
          { value: 'download', label: 'Downloads' },
        ]}
        value={typeof parts.kind === 'string' ? parts.kind : 'any'}
        onChange={(k) => onChange(withPart(value, 'kind', k === 'any' ? undefined : k))}
      />
    </Group>
  );
}

/** `@submittedForm`: the form (or forms) and the window. */
export function SubmittedFormValueInput({ op, value, onChange }: Props) {
  const dropdowns = useFilterDropdowns();
  const forms = useQuery(formsQuery);
  const data = (forms.data ?? []).map((f) => ({ value: f.id, label: f.name }));
  const parts = partsOf(value);
  return (
    <Group gap={6} wrap="wrap">
      {op === 'eq' && (
        <Select
          comboboxProps={dropdowns}
          aria-label="Form"
          placeholder="Choose a form"
          w={200}
          searchable
          data={data}
          value={typeof parts.form === 'string' ? parts.form : null}
          onChange={(f) => onChange(withPart(value, 'form', f ?? undefined))}
        />
      )}
      {op === 'in' && (
        <MultiSelect
          comboboxProps={dropdowns}
          aria-label="Forms"
          placeholder="Choose forms"
          w={240}
          searchable
          data={data}
          value={Array.isArray(parts.forms) ? parts.forms.map(String) : []}
          onChange={(f) => onChange(withPart(value, 'forms', f))}
        />
      )}
      <DaysInput value={value} onChange={onChange} />
    </Group>
  );
}

/** `@emailEngaged`: opened, clicked or either, and the window. */
export function EmailEngagedValueInput({ value, onChange }: Props) {
  const dropdowns = useFilterDropdowns();
  const parts = partsOf(value);
  return (
    <Group gap={6} wrap="wrap">
      <Select
        comboboxProps={dropdowns}
        aria-label="Opened or clicked"
        w={170}
        allowDeselect={false}
        data={[
          { value: 'any', label: 'Opened or clicked' },
          { value: 'opened', label: 'Opened' },
          { value: 'clicked', label: 'Clicked' },
        ]}
        value={typeof parts.action === 'string' ? parts.action : 'any'}
        onChange={(a) => onChange(withPart(value, 'action', a === 'any' ? undefined : a))}
      />
      <DaysInput value={value} onChange={onChange} />
    </Group>
  );
}
