import { Badge, Button, CloseButton, Group } from '@mantine/core';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { describeLeaf, type FilterLeaf, filterTargets } from '../utils/filters';

/** The conditions in effect, each removable. */
export function FilterChips({
  meta,
  value,
  onChange,
}: {
  meta: ObjectMeta;
  value: FilterLeaf[];
  onChange: (leaves: FilterLeaf[]) => void;
}) {
  if (value.length === 0) return null;
  const targets = filterTargets(meta);
  return (
    <Group gap={6}>
      <Group gap={6} aria-label="Filters in effect" role="list">
        {value.map((leaf, i) => {
          const text = describeLeaf(targets, leaf);
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
              rightSection={
                <CloseButton
                  size="sm"
                  aria-label={`Remove filter ${text}`}
                  onClick={() => onChange(value.filter((_, j) => j !== i))}
                />
              }
            >
              {text}
            </Badge>
          );
        })}
      </Group>
      <Button variant="subtle" size="compact-sm" onClick={() => onChange([])}>
        Clear all
      </Button>
    </Group>
  );
}
