import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { searchRecords } from '../../search/api/search.api';
import { listRecords } from '../api/records.api';
import { recordTitle } from '../utils/fields';

interface Props {
  target: ObjectMeta;
  label?: string;
  value: string | null;
  /** How to show the current value before any search (e.g. from an included record). */
  valueLabel?: string;
  onChange: (id: string | null) => void;
  error?: string;
  required?: boolean;
  description?: string;
  /** False inside a Popover, so choosing an option is not a click outside it. */
  withinPortal?: boolean;
}

/** Picks one record of `target`: its first records at once, then search as you type. */
export function RecordPicker({
  target,
  label,
  value,
  valueLabel,
  onChange,
  error,
  required,
  description,
  withinPortal = true,
}: Props) {
  const [search, setSearch] = useState('');
  const [typed] = useDebouncedValue(search.trim(), 150);
  const [labels, setLabels] = useState<Record<string, string>>(() =>
    value && valueLabel ? { [value]: valueLabel } : {},
  );
  const currentLabel = value ? labels[value] : undefined;
  // While the box shows the chosen record's name, list records as if nothing were typed.
  const q = typed && typed !== currentLabel ? typed : '';

  const options = useQuery({
    queryKey: ['picker', target.name, q],
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => {
      if (q) {
        const hits = await searchRecords(q, { objects: [target.name], limit: 20 }, signal);
        return hits.map((h) => ({ value: h.id, label: h.title || h.id }));
      }
      const page = await listRecords(target.name, { limit: 20 }, signal);
      return page.data.map((r) => ({ value: r.id, label: recordTitle(target, r) }));
    },
  });

  const data = useMemo(() => {
    const list = options.data ?? [];
    const withCurrent =
      value && !list.some((o) => o.value === value)
        ? [{ value, label: currentLabel ?? `${target.label} ${value.slice(-6)}` }, ...list]
        : list;
    return withCurrent;
  }, [options.data, value, currentLabel, target.label]);

  return (
    <Select
      label={label}
      description={description}
      placeholder={`Choose ${/^[aeiou]/i.test(target.singular) ? 'an' : 'a'} ${target.singular}…`}
      searchable
      clearable
      required={required}
      data={data}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      // The server already matched (accents, typos): show its results as they are.
      filter={({ options: o }) => o}
      nothingFoundMessage={options.isFetching ? 'Searching…' : 'Nothing found'}
      onChange={(id, option) => {
        if (id && option) setLabels((l) => ({ ...l, [id]: option.label }));
        onChange(id);
      }}
      error={error}
      comboboxProps={{ withinPortal }}
    />
  );
}
