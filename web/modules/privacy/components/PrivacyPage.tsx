import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  completePrivacyRequest,
  createPrivacyRequest,
  createRetentionPolicy,
  deleteRetentionPolicy,
  exportUrl,
  extendPrivacyRequest,
  type PrivacyRequest,
  privacyRequestsQuery,
  type RetentionRun,
  retentionPoliciesQuery,
  runRetentionPolicy,
  STATUS_LABELS,
  TYPE_LABELS,
  updatePrivacyRequest,
} from '../api/privacy.api';

const TYPES = Object.entries(TYPE_LABELS).map(([value, label]) => ({ value, label }));
const open = (r: PrivacyRequest) => r.status !== 'completed' && r.status !== 'rejected';

/** Administration → Privacy: the data-subject request queue and the retention policies. */
export function PrivacyPage() {
  return (
    <Stack gap="md">
      <Title order={2}>Privacy</Title>
      <Tabs defaultValue="requests" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="requests" mih={44}>
            Requests
          </Tabs.Tab>
          <Tabs.Tab value="retention" mih={44}>
            Retention
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="requests" pt="md">
          <RequestQueue />
        </Tabs.Panel>
        <Tabs.Panel value="retention" pt="md">
          <RetentionPolicies />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function NewRequest({ onDone }: { onDone: () => void }) {
  const [type, setType] = useState<PrivacyRequest['type']>('access');
  const [email, setEmail] = useState('');
  const [verified, setVerified] = useState(false);
  const [regime, setRegime] = useState<'gdpr' | 'ccpa'>('gdpr');
  const [mode, setMode] = useState<'delete' | 'anonymise'>('delete');
  const create = useMutation({
    mutationFn: () =>
      createPrivacyRequest({ type, email, regime, mode, ...(verified ? { verified: true as const } : {}) }),
    onSuccess: () => {
      setEmail('');
      setVerified(false);
      onDone();
    },
  });
  return (
    <Stack
      gap="xs"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <Group align="end" wrap="wrap">
        <Select
          label="Request"
          data={TYPES}
          value={type}
          onChange={(v) => v && setType(v as PrivacyRequest['type'])}
          allowDeselect={false}
        />
        <TextInput
          label="Person's email"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={create.error?.message}
          required
        />
        <Select
          label="Law"
          data={[
            { value: 'gdpr', label: 'GDPR (30 days)' },
            { value: 'ccpa', label: 'CCPA (45 days)' },
          ]}
          value={regime}
          onChange={(v) => v && setRegime(v as 'gdpr' | 'ccpa')}
          allowDeselect={false}
        />
        {type === 'erasure' && (
          <Select
            label="Erase by"
            data={[
              { value: 'delete', label: 'Deleting everything' },
              { value: 'anonymise', label: 'Anonymising (keeps statistics)' },
            ]}
            value={mode}
            onChange={(v) => v && setMode(v as 'delete' | 'anonymise')}
            allowDeselect={false}
          />
        )}
        <Button type="submit" loading={create.isPending} disabled={!email.trim()}>
          Record request
        </Button>
      </Group>
      <Checkbox
        label="I have verified the person's identity (otherwise they are emailed a link to confirm)"
        checked={verified}
        onChange={(e) => setVerified(e.currentTarget.checked)}
      />
    </Stack>
  );
}

function RequestQueue() {
  const query = useQuery(privacyRequestsQuery());
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['admin', 'privacy', 'requests'] });
  const [reason, setReason] = useState('');
  const [field, setField] = useState('');
  const [value, setValue] = useState('');
  const act = useMutation({
    mutationFn: async ({ r, action }: { r: PrivacyRequest; action: string }) => {
      if (action === 'verify') return updatePrivacyRequest(r.id, { verified: true });
      if (action === 'reject') return updatePrivacyRequest(r.id, { status: 'rejected' });
      if (action === 'extend') return extendPrivacyRequest(r.id, reason);
      if (r.type === 'rectification') return completePrivacyRequest(r.id, { changes: { [field]: value } });
      return completePrivacyRequest(r.id);
    },
    onSettled: refresh,
  });
  const now = Date.now();
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Requests from people about their data. Erasure removes the person from every table (only a salted hash stays on
        the suppression list, so they are not mailed again); access gives a ZIP of everything held about them.
      </Text>
      <NewRequest onDone={refresh} />
      <Group align="end" wrap="wrap">
        <TextInput
          label="Extension reason"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          description="Used by “Extend”"
        />
        <TextInput
          label="Field to correct"
          placeholder="lastName"
          value={field}
          onChange={(e) => setField(e.currentTarget.value)}
          description="Used by “Complete” on a rectification"
        />
        <TextInput label="Corrected value" value={value} onChange={(e) => setValue(e.currentTarget.value)} />
      </Group>
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {act.error && <Alert color="red">{act.error.message}</Alert>}
      {query.data?.data.length === 0 && <Text c="dimmed">No requests.</Text>}
      {query.data && query.data.data.length > 0 && (
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Request</Table.Th>
                <Table.Th>Person</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.data.map((r) => {
                const overdue = open(r) && Date.parse(r.dueAt) < now;
                return (
                  <Table.Tr key={r.id} data-testid="privacy-request-row">
                    <Table.Td>{TYPE_LABELS[r.type]}</Table.Td>
                    <Table.Td>{r.email ?? <Text c="dimmed">erased</Text>}</Table.Td>
                    <Table.Td>
                      <Badge color={r.status === 'completed' ? 'green' : r.status === 'rejected' ? 'gray' : 'blue'}>
                        {STATUS_LABELS[r.status]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text c={overdue ? 'red' : undefined} size="sm">
                        {new Date(r.dueAt).toLocaleDateString()}
                        {overdue ? ' (overdue)' : ''}
                        {r.extendedReason ? ` — extended: ${r.extendedReason}` : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="wrap">
                        {r.status === 'unverified' && (
                          <Button variant="default" onClick={() => act.mutate({ r, action: 'verify' })}>
                            Mark verified
                          </Button>
                        )}
                        {r.status === 'pending' && (
                          <Button onClick={() => act.mutate({ r, action: 'complete' })} loading={act.isPending}>
                            Complete
                          </Button>
                        )}
                        {open(r) && !r.extendedReason && (
                          <Button
                            variant="default"
                            disabled={!reason.trim()}
                            onClick={() => act.mutate({ r, action: 'extend' })}
                          >
                            Extend
                          </Button>
                        )}
                        {open(r) && (
                          <Button variant="subtle" color="red" onClick={() => act.mutate({ r, action: 'reject' })}>
                            Reject
                          </Button>
                        )}
                        {r.type === 'access' && r.status === 'completed' && (
                          <Anchor href={exportUrl(r.id)} download py="sm">
                            Download export
                          </Anchor>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function RetentionPolicies() {
  const query = useQuery(retentionPoliciesQuery());
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['admin', 'privacy', 'retention'] });
  const [name, setName] = useState('');
  const [object, setObject] = useState('leads');
  const [months, setMonths] = useState<number>(24);
  const [action, setAction] = useState<'delete' | 'anonymise'>('delete');
  const [report, setReport] = useState<RetentionRun | null>(null);
  const create = useMutation({
    mutationFn: () => createRetentionPolicy({ name, object, months, action }),
    onSuccess: () => setName(''),
    onSettled: refresh,
  });
  const run = useMutation({
    mutationFn: ({ id, dryRun }: { id: string; dryRun: boolean }) => runRetentionPolicy(id, dryRun),
    onSuccess: (res) => setReport(res.body.data),
    onSettled: refresh,
  });
  const remove = useMutation({ mutationFn: deleteRetentionPolicy, onSettled: refresh });
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Records not updated for the given number of months are deleted or anonymised every night. Try a policy with a
        dry run first: it only reports what it would do.
      </Text>
      <Group
        align="end"
        wrap="wrap"
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <Select
          label="Object"
          data={['leads', 'contacts', 'tickets', 'interactions', 'notes']}
          value={object}
          onChange={(v) => v && setObject(v)}
          allowDeselect={false}
        />
        <NumberInput
          label="After months without changes"
          min={1}
          max={1200}
          value={months}
          onChange={(v) => setMonths(Number(v) || 1)}
        />
        <Select
          label="Then"
          data={[
            { value: 'delete', label: 'Delete' },
            { value: 'anonymise', label: 'Anonymise' },
          ]}
          value={action}
          onChange={(v) => v && setAction(v as 'delete' | 'anonymise')}
          allowDeselect={false}
        />
        <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
          Add policy
        </Button>
      </Group>
      {create.error && <Alert color="red">{create.error.message}</Alert>}
      {run.error && <Alert color="red">{run.error.message}</Alert>}
      {report && (
        <Alert color={report.dryRun ? 'blue' : 'green'} title={report.dryRun ? 'Dry run' : 'Applied'}>
          {report.matched} record(s) of {report.object} not changed since {new Date(report.cutoff).toLocaleDateString()}
          {report.dryRun
            ? ` would be ${report.action === 'delete' ? 'deleted' : 'anonymised'}.`
            : `: ${report.processed} done.`}
        </Alert>
      )}
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {query.data?.data.length === 0 && (
        <Text c="dimmed">No retention policies: everything is kept until deleted.</Text>
      )}
      {query.data && query.data.data.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Policy</Table.Th>
                <Table.Th>Rule</Table.Th>
                <Table.Th>Last run</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.data.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>
                    {p.action === 'delete' ? 'Delete' : 'Anonymise'} {p.object} after {p.months} months
                  </Table.Td>
                  <Table.Td>{p.lastRunAt ? new Date(p.lastRunAt).toLocaleString() : 'Never'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      <Button variant="default" onClick={() => run.mutate({ id: p.id, dryRun: true })}>
                        Dry run
                      </Button>
                      <Button variant="default" onClick={() => run.mutate({ id: p.id, dryRun: false })}>
                        Run now
                      </Button>
                      <Button
                        variant="subtle"
                        color="red"
                        aria-label={`Delete the policy ${p.name}`}
                        onClick={() => remove.mutate(p.id)}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
