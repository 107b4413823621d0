import { ActionIcon, Button, Group, Indicator, Popover, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Icon } from '../../../ui/Icon';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { type FilterLeaf, filterTargets, isUnary, OPERATOR_LABELS } from '../utils/filters';
import { FilterValueInput } from './FilterValueInput';

interface Props {
  meta: ObjectMeta;
  value: FilterLeaf[];
  onApply: (leaves: FilterLeaf[]) => void;
}

const complete = (l: FilterLeaf) =>
  isUnary(l.op) || (l.value !== undefined && l.value !== '' && !(Array.isArray(l.value) && l.value.length === 0));

/** Builds "all of these conditions" filters from the fields and operators the metadata lists. */
export function FilterBuilder({ meta, value, onApply }: Props) {
  const [opened, setOpened] = useState(false);
  const [draft, setDraft] = useState<FilterLeaf[]>(value);
  const targets = filterTargets(meta);
  const first = targets[0];

  const open = () => {
    setDraft(value.length ? value : first ? [{ field: first.path, op: first.operators[0] ?? 'eq' }] : []);
    setOpened(true);
  };
  const update = (i: number, leaf: FilterLeaf) => setDraft((d) => d.map((l, j) => (j === i ? leaf : l)));
  const apply = () => {
    onApply(draft.filter(complete));
    setOpened(false);
  };

  return (
    // The indicator wraps the popover: Popover.Target puts its ARIA attributes on its direct child.
    <Indicator label={value.length} size={16} disabled={value.length === 0} offset={4}>
      <Popover
        opened={opened}
        onChange={setOpened}
        position="bottom-start"
        width="min(640px, calc(100vw - 24px))"
        trapFocus
        shadow="md"
      >
        <Popover.Target>
          <Button
            variant="default"
            h={40}
            px="sm"
            leftSection={<Icon name="filter" size={16} />}
            onClick={() => (opened ? setOpened(false) : open())}
            aria-label="Filter"
          >
            <Text span inherit visibleFrom="xs">
              Filter
            </Text>
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="sm" role="group" aria-label="Filter conditions">
            <Text size="sm" fw={600}>
              Show {meta.labelPlural.toLowerCase()} where all of these hold
            </Text>
            {draft.map((leaf, i) => {
              const target = targets.find((t) => t.path === leaf.field) ?? first;
              if (!target) return null;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity besides their place.
                <Group key={i} gap="xs" align="flex-start" wrap="wrap" data-testid="filter-condition">
                  <Select
                    comboboxProps={{ withinPortal: false }}
                    aria-label="Field"
                    data={targets.map((t) => ({ value: t.path, label: t.label }))}
                    value={target.path}
                    searchable
                    w={{ base: '100%', xs: 180 }}
                    allowDeselect={false}
                    onChange={(path) => {
                      const t = targets.find((x) => x.path === path);
                      if (t) update(i, { field: t.path, op: t.operators[0] ?? 'eq' });
                    }}
                  />
                  <Select
                    comboboxProps={{ withinPortal: false }}
                    aria-label="Condition"
                    data={target.operators.map((op) => ({ value: op, label: OPERATOR_LABELS[op] }))}
                    value={leaf.op}
                    w={{ base: 'calc(100% - 48px)', xs: 150 }}
                    allowDeselect={false}
                    onChange={(op) => {
                      const next = target.operators.find((o) => o === op);
                      if (next) update(i, { field: leaf.field, op: next });
                    }}
                  />
                  <div style={{ flex: '1 1 160px', minWidth: 0 }}>
                    <FilterValueInput
                      target={target}
                      op={leaf.op}
                      value={leaf.value}
                      onChange={(v) => update(i, { ...leaf, value: v })}
                    />
                  </div>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size={36}
                    aria-label="Remove condition"
                    onClick={() => setDraft((d) => d.filter((_, j) => j !== i))}
                  >
                    <Icon name="x" />
                  </ActionIcon>
                </Group>
              );
            })}
            <Group justify="space-between">
              <Button
                variant="subtle"
                leftSection={<Icon name="plus" size={16} />}
                disabled={!first}
                onClick={() => first && setDraft((d) => [...d, { field: first.path, op: first.operators[0] ?? 'eq' }])}
              >
                Add condition
              </Button>
              <Group gap="xs">
                <Button
                  variant="default"
                  onClick={() => {
                    onApply([]);
                    setOpened(false);
                  }}
                >
                  Clear
                </Button>
                <Button onClick={apply}>Apply</Button>
              </Group>
            </Group>
          </Stack>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
