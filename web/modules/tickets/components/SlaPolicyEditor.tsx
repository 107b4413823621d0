import { Alert, Button, Checkbox, Group, Modal, NumberInput, Select, Stack, Table, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import {
  type BusinessCalendar,
  createSlaPolicy,
  type NewSlaPolicy,
  type SlaPolicy,
  updateSlaPolicy,
} from '../api/service-desk.api';

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
type Priority = (typeof PRIORITIES)[number];
type Target = { firstResponseMinutes: number; resolutionMinutes: number; nextResponseMinutes?: number };

const DEFAULTS: Record<Priority, Target> = {
  urgent: { firstResponseMinutes: 30, resolutionMinutes: 240 },
  high: { firstResponseMinutes: 60, resolutionMinutes: 480 },
  normal: { firstResponseMinutes: 240, resolutionMinutes: 1440 },
  low: { firstResponseMinutes: 480, resolutionMinutes: 2880 },
};

interface Props {
  policy: SlaPolicy | null;
  calendars: BusinessCalendar[];
  onClose: () => void;
  onSaved: () => void;
}

/** Creates or edits an SLA policy: name, business-hours calendar, targets (minutes) per priority. */
export function SlaPolicyEditor({ policy, calendars, onClose, onSaved }: Props) {
  const [name, setName] = useState(policy?.name ?? '');
  const [calendarId, setCalendarId] = useState<string | null>(policy?.calendarId ?? null);
  const [targets, setTargets] = useState<Partial<Record<Priority, Target>>>(
    (policy?.targets as Partial<Record<Priority, Target>>) ?? { ...DEFAULTS },
  );
  const [error, setError] = useState<string | null>(null);
  const set = (p: Priority, key: keyof Target, v: number | string) =>
    setTargets((t) => ({
      ...t,
      [p]: { ...(t[p] as Target), [key]: typeof v === 'number' && v > 0 ? v : undefined },
    }));
  const save = async () => {
    setError(null);
    const body: NewSlaPolicy = { name, calendarId, targets: targets as NewSlaPolicy['targets'] };
    try {
      if (policy) await updateSlaPolicy(policy.id, body);
      else await createSlaPolicy(body);
      onSaved();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || err.message
          : 'Could not save.',
      );
    }
  };
  return (
    <Modal opened onClose={onClose} title={policy ? 'Edit SLA policy' : 'New SLA policy'} size="xl">
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <Select
          label="Business hours"
          placeholder="Around the clock"
          clearable
          data={calendars.map((c) => ({ value: c.id, label: `${c.name} (${c.timeZone})` }))}
          value={calendarId}
          onChange={setCalendarId}
        />
        <Table aria-label="Targets per priority">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Priority</Table.Th>
              <Table.Th>First response (min)</Table.Th>
              <Table.Th>Next response (min)</Table.Th>
              <Table.Th>Resolution (min)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {PRIORITIES.map((p) => {
              const t = targets[p];
              return (
                <Table.Tr key={p}>
                  <Table.Td>
                    <Checkbox
                      label={p}
                      checked={!!t}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setTargets((all) => {
                          const next = { ...all };
                          if (on) next[p] = { ...DEFAULTS[p] };
                          else delete next[p];
                          return next;
                        });
                      }}
                    />
                  </Table.Td>
                  {(['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes'] as const).map((k) => (
                    <Table.Td key={k}>
                      <NumberInput
                        aria-label={`${p} ${k}`}
                        value={t?.[k] ?? ''}
                        onChange={(v) => set(p, k, v)}
                        min={1}
                        disabled={!t}
                        w={120}
                      />
                    </Table.Td>
                  ))}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button onClick={save} disabled={!name.trim()}>
            Save policy
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
