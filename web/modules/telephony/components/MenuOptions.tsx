import { ActionIcon, Button, Group, Select, Stack, Text } from '@mantine/core';
import { Icon } from '../../../ui/Icon';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

interface Props {
  options: Record<string, string>;
  /** The flow's node ids, the targets a key can lead to. */
  targets: string[];
  onChange: (options: Record<string, string>) => void;
}

/** A menu's branches: one row per key (0–9, *, #) with the node the caller goes to. */
export function MenuOptions({ options, targets, onChange }: Props) {
  const entries = Object.entries(options);
  const free = KEYS.filter((k) => !(k in options));
  const set = (rows: [string, string][]) => onChange(Object.fromEntries(rows));
  return (
    <Stack gap={6} role="group" aria-label="Keys">
      <Text size="sm" fw={500}>
        Keys
      </Text>
      {entries.map(([key, target], i) => (
        <Group key={key} gap="xs" align="end" wrap="nowrap">
          <Select
            label={i === 0 ? 'Key' : undefined}
            aria-label={`Key ${key}`}
            data={[key, ...free]}
            value={key}
            allowDeselect={false}
            w={80}
            onChange={(k) => k && set(entries.map(([kk, v]) => (kk === key ? [k, v] : [kk, v])))}
          />
          <Select
            label={i === 0 ? 'Goes to' : undefined}
            aria-label={`Key ${key} goes to`}
            data={targets}
            value={target}
            allowDeselect={false}
            searchable
            style={{ flex: 1 }}
            onChange={(t) => t && set(entries.map(([kk, v]) => (kk === key ? [kk, t] : [kk, v])))}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            size="lg"
            aria-label={`Remove key ${key}`}
            onClick={() => set(entries.filter(([kk]) => kk !== key))}
          >
            <Icon name="trash" />
          </ActionIcon>
        </Group>
      ))}
      {free[0] && targets[0] && (
        <Button
          variant="light"
          size="xs"
          w="fit-content"
          leftSection={<Icon name="plus" size={14} />}
          onClick={() => set([...entries, [free[0] as string, targets[0] as string]])}
        >
          Add key
        </Button>
      )}
    </Stack>
  );
}
