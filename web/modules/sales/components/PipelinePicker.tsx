import { Select } from '@mantine/core';
import type { Pipeline } from '../api/sales.api';

/** Chooses the pipeline a view shows. */
export function PipelinePicker({
  pipelines,
  value,
  onChange,
  label = 'Pipeline',
  clearable = false,
}: {
  pipelines: Pipeline[];
  value: string | null;
  onChange: (id: string | null) => void;
  label?: string;
  clearable?: boolean;
}) {
  return (
    <Select
      label={label}
      data={pipelines.map((p) => ({ value: p.id, label: p.name }))}
      value={value}
      onChange={onChange}
      allowDeselect={clearable}
      clearable={clearable}
      w={{ base: '100%', xs: 240 }}
    />
  );
}
