import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { searchRecords } from '../../search/api/search.api';
import { recordKeys } from '../api/record-keys';
import { getRecord, listRecords } from '../api/records.api';
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
  /** Overrides where the dropdown renders (the filter builder's placement). */
  comboboxProps?: { withinPortal?: boolean; zIndex?: number };
  /** The accessible name when no visible label is shown (a filter's value box). */
  'aria-label'?: string;
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
  'aria-label': ariaLabel,
  comboboxProps,
}: Props) {
  const [search, setSearch] = useState('');
  const [typed] = useDebouncedValue(search.trim(), 150);
  const [labels, setLabels] = useState<Record<string, string>>(() =>
    value && valueLabel ? { [value]: valueLabel } : {},
  );
  const [known, setKnown] = useState<string | undefined>(undefined);
  // While the box shows the chosen record's name, list records as if nothing were typed.
  const showsValue = !!value && (typed === known || typed === fallbackLabel(target, value));
  const q = showsValue ? '' : typed;

  const options = useQuery({
    // Under the target's record keys, so saving one of its records refreshes pickers too.
    queryKey: [...recordKeys.all(target.name), 'picker', q],
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

  const listed = value ? (labels[value] ?? options.data?.find((o) => o.value === value)?.label) : undefined;
  // A value that is not among the listed records (a preset, or beyond the first 20): ask for it.
  const chosen = useQuery({
    queryKey: [...recordKeys.one(target.name, value ?? ''), 'title'],
    queryFn: ({ signal }) => getRecord(target.name, value ?? '', [], signal),
    enabled: !!value && !listed && !options.isPending,
    staleTime: 60_000,
  });
  const currentLabel = listed ?? (chosen.data ? recordTitle(target, chosen.data.data) : undefined);
  // A preset value (e.g. the account of a new contact) shows its name once it is known.
  const filledFor = useRef<string | null>(null);
  useEffect(() => {
    setKnown(currentLabel);
    if (value && currentLabel && filledFor.current !== value) {
      filledFor.current = value;
      // Replace nothing, or the placeholder name shown while the record loaded.
      setSearch((s) => (!s || s === fallbackLabel(target, value) ? currentLabel : s));
    }
  }, [value, currentLabel, target]);

  const data = useMemo(() => {
    const list = options.data ?? [];
    const withCurrent =
      value && !list.some((o) => o.value === value)
        ? [{ value, label: currentLabel ?? fallbackLabel(target, value) }, ...list]
        : list;
    return withCurrent;
  }, [options.data, value, currentLabel, target]);

  return (
    <Select
      label={label}
      aria-label={label ? undefined : ariaLabel}
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
      comboboxProps={{ withinPortal, ...comboboxProps }}
    />
  );
}

/** What a record is called until its title is known. */
const fallbackLabel = (target: ObjectMeta, _id: string) => `The selected ${target.singular}`;
