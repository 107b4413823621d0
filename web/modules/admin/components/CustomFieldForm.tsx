import { Alert, Button, Checkbox, Group, NumberInput, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import { admin, type CustomFieldProps, type NewCustomField } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { canEncrypt, FIELD_TYPE_OPTIONS, fieldNameFrom, hasBounds, hasLength, hasOptions } from '../utils/field-types';
import { type OptionDraft, OptionsEditor } from './OptionsEditor';

const num = (v: string | number) => (v === '' ? null : Number(v));

/** Adds a custom field of any type to an object, or edits one (its name and type are fixed once made). */
export function CustomFieldForm({
  object,
  objects,
  field,
  onDone,
}: {
  object: ObjectMeta;
  objects: ObjectMeta[];
  field?: FieldMeta;
  onDone: () => void;
}) {
  const [label, setLabel] = useState(field?.label ?? '');
  const [name, setName] = useState(field?.name ?? '');
  const [nameTouched, setNameTouched] = useState(!!field);
  const [type, setType] = useState(field?.type ?? 'text');
  const [description, setDescription] = useState(field?.description ?? '');
  const [required, setRequired] = useState(field?.required ?? false);
  const [sensitive, setSensitive] = useState(field?.sensitive ?? false);
  const [options, setOptions] = useState<OptionDraft[]>(
    field?.options?.map((o) => ({ ...o, saved: true })) ?? [{ value: '', label: '', saved: false }],
  );
  const [target, setTarget] = useState<string | null>(field?.relation?.object ?? null);
  const [cardinality, setCardinality] = useState<'one' | 'many'>(field?.relation?.cardinality ?? 'one');
  const [maxLength, setMaxLength] = useState<string | number>(field?.maxLength ?? '');
  const [min, setMin] = useState<string | number>(field?.min ?? '');
  const [max, setMax] = useState<string | number>(field?.max ?? '');
  const errors = useFieldErrors();
  // A field's name, type and link are set once, when it is made.
  const save = useAdminChange((body: CustomFieldProps) =>
    field
      ? admin.updateField(object.name, field.name, body)
      : admin.createField(object.name, {
          ...body,
          name,
          type: type as NewCustomField['type'],
          // Fixed once made, so only sent when the field is created.
          ...(sensitive && canEncrypt(type) ? { sensitive: true } : {}),
          ...(type === 'relation' && target ? { relation: { object: target, cardinality } } : {}),
        }),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    const body: CustomFieldProps = { label: label.trim(), description: description.trim() || null, required };
    if (hasOptions(type)) body.options = options.map(({ value, label }) => ({ value, label: label.trim() }));
    if (hasLength(type)) body.maxLength = num(maxLength);
    if (hasBounds(type)) {
      body.min = num(min);
      body.max = num(max);
    }
    save.mutate(body, { onSuccess: onDone, onError: (err) => errors.show(err) });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={field ? `Edit ${field.label}` : 'New custom field'}>
      <Stack gap="sm">
        <TextInput
          label="Label"
          required
          size="md"
          value={label}
          onChange={(e) => {
            setLabel(e.currentTarget.value);
            if (!nameTouched) setName(fieldNameFrom(e.currentTarget.value));
          }}
          error={errors.fields.label}
        />
        <Group grow align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            label="API name"
            description={field ? 'Cannot change' : 'camelCase, used by the API and in filters'}
            size="md"
            ff="monospace"
            value={name}
            disabled={!!field}
            onChange={(e) => {
              setNameTouched(true);
              setName(e.currentTarget.value);
            }}
            error={errors.fields.name}
            miw={200}
          />
          <Select
            label="Type"
            description={field ? 'Cannot change' : ' '}
            data={FIELD_TYPE_OPTIONS.map((t) => ({ value: t.value, label: t.label }))}
            value={type}
            disabled={!!field}
            onChange={(v) => v && setType(v)}
            allowDeselect={false}
            size="md"
            error={errors.fields.type}
            miw={200}
          />
        </Group>
        {hasOptions(type) && <OptionsEditor value={options} onChange={setOptions} error={errors.fields.options} />}
        {type === 'relation' && (
          <Group grow align="flex-start" gap="sm" wrap="wrap">
            <Select
              label="Links to"
              required
              data={objects.map((o) => ({ value: o.name, label: o.labelPlural }))}
              value={target}
              onChange={setTarget}
              disabled={!!field}
              size="md"
              error={errors.fields.relation}
              miw={200}
            />
            <Select
              label="How many"
              data={[
                { value: 'one', label: 'One record' },
                { value: 'many', label: 'Several records' },
              ]}
              value={cardinality}
              onChange={(v) => v && setCardinality(v as 'one' | 'many')}
              disabled={!!field}
              allowDeselect={false}
              size="md"
              miw={200}
            />
          </Group>
        )}
        {hasLength(type) && (
          <NumberInput
            label="Maximum length"
            size="md"
            min={1}
            allowDecimal={false}
            value={maxLength}
            onChange={setMaxLength}
            error={errors.fields.maxLength}
            maw={240}
          />
        )}
        {hasBounds(type) && (
          <Group grow gap="sm" wrap="wrap">
            <NumberInput label="Minimum" size="md" value={min} onChange={setMin} error={errors.fields.min} miw={140} />
            <NumberInput label="Maximum" size="md" value={max} onChange={setMax} error={errors.fields.max} miw={140} />
          </Group>
        )}
        <Textarea
          label="Description"
          size="md"
          autosize
          minRows={2}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.fields.description}
        />
        <Checkbox
          label="Required (every new or changed record must have a value)"
          checked={required}
          onChange={(e) => setRequired(e.currentTarget.checked)}
        />
        <Checkbox
          label="Sensitive (encrypted at rest)"
          description={
            field
              ? 'Cannot change'
              : canEncrypt(type)
                ? 'Personal data: encrypted, reads audited, left out of events and webhooks; filters by exact value only, no sorting or search. Cannot change later.'
                : 'Fields of this type cannot be encrypted'
          }
          checked={sensitive && (!!field || canEncrypt(type))}
          disabled={!!field || !canEncrypt(type)}
          onChange={(e) => setSensitive(e.currentTarget.checked)}
          error={errors.fields.sensitive}
        />
        {errors.general && !Object.keys(errors.fields).length && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" h={42} onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" h={42} loading={save.isPending}>
            {field ? 'Save field' : 'Add field'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
