import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { SEQUENCE_EXIT_REASONS } from '../../../../common/contracts/sequences';
import type { ApiError } from '../../../lib/http';
import { getJson, withQuery } from '../../../lib/http';
import { AnchorLink } from '../../../ui/links';
import type { Step, StepType } from '../../workflows/api/workflows.api';
import { StepList } from '../../workflows/components/StepList';
import {
  createSequence,
  EXIT_LABELS,
  enrolmentsQuery,
  exitEnrolment,
  type Sequence,
  type SequenceInput,
  sequenceQuery,
  updateSequence,
} from '../api/sequences.api';

/** The steps a sequence offers. */
const SEQUENCE_STEPS: readonly StepType[] = [
  'campaign_email',
  'wait',
  'branch',
  'create_task',
  'notify',
  'add_tag',
  'update_fields',
  'enroll_in_sequence',
];

type Exit = (typeof SEQUENCE_EXIT_REASONS)[number];

interface Draft {
  name: string;
  description: string;
  object: 'leads' | 'contacts';
  newRecords: boolean;
  segmentId: string | null;
  exitOn: Exit[];
  steps: Step[];
  active: boolean;
}

const segmentsQuery = (object: string) => ({
  queryKey: ['segments', 'by-object', object],
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    getJson<{ data: { id: string; name: string }[] }>(
      withQuery('/api/v1/segments', {
        fields: 'id,name',
        limit: 200,
        filter: JSON.stringify({ field: 'object', op: 'eq', value: object }),
      }),
      signal,
    ).then((r) => r.data),
});

function SequenceEditor({
  initial,
  isNew,
  saving,
  error,
  onSave,
}: {
  initial: Draft;
  isNew: boolean;
  saving: boolean;
  error: Error | null;
  onSave: (d: Draft) => void;
}) {
  const [d, setD] = useState<Draft>(initial);
  const segments = useQuery(segmentsQuery(d.object)).data ?? [];
  const problems = error && 'errors' in error ? (error as ApiError).errors : [];
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  return (
    <Stack gap="md" maw={900}>
      <TextInput label="Name" required value={d.name} onChange={(e) => set({ name: e.currentTarget.value })} />
      <Textarea
        label="Description"
        value={d.description}
        onChange={(e) => set({ description: e.currentTarget.value })}
      />
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Who goes in
        </Title>
        <Stack gap="xs">
          <Select
            label="People"
            data={[
              { value: 'leads', label: 'Leads' },
              { value: 'contacts', label: 'Contacts' },
            ]}
            value={d.object}
            disabled={!isNew}
            allowDeselect={false}
            onChange={(v) => v && set({ object: v as Draft['object'], segmentId: null })}
          />
          <Checkbox
            label={`Every new ${d.object === 'leads' ? 'lead' : 'contact'}`}
            checked={d.newRecords}
            onChange={(e) => set({ newRecords: e.currentTarget.checked })}
          />
          <Select
            label="Everyone entering a segment"
            placeholder="No segment"
            clearable
            data={segments.map((s) => ({ value: s.id, label: s.name }))}
            value={d.segmentId}
            onChange={(v) => set({ segmentId: v })}
          />
          <Text size="sm" c="dimmed">
            People can also be enrolled by hand (from this page’s API) or by a workflow step. Each person goes through a
            sequence once.
          </Text>
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Who leaves early
        </Title>
        <Group>
          {SEQUENCE_EXIT_REASONS.map((r) => (
            <Checkbox
              key={r}
              label={EXIT_LABELS[r]}
              checked={d.exitOn.includes(r)}
              onChange={(e) =>
                set({ exitOn: e.currentTarget.checked ? [...d.exitOn, r] : d.exitOn.filter((x) => x !== r) })
              }
            />
          ))}
        </Group>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Steps
        </Title>
        <StepList
          steps={d.steps}
          object={d.object}
          label="Steps"
          inSequence
          types={SEQUENCE_STEPS}
          onChange={(steps) => set({ steps })}
        />
      </Card>
      {error && (
        <Alert color="red" title="Not saved">
          {error.message}
          {problems.map((p) => (
            <Text key={p.path} size="sm">
              {p.path}: {p.message}
            </Text>
          ))}
        </Alert>
      )}
      <Group>
        <Switch label="On" checked={d.active} onChange={(e) => set({ active: e.currentTarget.checked })} />
        <Button loading={saving} onClick={() => onSave(d)}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}

const toInput = (d: Draft): SequenceInput => ({
  name: d.name,
  description: d.description || null,
  object: d.object,
  enrolment: { newRecords: d.newRecords, segmentId: d.segmentId },
  exitOn: d.exitOn,
  steps: d.steps,
  active: d.active,
});

const fromSequence = (s: Sequence): Draft => ({
  name: s.name,
  description: s.description ?? '',
  object: s.object,
  newRecords: s.enrolment.newRecords,
  segmentId: s.enrolment.segmentId,
  exitOn: s.exitOn,
  steps: s.steps as Step[],
  active: s.active,
});

/** /marketing/sequences/new */
export function NewSequencePage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (d: Draft) => createSequence(toInput(d)),
    onSuccess: (s) => {
      void client.invalidateQueries({ queryKey: ['sequences'] });
      void navigate({ to: '/marketing/sequences/$id', params: { id: s.id } });
    },
  });
  return (
    <Stack p="md" gap="md">
      <AnchorLink to="/marketing/sequences" size="sm">
        ← Nurture sequences
      </AnchorLink>
      <Title order={1} size="h2">
        New sequence
      </Title>
      <SequenceEditor
        isNew
        initial={{
          name: '',
          description: '',
          object: 'leads',
          newRecords: true,
          segmentId: null,
          exitOn: [...SEQUENCE_EXIT_REASONS],
          steps: [],
          active: true,
        }}
        saving={create.isPending}
        error={create.error}
        onSave={(d) => create.mutate(d)}
      />
    </Stack>
  );
}

/** /marketing/sequences/$id: the sequence, and who is in it (where, or why they left). */
export function SequencePage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const client = useQueryClient();
  const query = useQuery(sequenceQuery(id));
  const enrolments = useQuery(enrolmentsQuery(id));
  const refresh = () => client.invalidateQueries({ queryKey: ['sequences'] });
  const save = useMutation({
    mutationFn: (d: Draft) => {
      const { object: _object, ...patch } = toInput(d);
      return updateSequence(id, patch);
    },
    onSuccess: refresh,
  });
  const exit = useMutation({ mutationFn: (enrolmentId: string) => exitEnrolment(id, enrolmentId), onSuccess: refresh });
  if (query.error) return <Alert color="red">{query.error.message}</Alert>;
  const s = query.data;
  if (!s) return null;
  return (
    <Stack p="md" gap="md">
      <AnchorLink to="/marketing/sequences" size="sm">
        ← Nurture sequences
      </AnchorLink>
      <Group>
        <Title order={1} size="h2">
          {s.name}
        </Title>
        <Badge color={s.active ? 'green' : 'gray'}>{s.active ? `on · v${s.version}` : 'off'}</Badge>
        <AnchorLink to="/$object/$id" params={{ object: 'campaigns', id: s.campaignId }} size="sm">
          Its campaign (results)
        </AnchorLink>
      </Group>
      <SequenceEditor
        key={`${s.id}:${s.version}:${s.active}`}
        isNew={false}
        initial={fromSequence(s)}
        saving={save.isPending}
        error={save.error}
        onSave={(d) => save.mutate(d)}
      />
      <Title order={2} size="h4">
        People ({s.counts.active} in it, {s.counts.completed} finished, {s.counts.exited} left early)
      </Title>
      <Table.ScrollContainer minWidth={600}>
        <Table data-testid="enrolments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Person</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Where, or why they left</Table.Th>
              <Table.Th>Since</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(enrolments.data?.data ?? []).map((e) => (
              <Table.Tr key={e.id} data-testid="enrolment-row">
                <Table.Td>
                  {e.title ? (
                    <AnchorLink to="/$object/$id" params={{ object: e.object, id: e.recordId }}>
                      {e.title}
                    </AnchorLink>
                  ) : (
                    <Text c="dimmed">(not visible to you)</Text>
                  )}
                </Table.Td>
                <Table.Td>{e.status}</Table.Td>
                <Table.Td>
                  {e.status === 'active'
                    ? e.currentStep
                      ? `${e.currentStep.stepId} (${e.currentStep.type}) until ${new Date(e.currentStep.wakeAt).toLocaleString()}`
                      : '—'
                    : (e.exitReason ?? 'finished')}
                </Table.Td>
                <Table.Td>{new Date(e.enrolledAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  {e.status === 'active' && (
                    <Button size="xs" variant="subtle" color="red" onClick={() => exit.mutate(e.id)}>
                      Take out
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
