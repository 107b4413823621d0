import { Badge, Button, CloseButton, Group, Text } from '@mantine/core';
import { useMemo } from 'react';
import type { FilterNode } from '../../../../common/filter-ops';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { filterParts, withoutPart } from '../utils/filter-tree';
import { describeNode, filterTargets } from '../utils/filters';

/** The filter in effect, in words: one chip per top-level part (a condition or a group), each removable. */
export function FilterChips({
  meta,
  value,
  onChange,
}: {
  meta: ObjectMeta;
  value: FilterNode | undefined;
  onChange: (filter: FilterNode | undefined) => void;
}) {
  const objects = useObjects();
  const targets = useMemo(() => filterTargets(meta, objects), [meta, objects]);
  if (!value) return null;
  const { match, parts } = filterParts(value);
  const any = match === 'or' && parts.length > 1;
  return (
    <Group gap={6}>
      {any && (
        <Text size="sm" c="dimmed">
          Any of:
        </Text>
      )}
      <Group
        gap={6}
        aria-label={any ? 'Filters in effect (any of them)' : 'Filters in effect'}
        role="list"
        data-testid="filter-chips"
      >
        {parts.map((part, i) => {
          const text = describeNode(targets, part, parts.length > 1);
          return (
            <Badge
              // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity besides their place.
              key={i}
              role="listitem"
              variant="light"
              color="gray"
              size="lg"
              tt="none"
              fw={500}
              maw="100%"
              styles={{ label: { whiteSpace: 'normal', height: 'auto' }, root: { height: 'auto', minHeight: 26 } }}
              rightSection={
                <CloseButton
                  size="sm"
                  aria-label={`Remove filter ${text}`}
                  onClick={() => onChange(withoutPart(value, i))}
                />
              }
            >
              {text}
            </Badge>
          );
        })}
      </Group>
      <Button variant="subtle" size="compact-sm" onClick={() => onChange(undefined)}>
        Clear all
      </Button>
    </Group>
  );
}
