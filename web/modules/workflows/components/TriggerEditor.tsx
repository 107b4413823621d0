import { Autocomplete, Group, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { useObjects } from '../../objects/hooks/useObjects';
import type { Trigger, TriggerType } from '../api/workflows.api';
import { hasField, needsObject, TRIGGER_EVENTS, TRIGGER_LABELS } from '../utils/definition';

interface Props {
  value: Trigger;
  onChange: (t: Trigger) => void;
  /** What to show for a webhook trigger (the address, or how to get one); absent for a new workflow. */
  hookAddress?: ReactNode;
}

const valueText = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const textValue = (s: string) => (s === '' ? undefined : s);

/** What starts the workflow: type, object, field (and from/to, offset), cron. */
export function TriggerEditor({ value, onChange, hookAddress }: Props) {
  const objects = useObjects();
  const meta = objects.find((o) => o.name === value.object);
  const fields = (meta?.fields ?? []).filter((f) =>
    value.type === 'date_reached' ? f.type === 'date' || f.type === 'datetime' : !f.readOnly || f.name === 'tags',
  );
  const set = (patch: Partial<Trigger>) => onChange({ ...value, ...patch });
  const setType = (type: TriggerType) => {
    const next: Trigger = { type };
    if (needsObject(type) || type === 'schedule') next.object = value.object ?? objects[0]?.name;
    if (type === 'schedule') next.cron = '0 8 * * 1';
    if (type === 'schedule' || type === 'webhook') delete next.object;
    if (type === 'stage_moved') next.field = 'stage';
    if (type === 'date_reached') next.offsetDays = -3;
    if (type === 'event') next.event = TRIGGER_EVENTS[0];
    onChange(next);
  };
  return (
    <Stack gap="sm" data-testid="trigger-editor">
      <Group grow align="flex-start" wrap="wrap">
        <Select
          label="When"
          data={Object.entries(TRIGGER_LABELS).map(([v, label]) => ({ value: v, label }))}
          value={value.type}
          allowDeselect={false}
          onChange={(v) => v && setType(v as TriggerType)}
        />
        {needsObject(value.type) && (
          <Select
            label="Object"
            data={objects.map((o) => ({ value: o.name, label: o.labelPlural }))}
            value={value.object ?? null}
            allowDeselect={false}
            onChange={(v) => v && onChange({ ...value, object: v, field: undefined })}
          />
        )}
        {value.type === 'event' && (
          <Autocomplete
            label="Event"
            data={TRIGGER_EVENTS}
            value={value.event ?? ''}
            onChange={(v) => set({ event: v || undefined })}
          />
        )}
        {hasField(value.type) && (
          <Select
            label="Field"
            searchable
            data={fields.map((f) => ({ value: f.name, label: f.label }))}
            value={value.field ?? null}
            onChange={(v) => set({ field: v ?? undefined })}
          />
        )}
      </Group>
      {(value.type === 'field_changed' || value.type === 'stage_moved') && (
        <Group grow>
          <TextInput
            label="From (empty = any)"
            value={valueText(value.from)}
            onChange={(e) => set({ from: textValue(e.currentTarget.value) })}
          />
          <TextInput
            label="To (empty = any)"
            value={valueText(value.to)}
            onChange={(e) => set({ to: textValue(e.currentTarget.value) })}
          />
        </Group>
      )}
      {value.type === 'date_reached' && (
        <Group grow>
          <NumberInput
            label="Days relative to the date (−3 = three days before)"
            value={value.offsetDays ?? 0}
            onChange={(v) => set({ offsetDays: typeof v === 'number' ? v : 0 })}
          />
          <TextInput
            label="At (UTC, for dates)"
            placeholder="09:00"
            value={value.atTime ?? ''}
            onChange={(e) => set({ atTime: e.currentTarget.value || undefined })}
          />
        </Group>
      )}
      {value.type === 'schedule' && (
        <Group grow>
          <TextInput
            label="Cron (UTC)"
            description="minute hour day month weekday, e.g. 0 8 * * 1 = Mondays 08:00"
            value={value.cron ?? ''}
            onChange={(e) => set({ cron: e.currentTarget.value })}
          />
          <Select
            label="For each record of (optional)"
            clearable
            data={objects.map((o) => ({ value: o.name, label: o.labelPlural }))}
            value={value.object ?? null}
            onChange={(v) => set({ object: v ?? undefined })}
          />
        </Group>
      )}
      {value.type === 'webhook' &&
        (hookAddress ?? (
          <Text size="sm" c="dimmed">
            Save the workflow to get its webhook address.
          </Text>
        ))}
    </Stack>
  );
}
