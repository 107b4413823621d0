import { Select } from '@mantine/core';
import type { FieldMeta } from '../../objects/api/objects.api';
import { usePeople } from '../hooks/usePeople';

interface Props {
  field: FieldMeta;
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string;
  label?: string;
  description?: string;
  required?: boolean;
  withinPortal?: boolean;
  /** Overrides where the dropdown renders (the filter builder's placement). */
  comboboxProps?: { withinPortal?: boolean; zIndex?: number };
  'aria-label'?: string;
}

/** Picks a workspace member (owner…) or, for the team field, a team. */
export function PersonSelect({ field, value, onChange, withinPortal = true, comboboxProps, ...rest }: Props) {
  const { options, isLoading } = usePeople(field);
  return (
    <Select
      {...rest}
      data={value && !options.some((o) => o.value === value) ? [{ value, label: value }, ...options] : options}
      value={value}
      onChange={onChange}
      searchable
      clearable={!rest.required}
      placeholder={isLoading ? 'Loading…' : `Choose ${field.name === 'teamId' ? 'a team' : 'a person'}…`}
      nothingFoundMessage="Nobody found"
      comboboxProps={{ withinPortal, ...comboboxProps }}
    />
  );
}
