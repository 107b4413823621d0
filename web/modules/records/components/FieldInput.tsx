import {
  Checkbox,
  Fieldset,
  Group,
  Input,
  MultiSelect,
  Select,
  SimpleGrid,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import type { FieldMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { PersonSelect } from '../../people/components/PersonSelect';
import { ADDRESS_PARTS, type Draft } from '../utils/form-values';
import { RecordPicker } from './RecordPicker';

interface Props {
  field: FieldMeta;
  value: Draft;
  onChange: (value: Draft) => void;
  error?: string;
  /** Label of the related record for relation fields (from the record's includes). */
  relatedLabel?: string;
}

const ADDRESS_LABELS: Record<(typeof ADDRESS_PARTS)[number], string> = {
  street: 'Street',
  city: 'City',
  region: 'Region',
  postalCode: 'Postal code',
  country: 'Country (ISO code, e.g. FR)',
};

/** The input for one field, chosen by its type from the metadata. */
export function FieldInput({ field, value, onChange, error, relatedLabel }: Props) {
  const objects = useObjects();
  const common = {
    label: field.label,
    description: field.description ?? undefined,
    required: field.required,
    error,
  };
  const text = typeof value === 'string' ? value : '';
  const list = Array.isArray(value) ? value : [];
  const setText = (e: { currentTarget: { value: string } }) => onChange(e.currentTarget.value);

  switch (field.type) {
    case 'longText':
      return <Textarea {...common} autosize minRows={3} maxRows={12} value={text} onChange={setText} />;
    case 'json':
      return <Textarea {...common} autosize minRows={3} ff="monospace" value={text} onChange={setText} />;
    case 'boolean':
      return (
        <Checkbox
          label={field.label}
          description={common.description}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          mt="xs"
          size="md"
        />
      );
    case 'select':
      return (
        <Select
          {...common}
          data={field.options ?? []}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => onChange(v)}
          searchable
          clearable={!field.required}
        />
      );
    case 'multiSelect':
      return (
        <MultiSelect {...common} data={field.options ?? []} value={list} onChange={(v) => onChange(v)} searchable />
      );
    case 'tags':
      return <TagsInput {...common} value={list} onChange={(v) => onChange(v)} placeholder="Type and press Enter" />;
    case 'emails':
    case 'phones':
      return (
        <TagsInput
          {...common}
          value={list}
          onChange={(v) => onChange(v)}
          placeholder={field.type === 'emails' ? 'name@example.com, Enter' : '+33 1 23 45 67 89, Enter'}
        />
      );
    case 'relation': {
      const target = objects.find((o) => o.name === field.relation?.object);
      if (!target || field.relation?.cardinality === 'many') {
        return (
          <TagsInput
            {...common}
            value={list}
            onChange={(v) => onChange(v)}
            placeholder="Record ids"
            description="Paste record ids"
          />
        );
      }
      return (
        <RecordPicker
          {...common}
          target={target}
          value={typeof value === 'string' ? value : null}
          valueLabel={relatedLabel}
          onChange={(id) => onChange(id)}
        />
      );
    }
    case 'user':
      return (
        <PersonSelect
          {...common}
          field={field}
          value={typeof value === 'string' ? value : null}
          onChange={(id) => onChange(id)}
        />
      );
    case 'money': {
      const m = (value ?? {}) as Record<string, string>;
      return (
        <Input.Wrapper label={field.label} required={field.required} error={error} description={common.description}>
          <Group gap="xs" wrap="nowrap" align="flex-start" mt={4}>
            <TextInput
              aria-label={`${field.label} amount`}
              placeholder="Amount, e.g. 1250.00"
              inputMode="decimal"
              value={m.amount ?? ''}
              onChange={(e) => onChange({ ...m, amount: e.currentTarget.value })}
              error={!!error}
              style={{ flex: 1 }}
            />
            <TextInput
              aria-label={`${field.label} currency`}
              placeholder="EUR"
              maxLength={3}
              w={84}
              value={m.currency ?? ''}
              onChange={(e) => onChange({ ...m, currency: e.currentTarget.value.toUpperCase() })}
            />
          </Group>
        </Input.Wrapper>
      );
    }
    case 'address': {
      const a = (value ?? {}) as Record<string, string>;
      return (
        <Fieldset legend={field.label} p="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            {ADDRESS_PARTS.map((p) => (
              <TextInput
                key={p}
                label={ADDRESS_LABELS[p]}
                value={a[p] ?? ''}
                maxLength={p === 'country' ? 2 : undefined}
                onChange={(e) => onChange({ ...a, [p]: e.currentTarget.value })}
              />
            ))}
          </SimpleGrid>
          {error && (
            <Text c="red" size="xs" mt={4} role="alert">
              {error}
            </Text>
          )}
        </Fieldset>
      );
    }
    case 'integer':
    case 'decimal':
    case 'percent':
      return <TextInput {...common} inputMode="decimal" value={text} onChange={setText} />;
    case 'date':
      return <TextInput {...common} type="date" value={text} onChange={setText} />;
    case 'datetime':
      return <TextInput {...common} type="datetime-local" value={text} onChange={setText} />;
    case 'email':
      return <TextInput {...common} type="email" autoComplete="off" value={text} onChange={setText} />;
    case 'phone':
      return <TextInput {...common} type="tel" placeholder="+33 1 23 45 67 89" value={text} onChange={setText} />;
    case 'url':
      return <TextInput {...common} type="url" placeholder="https://" value={text} onChange={setText} />;
    default:
      return <TextInput {...common} maxLength={field.maxLength ?? undefined} value={text} onChange={setText} />;
  }
}
