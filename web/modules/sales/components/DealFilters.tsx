import { Group, SegmentedControl, Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { membersQuery } from '../../people/api/people.api';
import type { Pipeline } from '../api/sales.api';
import { type DealsSearch, PERIODS } from '../utils/deals-search';

/** Period, owner, pipeline and result filters of the deals view. */
export function DealFilters({
  search,
  pipelines,
  onChange,
}: {
  search: DealsSearch;
  pipelines: Pipeline[];
  onChange: (next: DealsSearch) => void;
}) {
  const members = useQuery(membersQuery);
  const w = { base: '100%', xs: 200 };
  return (
    <Group gap="sm" align="flex-end" wrap="wrap">
      <Select
        label="Closed"
        data={PERIODS.map((p) => ({ value: p.value, label: p.label }))}
        value={search.period ?? 'all'}
        onChange={(v) => onChange({ ...search, period: !v || v === 'all' ? undefined : (v as DealsSearch['period']) })}
        allowDeselect={false}
        w={w}
      />
      <Select
        label="Owner"
        placeholder="Everyone"
        data={(members.data ?? []).map((m) => ({ value: m.id, label: m.name || m.email }))}
        value={search.owner ?? null}
        onChange={(v) => onChange({ ...search, owner: v ?? undefined })}
        clearable
        w={w}
      />
      <Select
        label="Pipeline"
        placeholder="All pipelines"
        data={pipelines.map((p) => ({ value: p.id, label: p.name }))}
        value={search.pipeline ?? null}
        onChange={(v) => onChange({ ...search, pipeline: v ?? undefined })}
        clearable
        w={w}
      />
      <SegmentedControl
        aria-label="Result"
        data={[
          { value: 'all', label: 'All' },
          { value: 'won', label: 'Won' },
          { value: 'lost', label: 'Lost' },
        ]}
        value={search.status ?? 'all'}
        onChange={(v) => onChange({ ...search, status: v === 'won' || v === 'lost' ? v : undefined })}
        h={40}
      />
    </Group>
  );
}
