import {
  Alert,
  Badge,
  Button,
  Checkbox,
  CloseButton,
  Group,
  Modal,
  NumberInput,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { ButtonLink } from '../../../ui/links';
import { myPermissionsQuery } from '../../admin/api/admin.api';
import { templatesQuery } from '../../mail/api/mail.api';
import { getRecord, listRecords } from '../../records/api/records.api';
import {
  addCampaignMembers,
  type CampaignResults,
  campaignKeys,
  campaignResults,
  campaignSends,
  campaignSyncs,
  listCampaignMembers,
  pauseSend,
  resumeSend,
  SKIP_LABELS,
  sendPreview,
  startSend,
  stopCampaignSync,
} from '../api/campaigns.api';
import { CostEntries } from './CostEntries';
import { LawfulBasisNote } from './LawfulBasisNote';

const money = (v: unknown) => {
  const m = v as { amount?: string; currency?: string } | null;
  return m?.amount ? `${m.amount} ${m.currency ?? ''}`.trim() : '—';
};

/** A campaign: its facts, results (with charts), members, cost entries and the send dialog. */
export function CampaignPage({ id }: { id: string }) {
  const client = useQueryClient();
  const record = useQuery({ queryKey: campaignKeys.all(id), queryFn: () => getRecord('campaigns', id) });
  const perms = useQuery(myPermissionsQuery);
  if (record.error) return <Alert color="red">{record.error.message}</Alert>;
  const c = record.data?.data;
  if (!c) return null;
  return (
    <Stack p="md" gap="md" maw={1200}>
      <Group justify="space-between">
        <Title order={2}>{String(c.name)}</Title>
        <Group>
          <ButtonLink to="/$object/$id/edit" params={{ object: 'campaigns', id }} variant="default">
            Edit
          </ButtonLink>
          {(c.type === 'email' || c.type === 'geo_targeted') && <SendButton campaignId={id} />}
        </Group>
      </Group>
      <Group gap="xs">
        <Badge variant="light">{String(c.type ?? '')}</Badge>
        <Badge variant="outline">{String(c.status ?? '')}</Badge>
        <Text size="sm" c="dimmed">
          {c.startDate ? `${c.startDate} – ${c.endDate ?? ''}` : 'No dates'} · Budget {money(c.budget)} · Cost{' '}
          {money(c.actualCost)}
        </Text>
      </Group>
      {(c.type === 'email' || c.type === 'geo_targeted') && <LawfulBasisNote admin={!!perms.data?.admin} />}
      <Tabs defaultValue="results" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="results">Results</Tabs.Tab>
          <Tabs.Tab value="members">Members</Tabs.Tab>
          <Tabs.Tab value="costs">Costs</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="results" pt="md">
          <Results campaignId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="members" pt="md">
          <Members campaignId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="costs" pt="md">
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              What was spent on this campaign, by date. With entries, the campaign’s cost (ROI, cost per lead, CAC) is
              their sum; without any, its actual cost.
            </Text>
            <CostEntries
              campaignId={id}
              onChanged={() => void client.invalidateQueries({ queryKey: campaignKeys.results(id) })}
            />
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Stat({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

function Funnel({ r }: { r: CampaignResults }) {
  const steps: [string, number][] = [
    ['Sent', r.sent],
    ['Delivered', r.delivered],
    ['Opened', r.opened],
    ['Clicked', r.clicked],
    ['Unsubscribed', r.unsubscribed],
    ['Bounced', r.bounced],
  ];
  const top = Math.max(1, r.members);
  return (
    <Stack gap={6} aria-label="Funnel">
      {steps.map(([label, n]) => (
        <Group key={label} gap="sm" wrap="nowrap">
          <Text size="sm" w={110}>
            {label}
          </Text>
          <Progress value={(n / top) * 100} style={{ flex: 1 }} aria-label={`${label}: ${n}`} />
          <Text size="sm" w={50} ta="right">
            {n}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

function Results({ campaignId }: { campaignId: string }) {
  const results = useQuery({
    queryKey: campaignKeys.results(campaignId),
    queryFn: ({ signal }) => campaignResults(campaignId, signal),
    refetchInterval: 5000,
  });
  const r = results.data;
  if (results.error) return <Alert color="red">{results.error.message}</Alert>;
  if (!r) return null;
  const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 1000) / 10} %`);
  const cur = r.currency ? ` ${r.currency}` : '';
  return (
    <Stack gap="md" data-testid="campaign-results">
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Members" value={r.members} testId="result-members" />
        <Stat label="Sent" value={r.sent} testId="result-sent" />
        <Stat label="Opened (people)" value={`${r.opened} · ${pct(r.openRate)}`} />
        <Stat label="Clicked (people)" value={`${r.clicked} · ${pct(r.clickRate)}`} />
        <Stat label="Skipped" value={r.skipped} testId="result-skipped" />
        <Stat label="Leads" value={r.leads} />
        <Stat label="Won revenue" value={`${r.wonRevenue}${cur}`} />
        <Stat label="ROI" value={r.roi === null ? '—' : pct(r.roi)} />
        <Stat label="Cost per lead" value={r.costPerLead ? `${r.costPerLead}${cur}` : '—'} />
        <Stat label="Customer acquisition cost" value={r.cac ? `${r.cac}${cur}` : '—'} />
        <Stat label="Machine opens (not counted)" value={r.machineOpens} />
        <Stat label="Opportunities" value={r.opportunities} />
      </SimpleGrid>
      <Paper withBorder p="md" radius="md">
        <Funnel r={r} />
      </Paper>
      {Object.keys(r.skippedByReason).length > 0 && (
        <Paper withBorder p="md" radius="md">
          <Text fw={600} mb="xs">
            Skipped, and why
          </Text>
          {Object.entries(r.skippedByReason).map(([reason, n]) => (
            <Text size="sm" key={reason}>
              {SKIP_LABELS[reason] ?? reason}: {n}
            </Text>
          ))}
        </Paper>
      )}
    </Stack>
  );
}

function Members({ campaignId }: { campaignId: string }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const members = useQuery({
    queryKey: campaignKeys.members(campaignId, status ?? undefined),
    queryFn: ({ signal }) => listCampaignMembers(campaignId, status ?? undefined, signal),
  });
  const segments = useQuery({
    queryKey: ['records', 'segments', 'picker'],
    queryFn: ({ signal }) => listRecords('segments', { fields: ['name', 'object'], limit: 200, sort: 'name' }, signal),
  });
  const [segmentId, setSegmentId] = useState<string | null>(null);
  const [sync, setSync] = useState(false);
  const add = useMutation({
    mutationFn: () => addCampaignMembers(campaignId, { segmentId: segmentId as string, ...(sync ? { sync } : {}) }),
    onSuccess: () => client.invalidateQueries({ queryKey: campaignKeys.all(campaignId) }),
  });
  const syncs = useQuery({
    queryKey: campaignKeys.syncs(campaignId),
    queryFn: ({ signal }) => campaignSyncs(campaignId, signal),
  });
  const stop = useMutation({
    mutationFn: (id: string) => stopCampaignSync(campaignId, id),
    onSuccess: () => client.invalidateQueries({ queryKey: campaignKeys.all(campaignId) }),
  });
  const counts = members.data?.counts ?? {};
  return (
    <Stack gap="sm">
      <Group align="end">
        <Select
          label="Add the members of a segment"
          placeholder="Choose a segment"
          data={(segments.data?.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.object})` }))}
          value={segmentId}
          onChange={setSegmentId}
          searchable
          style={{ flex: 1 }}
        />
        <Checkbox
          label="Keep in sync (people who enter later join)"
          checked={sync}
          onChange={(e) => setSync(e.currentTarget.checked)}
          mb={8}
        />
        <Button onClick={() => add.mutate()} disabled={!segmentId} loading={add.isPending}>
          Add members
        </Button>
      </Group>
      {(syncs.data ?? []).length > 0 && (
        <Group gap="xs" aria-label="Segments kept in sync">
          <Text size="sm">Kept in sync with:</Text>
          {(syncs.data ?? []).map((s) => (
            <Badge
              key={s.segmentId}
              variant="light"
              rightSection={
                <CloseButton
                  size="xs"
                  aria-label={`Stop keeping in sync with ${s.segmentName}`}
                  onClick={() => stop.mutate(s.segmentId)}
                />
              }
            >
              {s.segmentName || 'A segment you cannot see'}
            </Badge>
          ))}
        </Group>
      )}
      {add.data && (
        <Text size="sm" role="status">
          Added {add.data.added}; {add.data.alreadyMembers} were members already.
        </Text>
      )}
      {add.error && <Alert color="red">{add.error.message}</Alert>}
      <Group gap="xs">
        <Button size="xs" variant={status === null ? 'filled' : 'default'} onClick={() => setStatus(null)}>
          All
        </Button>
        {Object.entries(counts)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => (
            <Button key={s} size="xs" variant={status === s ? 'filled' : 'default'} onClick={() => setStatus(s)}>
              {s} ({n})
            </Button>
          ))}
      </Group>
      <Table striped data-testid="campaign-members">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Since</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(members.data?.data ?? []).map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>
                <Link to="/$object/$id" params={{ object: m.object, id: m.recordId }}>
                  {m.name || '(no name)'}
                </Link>
              </Table.Td>
              <Table.Td>{m.email ?? '—'}</Table.Td>
              <Table.Td>
                {m.status}
                {m.skipReason ? ` — ${SKIP_LABELS[m.skipReason] ?? m.skipReason}` : ''}
              </Table.Td>
              <Table.Td>{new Date(m.statusChangedAt).toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** The send dialog: template, when, throttle; who will be skipped and why, before anything goes. */
function SendButton({ campaignId }: { campaignId: string }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const sends = useQuery({
    queryKey: campaignKeys.sends(campaignId),
    queryFn: ({ signal }) => campaignSends(campaignId, signal),
    refetchInterval: 5000,
  });
  const running = sends.data?.find((s) => ['scheduled', 'sending', 'paused'].includes(s.state));
  const refresh = () => client.invalidateQueries({ queryKey: campaignKeys.all(campaignId) });
  const pause = useMutation({ mutationFn: () => pauseSend(campaignId), onSuccess: refresh });
  const resume = useMutation({ mutationFn: () => resumeSend(campaignId), onSuccess: refresh });
  if (running) {
    return (
      <Group gap="xs">
        <Text size="sm" data-testid="send-state">
          {running.state}: {running.queued} queued, {running.skipped} skipped
        </Text>
        {running.state === 'paused' ? (
          <Button onClick={() => resume.mutate()} loading={resume.isPending}>
            Resume
          </Button>
        ) : (
          <Button variant="default" onClick={() => pause.mutate()} loading={pause.isPending}>
            Pause
          </Button>
        )}
      </Group>
    );
  }
  return (
    <>
      <Button onClick={() => setOpen(true)}>Send…</Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title="Send the campaign"
        size="lg"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {open && <SendDialog campaignId={campaignId} onDone={() => setOpen(false)} />}
      </Modal>
    </>
  );
}

function SendDialog({ campaignId, onDone }: { campaignId: string; onDone: () => void }) {
  const client = useQueryClient();
  const templates = useQuery(templatesQuery);
  const preview = useQuery({
    queryKey: campaignKeys.preview(campaignId),
    queryFn: ({ signal }) => sendPreview(campaignId, signal),
  });
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [scheduledAt, setScheduledAt] = useState('');
  const [perMinute, setPerMinute] = useState<number>(600);
  const send = useMutation({
    mutationFn: () =>
      startSend(campaignId, {
        templateId: templateId as string,
        perMinute,
        ...(scheduledAt ? { scheduledAt: new Date(scheduledAt).toISOString() } : {}),
      }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: campaignKeys.all(campaignId) });
      onDone();
    },
  });
  const p = preview.data;
  return (
    <Stack gap="sm">
      <Select
        label="Template"
        placeholder="Choose a template"
        data={(templates.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={templateId}
        onChange={setTemplateId}
        required
      />
      <Group grow>
        <TextInput
          label="Send at (empty: now)"
          type="datetime-local"
          value={scheduledAt}
          onChange={(e) => setScheduledAt(e.currentTarget.value)}
        />
        <NumberInput
          label="Mails per minute"
          min={1}
          max={100000}
          value={perMinute}
          onChange={(v) => setPerMinute(Number(v) || 600)}
        />
      </Group>
      {p && (
        <Paper withBorder p="sm" radius="md" data-testid="send-preview">
          <Text size="sm">
            <b>{p.willSend}</b> of {p.members} members will be mailed; <b>{p.skipped}</b> will be skipped.
          </Text>
          {Object.entries(p.skippedByReason).map(([reason, n]) => (
            <Text size="sm" key={reason}>
              {SKIP_LABELS[reason] ?? reason}: {n}
            </Text>
          ))}
        </Paper>
      )}
      {send.error && <Alert color="red">{send.error.message}</Alert>}
      <Group justify="end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={() => send.mutate()} disabled={!templateId} loading={send.isPending}>
          {scheduledAt ? 'Schedule' : 'Send now'}
        </Button>
      </Group>
    </Stack>
  );
}
