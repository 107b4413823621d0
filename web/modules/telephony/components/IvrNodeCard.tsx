import {
  ActionIcon,
  Badge,
  Card,
  Checkbox,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Icon } from '../../../ui/Icon';
import { listCalendars, serviceDeskKeys } from '../../tickets/api/service-desk.api';
import type { IvrNode, IvrPrompt } from '../api/telephony.api';
import { NODE_KINDS, TARGETS } from '../utils/ivr-draft';
import { AnswerNodeFields } from './AnswerNodeFields';
import { MenuOptions } from './MenuOptions';
import { PromptFields } from './PromptFields';

interface Props {
  node: IvrNode;
  /** Every node id of the flow (branch targets). */
  ids: string[];
  isStart: boolean;
  /** What the server said is wrong with this node when it was last saved. */
  problems?: string[];
  onChange: (node: IvrNode) => void;
  onRename: (id: string) => void;
  onRemove: () => void;
}

const num = (v: string | number, fallback: number) => (typeof v === 'number' ? v : fallback);

/** One step of an IVR flow: its id, what the caller hears, and where each answer leads. */
export function IvrNodeCard({ node, ids, isStart, problems, onChange, onRename, onRemove }: Props) {
  const set = (patch: Record<string, unknown>) => onChange({ ...node, ...patch } as IvrNode);
  const prompt = (p: IvrPrompt | undefined) => set({ prompt: p });
  const rec = node as Record<string, unknown>;
  const calendars = useQuery({
    queryKey: serviceDeskKeys.calendars,
    queryFn: ({ signal }) => listCalendars(signal),
    enabled: node.kind === 'hours',
  });
  return (
    <Card withBorder padding="sm" role="listitem" aria-label={`Node ${node.id}`}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs">
          <Text fw={600} size="sm">
            {NODE_KINDS[node.kind]}
          </Text>
          {isStart && <Badge size="sm">start</Badge>}
        </Group>
        <ActionIcon variant="subtle" color="gray" size="lg" aria-label={`Remove node ${node.id}`} onClick={onRemove}>
          <Icon name="trash" />
        </ActionIcon>
      </Group>
      <Stack gap="xs">
        <TextInput
          label="Node id"
          description="Lower-case letters, digits, - and _; the call log names it"
          value={node.id}
          onChange={(e) => onRename(e.currentTarget.value)}
          w={260}
        />
        {node.kind === 'greeting' && <PromptFields label="Greeting" value={node.prompt} onChange={prompt} />}
        {node.kind === 'menu' && (
          <>
            <PromptFields label="Menu prompt" value={node.prompt} onChange={prompt} />
            <MenuOptions options={node.options} targets={ids} onChange={(options) => set({ options })} />
            <Group gap="sm" align="end" wrap="wrap">
              <NumberInput
                label="Retries"
                min={0}
                max={5}
                value={node.retries ?? 2}
                onChange={(v) => set({ retries: num(v, 2) })}
                w={100}
              />
              <NumberInput
                label="Wait for a key (seconds)"
                min={1}
                max={30}
                value={node.timeoutSeconds ?? 5}
                onChange={(v) => set({ timeoutSeconds: num(v, 5) })}
                w={180}
              />
              <Checkbox
                label="Also accept speech"
                checked={node.speech ?? false}
                onChange={(e) => set({ speech: e.currentTarget.checked })}
              />
            </Group>
          </>
        )}
        {node.kind === 'lookup' && (
          <>
            <Group gap="sm" align="end" wrap="wrap">
              <TextInput
                label="Said to a known caller"
                description="{{name}} is their first name"
                value={node.greeting ?? ''}
                onChange={(e) => set({ greeting: e.currentTarget.value })}
                style={{ flex: 1, minWidth: 240 }}
              />
              <TextInput
                label="Language"
                value={node.language ?? ''}
                onChange={(e) => set({ language: e.currentTarget.value || undefined })}
                w={110}
              />
            </Group>
            <TextInput
              label="VIP tag"
              description="Optional: callers whose account carries this tag go straight to the account owner when they are available"
              placeholder="vip"
              value={node.vipTag ?? ''}
              onChange={(e) => set({ vipTag: e.currentTarget.value || undefined })}
              w={260}
            />
          </>
        )}
        {node.kind === 'hours' && (
          <Select
            label="Business calendar"
            description="Opening hours and holidays (Service settings); none: always open"
            placeholder="None: always open"
            data={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            value={node.calendarId ?? null}
            clearable
            onChange={(v) => set({ calendarId: v ?? undefined })}
            w={320}
          />
        )}
        {node.kind === 'answer' && <AnswerNodeFields node={node} onChange={set} />}
        {node.kind === 'queue' && (
          <>
            <TextInput
              label="Queue"
              description="Agents with this skill (or none) take its calls"
              value={node.queue}
              onChange={(e) => set({ queue: e.currentTarget.value })}
              w={260}
            />
            <PromptFields label="Before queueing" optional value={node.prompt} onChange={prompt} />
            <Textarea
              label="Call script"
              description="Shown to the agent the call reaches"
              value={node.script ?? ''}
              onChange={(e) => set({ script: e.currentTarget.value || undefined })}
              autosize
              minRows={2}
            />
            <Group gap="sm" align="end" wrap="wrap">
              <NumberInput
                label="Longest wait (seconds)"
                description="Then the overflow"
                min={10}
                max={3600}
                value={node.maxWaitSeconds ?? ''}
                onChange={(v) => set({ maxWaitSeconds: typeof v === 'number' ? v : undefined })}
                w={190}
              />
              <NumberInput
                label="Most callers waiting"
                description="More go to the overflow"
                min={1}
                max={1000}
                value={node.maxSize ?? ''}
                onChange={(v) => set({ maxSize: typeof v === 'number' ? v : undefined })}
                w={190}
              />
            </Group>
          </>
        )}
        {node.kind === 'voicemail' && (
          <>
            <PromptFields label="Voicemail prompt" value={node.prompt} onChange={prompt} />
            <Group gap="sm" align="end">
              <NumberInput
                label="Longest message (seconds)"
                min={5}
                max={600}
                value={node.maxLengthSeconds ?? 120}
                onChange={(v) => set({ maxLengthSeconds: num(v, 120) })}
                w={200}
              />
              <Select
                label="Then create"
                data={[
                  { value: 'ticket', label: 'A ticket' },
                  { value: 'task', label: 'A task' },
                ]}
                value={node.creates ?? 'ticket'}
                allowDeselect={false}
                onChange={(v) => v && set({ creates: v })}
                w={160}
              />
            </Group>
          </>
        )}
        {node.kind === 'transfer' && (
          <>
            <TextInput
              label="Number"
              placeholder="+14155550100"
              value={node.number}
              onChange={(e) => set({ number: e.currentTarget.value })}
              w={260}
            />
            <PromptFields label="Before transferring" optional value={node.prompt} onChange={prompt} />
          </>
        )}
        {node.kind === 'hangup' && <PromptFields label="Goodbye" optional value={node.prompt} onChange={prompt} />}
        {TARGETS[node.kind].length > 0 && (
          <Group gap="sm" wrap="wrap">
            {TARGETS[node.kind].map((t) => (
              <Select
                key={t.key}
                label={t.label}
                data={ids}
                value={typeof rec[t.key] === 'string' ? (rec[t.key] as string) : null}
                allowDeselect={t.optional ?? false}
                clearable={t.optional ?? false}
                searchable
                onChange={(v) => (v ? set({ [t.key]: v }) : t.optional && set({ [t.key]: undefined }))}
                w={260}
              />
            ))}
          </Group>
        )}
        {problems?.map((p) => (
          <Text key={p} size="sm" c="red" role="alert">
            {p}
          </Text>
        ))}
      </Stack>
    </Card>
  );
}
