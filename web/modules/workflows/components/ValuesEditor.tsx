import { ActionIcon, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import type { ObjectMeta } from '../../objects/api/objects.api';

interface Props {
  meta: ObjectMeta | null | undefined;
  value: Record<string, unknown>;
  onChange: (v: Record<string, unknown>) => void;
}

/** Field → value pairs for "update fields" and "create a record"; values may use {{record.…}}. */
export function ValuesEditor({ meta, value, onChange }: Props) {
  const fields = (meta?.fields ?? []).filter((f) => !f.readOnly);
  const entries = Object.entries(value);
  const free = fields.filter((f) => !(f.name in value));
  const rename = (from: string, to: string) =>
    onChange(Object.fromEntries(entries.map(([k, v]) => (k === from ? [to, v] : [k, v]))));
  return (
    <Stack gap="xs">
      {entries.length === 0 && (
        <Text size="sm" c="dimmed">
          No fields yet.
        </Text>
      )}
      {entries.map(([k, v]) => (
        <Group key={k} gap="xs" wrap="nowrap" align="flex-end">
          <Select
            aria-label="Field"
            searchable
            w={200}
            data={[...fields.filter((f) => f.name === k), ...free].map((f) => ({ value: f.name, label: f.label }))}
            value={k}
            allowDeselect={false}
            onChange={(to) => to && rename(k, to)}
          />
          <TextInput
            aria-label={`Value of ${k}`}
            style={{ flex: 1 }}
            value={typeof v === 'string' ? v : JSON.stringify(v)}
            onChange={(e) => onChange({ ...value, [k]: e.currentTarget.value })}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            size={36}
            aria-label={`Remove ${k}`}
            onClick={() => onChange(Object.fromEntries(entries.filter(([x]) => x !== k)))}
          >
            <Icon name="x" />
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button
          size="compact-sm"
          variant="subtle"
          leftSection={<Icon name="plus" size={14} />}
          disabled={free.length === 0}
          onClick={() => free[0] && onChange({ ...value, [free[0].name]: '' })}
        >
          Add field
        </Button>
      </Group>
    </Stack>
  );
}
