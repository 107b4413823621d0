import { Button, Checkbox, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import type { FieldMeta } from '../../objects/api/objects.api';
import type { FormInput } from '../api/forms.api';

/** What a visitor will see on the hosted page, updated as the form is edited (inputs are inert). */
export function FormPreview({ draft, fields }: { draft: FormInput; fields: FieldMeta[] }) {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return (
    <Paper withBorder p="md" aria-label="Preview" component="section">
      <Stack gap="sm">
        <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
          Preview
        </Text>
        <Title order={2} size="h3">
          {draft.name || 'Untitled form'}
        </Title>
        {draft.fields.map((f) => {
          const meta = byName.get(f.field);
          const label = f.label || meta?.label || f.name;
          const common = { label, required: f.required, readOnly: true, tabIndex: -1 };
          if (meta?.type === 'boolean') return <Checkbox key={f.name} label={label} readOnly tabIndex={-1} />;
          if (meta?.type === 'select')
            return <Select key={f.name} {...common} data={(meta.options ?? []).map((o) => o.label)} />;
          if (meta?.type === 'longText') return <Textarea key={f.name} {...common} />;
          return <TextInput key={f.name} {...common} />;
        })}
        {(draft.consents ?? []).map((c) => (
          <Checkbox key={c.purpose} label={c.label || `(${c.purpose}: write the wording)`} readOnly tabIndex={-1} />
        ))}
        <Button w="fit-content" tabIndex={-1} aria-hidden>
          Submit
        </Button>
      </Stack>
    </Paper>
  );
}
