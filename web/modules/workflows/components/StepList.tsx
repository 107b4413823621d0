import { ActionIcon, Button, Card, Group, Menu, Stack, Text } from '@mantine/core';
import type { FilterNode } from '../../../../common/filter';
import { Icon } from '../../../ui/Icon';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import { FilterBuilder } from '../../records/components/FilterBuilder';
import type { Step, StepType } from '../api/workflows.api';
import { newStep, STEP_LABELS } from '../utils/definition';
import { StepFields } from './StepFields';

interface Props {
  steps: Step[];
  object?: string;
  onChange: (steps: Step[]) => void;
  /** For screen readers and tests: which list this is ("Steps", "If yes", …). */
  label: string;
  /** A nurture sequence's steps (campaign emails default to its campaign; "leave this sequence"). */
  inSequence?: boolean;
  /** The step types offered (all when absent). */
  types?: readonly StepType[];
}

/** A vertical list of steps with add, remove, reorder; if/else steps hold two nested lists. */
export function StepList({ steps, object, onChange, label, inSequence, types }: Props) {
  const meta = useObjectMeta(object ?? '');
  const replace = (i: number, s: Step) => onChange(steps.map((x, j) => (j === i ? s : x)));
  const move = (i: number, by: number) => {
    const next = [...steps];
    const [s] = next.splice(i, 1);
    if (s) next.splice(i + by, 0, s);
    onChange(next);
  };
  return (
    <Stack gap="xs">
      <Stack gap="xs" role="list" aria-label={label}>
        {steps.map((s, i) => (
          <Card key={s.id} withBorder padding="sm" role="listitem" data-testid={`step-${s.type}`}>
            <Group justify="space-between" mb="xs" wrap="nowrap">
              <Text fw={600} size="sm">
                {i + 1}. {STEP_LABELS[s.type]}
              </Text>
              <Group gap={4} wrap="nowrap">
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label="Move up"
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                >
                  <Icon name="up" />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label="Move down"
                  disabled={i === steps.length - 1}
                  onClick={() => move(i, 1)}
                >
                  <Icon name="down" />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label="Remove step"
                  onClick={() => onChange(steps.filter((_, j) => j !== i))}
                >
                  <Icon name="trash" />
                </ActionIcon>
              </Group>
            </Group>
            {s.type === 'branch' ? (
              <Stack gap="xs">
                <Group gap="xs">
                  <Text size="sm">If the record matches</Text>
                  {meta && (
                    <FilterBuilder
                      meta={meta}
                      value={s.condition as FilterNode | undefined}
                      onApply={(condition) => replace(i, { ...s, condition })}
                    />
                  )}
                </Group>
                <Text size="sm" fw={600}>
                  Yes
                </Text>
                <StepList
                  steps={(s.yes as Step[]) ?? []}
                  object={object}
                  inSequence={inSequence}
                  types={types}
                  label="If yes"
                  onChange={(yes) => replace(i, { ...s, yes })}
                />
                <Text size="sm" fw={600}>
                  No
                </Text>
                <StepList
                  steps={(s.no as Step[]) ?? []}
                  object={object}
                  inSequence={inSequence}
                  types={types}
                  label="If no"
                  onChange={(no) => replace(i, { ...s, no })}
                />
              </Stack>
            ) : (
              <StepFields step={s} object={object} inSequence={inSequence} onChange={(next) => replace(i, next)} />
            )}
          </Card>
        ))}
      </Stack>
      <Menu position="bottom-start">
        <Menu.Target>
          <Button variant="light" size="sm" leftSection={<Icon name="plus" size={14} />} w="fit-content">
            Add step{label === 'Steps' ? '' : ` (${label.toLowerCase()})`}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {(types ?? (Object.keys(STEP_LABELS) as StepType[])).map((t) => (
            <Menu.Item key={t} onClick={() => onChange([...steps, newStep(t)])}>
              {STEP_LABELS[t]}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
    </Stack>
  );
}
