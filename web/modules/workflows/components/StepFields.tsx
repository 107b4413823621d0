import {
  Checkbox,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  TagsInput,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { emailCampaignsQuery } from '../../campaigns/api/campaigns.api';
import { templatesQuery } from '../../mail/api/mail.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { membersQuery, teamsQuery } from '../../people/api/people.api';
import { sequencesQuery } from '../../sequences/api/sequences.api';
import type { Step } from '../api/workflows.api';
import { ValuesEditor } from './ValuesEditor';

interface Props {
  step: Step;
  object?: string;
  onChange: (s: Step) => void;
  /** In a sequence: its own campaign is the default of campaign emails, and it can be left for another. */
  inSequence?: boolean;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The settings of one (non-branch) step, by type. */
export function StepFields({ step, object, onChange, inSequence }: Props) {
  const objects = useObjects();
  const members = useQuery(membersQuery).data ?? [];
  const teams = useQuery(teamsQuery).data ?? [];
  const set = (patch: Record<string, unknown>) => onChange({ ...step, ...patch });
  const people = [
    { value: 'record_owner', label: 'The record’s owner' },
    { value: 'run_as', label: 'The workflow’s owner' },
    ...members.map((m) => ({ value: m.id, label: m.name })),
  ];
  switch (step.type) {
    case 'update_fields':
      return (
        <ValuesEditor
          meta={objects.find((o) => o.name === object)}
          value={(step.values as Record<string, unknown>) ?? {}}
          onChange={(values) => set({ values })}
        />
      );
    case 'create_record':
      return (
        <Stack gap="xs">
          <Select
            label="Object"
            data={objects.map((o) => ({ value: o.name, label: o.labelPlural }))}
            value={str(step.object)}
            allowDeselect={false}
            onChange={(v) => v && set({ object: v, values: {} })}
          />
          <ValuesEditor
            meta={objects.find((o) => o.name === step.object)}
            value={(step.values as Record<string, unknown>) ?? {}}
            onChange={(values) => set({ values })}
          />
        </Stack>
      );
    case 'add_tag':
    case 'remove_tag':
      return (
        <TagsInput
          label="Tags"
          placeholder="Type a tag, press Enter"
          value={(step.tags as string[]) ?? []}
          onChange={(tags) => set({ tags })}
        />
      );
    case 'notify':
      return (
        <Stack gap="xs">
          <MultiSelect
            label="Who"
            data={people}
            value={(step.users as string[]) ?? []}
            onChange={(users) => set({ users })}
            searchable
          />
          <TextInput label="Title" value={str(step.title)} onChange={(e) => set({ title: e.currentTarget.value })} />
          <Textarea
            label="Message (optional)"
            value={str(step.body)}
            onChange={(e) => set({ body: e.currentTarget.value || undefined })}
          />
        </Stack>
      );
    case 'send_email':
      return (
        <Stack gap="xs">
          <TextInput
            label="To"
            description="record = the record’s email; record_owner = its owner; or an address"
            value={str(step.to)}
            onChange={(e) => set({ to: e.currentTarget.value })}
          />
          <TextInput
            label="Subject"
            value={str(step.subject)}
            onChange={(e) => set({ subject: e.currentTarget.value })}
          />
          <Textarea
            label="Body"
            autosize
            minRows={3}
            value={str(step.body)}
            onChange={(e) => set({ body: e.currentTarget.value })}
          />
        </Stack>
      );
    case 'campaign_email':
      return <CampaignEmailFields step={step} set={set} inSequence={inSequence} />;
    case 'enroll_in_sequence':
      return <EnrolFields step={step} set={set} object={object} inSequence={inSequence} />;
    case 'webhook':
      return (
        <Group grow>
          <TextInput label="URL" value={str(step.url)} onChange={(e) => set({ url: e.currentTarget.value })} />
          <Select
            label="Method"
            data={['POST', 'PUT', 'PATCH']}
            value={str(step.method) || 'POST'}
            allowDeselect={false}
            onChange={(v) => v && set({ method: v })}
          />
        </Group>
      );
    case 'wait':
      return (
        <Group grow>
          <NumberInput
            label="Wait for"
            min={1}
            value={(step.amount as number) ?? 1}
            onChange={(v) => set({ amount: typeof v === 'number' ? v : 1 })}
          />
          <Select
            label="Unit"
            data={['seconds', 'minutes', 'hours', 'days']}
            value={str(step.unit) || 'days'}
            allowDeselect={false}
            onChange={(v) => v && set({ unit: v })}
          />
        </Group>
      );
    case 'create_task':
      return (
        <Group grow align="flex-start">
          <TextInput label="Title" value={str(step.title)} onChange={(e) => set({ title: e.currentTarget.value })} />
          <NumberInput
            label="Due in days"
            min={0}
            value={(step.dueInDays as number) ?? 0}
            onChange={(v) => set({ dueInDays: typeof v === 'number' ? v : undefined })}
          />
          <Select label="For" data={people} value={str(step.assignTo)} onChange={(v) => v && set({ assignTo: v })} />
        </Group>
      );
    case 'assign_owner':
      return (
        <Group grow align="flex-start">
          <Select
            label="How"
            data={[
              { value: 'user', label: 'To a person' },
              { value: 'round_robin', label: 'Round robin within a team' },
              { value: 'territory', label: "Round robin within the territory's team" },
            ]}
            value={str(step.mode)}
            allowDeselect={false}
            onChange={(v) => v && set({ mode: v })}
          />
          {step.mode === 'round_robin' ? (
            <Select
              label="Team"
              data={teams.map((t) => ({ value: t.id, label: t.name }))}
              value={str(step.teamId) || null}
              onChange={(v) => set({ teamId: v ?? undefined })}
            />
          ) : step.mode === 'territory' ? null : (
            <Select
              label="Person"
              data={members.map((m) => ({ value: m.id, label: m.name }))}
              value={str(step.userId) || null}
              onChange={(v) => set({ userId: v ?? undefined })}
            />
          )}
        </Group>
      );
    default:
      return null;
  }
}

type Set = (patch: Record<string, unknown>) => void;

/** A marketing email: a saved template, sent as a message of a campaign (the sequence's by default). */
function CampaignEmailFields({ step, set, inSequence }: { step: Step; set: Set; inSequence?: boolean }) {
  const templates = useQuery(templatesQuery).data ?? [];
  const campaigns = useQuery({ ...emailCampaignsQuery, enabled: true }).data ?? [];
  return (
    <Group grow align="flex-start">
      <Select
        label="Template"
        data={templates.map((t) => ({ value: t.id, label: t.name }))}
        value={str(step.templateId) || null}
        onChange={(v) => set({ templateId: v ?? undefined })}
        searchable
      />
      <Select
        label="Campaign"
        description={inSequence ? 'Empty: the sequence’s own campaign' : undefined}
        placeholder={inSequence ? 'The sequence’s campaign' : 'Choose a campaign'}
        data={campaigns.map((c) => ({ value: c.id, label: c.name }))}
        value={str(step.campaignId) || null}
        onChange={(v) => set({ campaignId: v ?? undefined })}
        clearable={inSequence}
        searchable
      />
    </Group>
  );
}

/** Enrol the record in a sequence (of the same object); in a sequence, optionally leaving this one. */
function EnrolFields({
  step,
  set,
  object,
  inSequence,
}: {
  step: Step;
  set: Set;
  object?: string;
  inSequence?: boolean;
}) {
  const sequences = (useQuery(sequencesQuery).data ?? []).filter((s) => !object || s.object === object);
  return (
    <Stack gap="xs">
      <Select
        label="Sequence"
        data={sequences.map((s) => ({ value: s.id, label: s.name }))}
        value={str(step.sequenceId) || null}
        onChange={(v) => set({ sequenceId: v ?? undefined })}
        searchable
      />
      {inSequence && (
        <Checkbox
          label="Leave this sequence (move to the other one)"
          checked={step.leaveCurrent === true}
          onChange={(e) => set({ leaveCurrent: e.currentTarget.checked })}
        />
      )}
    </Stack>
  );
}
