import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import { optionValueFrom } from '../utils/field-types';

export interface OptionDraft {
  value: string;
  label: string;
  /** Existing options keep their value (records hold it); new ones derive it from the label. */
  saved: boolean;
}

/** The choices of a select field: add, rename, reorder, remove. */
export function OptionsEditor({
  value,
  onChange,
  error,
}: {
  value: OptionDraft[];
  onChange: (next: OptionDraft[]) => void;
  error?: string;
}) {
  const set = (i: number, patch: Partial<OptionDraft>) =>
    onChange(value.map((o, j) => (j === i ? { ...o, ...patch } : o)));
  const move = (i: number, d: -1 | 1) => {
    const next = [...value];
    const [o] = next.splice(i, 1);
    if (o) next.splice(i + d, 0, o);
    onChange(next);
  };
  return (
    <Stack gap={6} role="group" aria-label="Options">
      <Text size="sm" fw={500}>
        Options
      </Text>
      {value.map((o, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: options are edited in place; their values may repeat while typing.
        <Group key={i} gap={4} wrap="nowrap">
          <TextInput
            aria-label={`Option ${i + 1}`}
            value={o.label}
            size="md"
            style={{ flex: 1 }}
            onChange={(e) => {
              const label = e.currentTarget.value;
              set(i, o.saved ? { label } : { label, value: optionValueFrom(label) });
            }}
          />
          <ActionIcon
            variant="subtle"
            size={40}
            aria-label={`Move option ${i + 1} up`}
            disabled={i === 0}
            onClick={() => move(i, -1)}
          >
            <Icon name="up" />
          </ActionIcon>
          <ActionIcon
            variant="subtle"
            size={40}
            aria-label={`Move option ${i + 1} down`}
            disabled={i === value.length - 1}
            onClick={() => move(i, 1)}
          >
            <Icon name="down" />
          </ActionIcon>
          <ActionIcon
            variant="subtle"
            color="red"
            size={40}
            aria-label={`Remove option ${i + 1}`}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            <Icon name="x" />
          </ActionIcon>
        </Group>
      ))}
      {error && (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      )}
      <div>
        <Button
          variant="light"
          h={40}
          leftSection={<Icon name="plus" size={16} />}
          onClick={() => onChange([...value, { value: '', label: '', saved: false }])}
        >
          Add option
        </Button>
      </div>
    </Stack>
  );
}
