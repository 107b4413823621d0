import { ActionIcon, Button, Checkbox, Group, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import { columnCandidates } from '../hooks/useColumnPrefs';

interface Props {
  meta: ObjectMeta;
  columns: FieldMeta[];
  onChange: (names: string[] | null) => void;
}

/** Shows, hides and reorders the list's columns (the first one carries the link to the record). */
export function ColumnChooser({ meta, columns, onChange }: Props) {
  const shown = columns.map((c) => c.name);
  const hidden = columnCandidates(meta).filter((f) => !shown.includes(f.name));
  const move = (i: number, by: number) => {
    const next = [...shown];
    const [item] = next.splice(i, 1);
    if (item === undefined) return;
    next.splice(i + by, 0, item);
    onChange(next);
  };
  return (
    <Popover position="bottom-end" width={300} trapFocus shadow="md">
      <Popover.Target>
        <Button variant="default" h={40} visibleFrom="sm">
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <ScrollArea.Autosize mah="60vh" type="auto">
          <Stack gap={4} role="group" aria-label="Columns shown">
            <Text size="sm" fw={600}>
              Shown, in order
            </Text>
            {columns.map((f, i) => (
              <Group key={f.name} gap={4} wrap="nowrap" justify="space-between">
                <Checkbox
                  label={f.label}
                  checked
                  disabled={columns.length === 1}
                  onChange={() => onChange(shown.filter((n) => n !== f.name))}
                />
                <Group gap={0} wrap="nowrap">
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size={32}
                    aria-label={`Move ${f.label} up`}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  >
                    <Icon name="up" size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size={32}
                    aria-label={`Move ${f.label} down`}
                    disabled={i === columns.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    <Icon name="down" size={16} />
                  </ActionIcon>
                </Group>
              </Group>
            ))}
            {hidden.length > 0 && (
              <Text size="sm" fw={600} mt="xs">
                Hidden
              </Text>
            )}
            {hidden.map((f) => (
              <Checkbox
                key={f.name}
                label={f.label}
                checked={false}
                onChange={() => onChange([...shown, f.name])}
                py={4}
              />
            ))}
            <Button variant="subtle" size="compact-sm" mt="xs" onClick={() => onChange(null)}>
              Reset to default columns
            </Button>
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
