import { ActionIcon, Button, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import {
  type FilterItem,
  type GroupItem,
  type Match,
  negated,
  newCondition,
  newGroup,
  toggleNot,
} from '../utils/filter-tree';
import type { FilterTarget } from '../utils/filters';
import classes from './FilterBuilder.module.css';
import { FilterConditionRow } from './FilterConditionRow';
import { NotToggle } from './NotToggle';

/** Groups nest this deep below the top level in the builder (trees nested deeper still show). */
export const MAX_GROUP_NESTING = 2;

interface Props {
  group: GroupItem;
  /** 0 for the top level. */
  depth: number;
  targets: FilterTarget[];
  /** The field a new condition starts on (the record's name; not the ID). */
  start?: FilterTarget;
  /** "contacts", for the top level's sentence. */
  noun: string;
  label: string;
  /** False once the tree holds as many conditions as the API takes. */
  canAdd: boolean;
  onChange: (group: GroupItem) => void;
  onRemove?: () => void;
}

/** A group of the filter builder: "all" or "any" of its conditions and groups, maybe negated. */
export function FilterGroupEditor({ group, depth, targets, start, noun, label, canAdd, onChange, onRemove }: Props) {
  const top = depth === 0;
  const first = start ?? targets[0];
  const replace = (id: string, next: FilterItem) =>
    onChange({ ...group, children: group.children.map((c) => (c.id === id ? next : c)) });
  const remove = (id: string) => onChange({ ...group, children: group.children.filter((c) => c.id !== id) });
  const add = (item: FilterItem) => onChange({ ...group, children: [...group.children, item] });

  return (
    <Stack
      gap="xs"
      className={top ? undefined : classes.group}
      data-negated={negated(group) || undefined}
      role="group"
      aria-label={label}
      data-testid={top ? 'filter-root' : 'filter-group'}
    >
      <Group gap="xs" wrap="wrap" align="center">
        {top && (
          <Text size="sm" fw={600}>
            Show {noun} where
          </Text>
        )}
        <NotToggle
          pressed={negated(group)}
          onToggle={() => onChange(toggleNot(group))}
          what={top ? 'the whole filter' : 'this group'}
        />
        <SegmentedControl
          aria-label={top ? 'Match' : `Match (${label})`}
          size="sm"
          classNames={{ label: classes.matchLabel }}
          data={[
            { value: 'and', label: 'all' },
            { value: 'or', label: 'any' },
          ]}
          value={group.match}
          onChange={(v) => onChange({ ...group, match: v as Match })}
        />
        <Text size="sm">of these hold</Text>
        {onRemove && (
          <ActionIcon variant="subtle" color="gray" size={36} ml="auto" aria-label="Remove group" onClick={onRemove}>
            <Icon name="trash" />
          </ActionIcon>
        )}
      </Group>
      {group.children.map((child, i) =>
        child.kind === 'group' ? (
          <FilterGroupEditor
            key={child.id}
            group={child}
            depth={depth + 1}
            targets={targets}
            start={start}
            noun={noun}
            label={`Group ${i + 1}${top ? '' : ` in ${label.toLowerCase()}`}`}
            canAdd={canAdd}
            onChange={(next) => replace(child.id, next)}
            onRemove={() => remove(child.id)}
          />
        ) : (
          <FilterConditionRow
            key={child.id}
            item={child}
            targets={targets}
            label={`Condition ${i + 1}${top ? '' : ` in ${label.toLowerCase()}`}`}
            onChange={(next) => replace(child.id, next)}
            onRemove={() => remove(child.id)}
          />
        ),
      )}
      <Group gap="xs">
        <Button
          variant="subtle"
          leftSection={<Icon name="plus" size={16} />}
          disabled={!first || !canAdd}
          onClick={() => add(newCondition(first))}
        >
          Add condition
        </Button>
        {depth < MAX_GROUP_NESTING && (
          <Button
            variant="subtle"
            leftSection={<Icon name="plus" size={16} />}
            disabled={!first || !canAdd}
            onClick={() => add(newGroup(first, group.match === 'and' ? 'or' : 'and'))}
          >
            Add group
          </Button>
        )}
      </Group>
    </Stack>
  );
}
