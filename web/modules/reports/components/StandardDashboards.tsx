import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  Loader,
  MultiSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { membersQuery } from '../../people/api/people.api';
import {
  createSchedule,
  deleteSchedule,
  getForecastHistory,
  getStandardDashboard,
  listSchedules,
  reportKeys,
  sendScheduleNow,
  type TStandardDashboard,
  type TStandardKind,
} from '../api/reports.api';
import { type ChartType, ReportChart } from './ReportChart';

const KINDS: { value: TStandardKind; label: string }[] = [
  { value: 'sales', label: 'Sales' },
  { value: 'forecast', label: 'Forecast' },
  { value: 'marketing', label: 'Marketing' },
  { value: 'service', label: 'Service' },
];

type Cell = TStandardDashboard['numbers'][number]['value'];
const money = (m: { amount: string; currency: string }) => `${Number(m.amount).toLocaleString()} ${m.currency}`;

/** A headline figure as people read it ("75.0 %", "12,000 EUR", "4.5 days"). */
export function figureText(value: Cell, unit: string): string {
  if (value == null) return '—';
  if (Array.isArray(value)) return value.map(money).join(' · ');
  if (typeof value === 'object') return money(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  const n = typeof value === 'number' ? value.toLocaleString() : value;
  return unit === 'percent' ? `${n} %` : unit === 'days' ? `${n} days` : unit === 'hours' ? `${n} h` : String(n);
}

/**
 * The standard dashboards (sales, forecast, marketing, service) over a period, each read
 * with the viewer's permissions; the forecast with its weekly history; and mailing any of
 * them on a schedule.
 */
export function StandardDashboards() {
  const [kind, setKind] = useState<TStandardKind>('sales');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const dashboard = useQuery({
    queryKey: reportKeys.standard(kind, from, to),
    queryFn: ({ signal }) => getStandardDashboard(kind, { from, to }, signal),
  });
  const d = dashboard.data;
  return (
    <Stack gap="md" data-testid="standard-dashboards">
      <Group justify="space-between" align="end" wrap="wrap">
        <SegmentedControl
          aria-label="Standard dashboard"
          data={KINDS}
          value={kind}
          onChange={(v) => setKind(v as TStandardKind)}
        />
        <Group gap="xs" align="end">
          <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={160} />
          <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={160} />
        </Group>
      </Group>
      {dashboard.error && <Alert color="red">{dashboard.error.message}</Alert>}
      {!d && !dashboard.error && <Loader size="sm" />}
      {d && (
        <>
          <Text c="dimmed" fz="sm">
            {d.title}: {d.from} – {d.to}
          </Text>
          {d.hidden.length > 0 && (
            <Text c="dimmed" fz="sm" data-testid="dashboard-hidden">
              Some figures are not shown: your role may not read everything they are made from.
            </Text>
          )}
          <SimpleGrid cols={{ base: 2, sm: 4, lg: Math.max(1, Math.min(7, d.numbers.length)) }}>
            {d.numbers.map((n) => (
              <Card key={n.key} withBorder padding="sm" data-testid={`figure-${n.key}`}>
                <Text fz="xs" c="dimmed">
                  {n.label}
                </Text>
                <Text fw={700}>{figureText(n.value, n.unit)}</Text>
              </Card>
            ))}
          </SimpleGrid>
          <Group align="stretch" gap="md">
            {d.panels.map((p) => (
              <Card
                key={p.key}
                withBorder
                style={{ flex: '1 1 calc(50% - 16px)', minWidth: 280 }}
                data-testid={`panel-${p.key}`}
              >
                <Text fw={600} mb="xs">
                  {p.title}
                </Text>
                <ReportChart result={p.result} type={p.chart as ChartType} measure={p.measure} />
              </Card>
            ))}
          </Group>
          {kind === 'forecast' && <ForecastHistory />}
        </>
      )}
      <Schedules kind={kind} />
    </Stack>
  );
}

/** The weekly snapshots of this quarter's forecast: how commit and best case moved. */
function ForecastHistory() {
  const history = useQuery({ queryKey: reportKeys.history, queryFn: ({ signal }) => getForecastHistory(signal) });
  if (history.error) return <Alert color="red">{history.error.message}</Alert>;
  if (!history.data) return <Loader size="sm" />;
  const h = history.data;
  return (
    <Card withBorder data-testid="forecast-history">
      <Text fw={600} mb="xs">
        Forecast history {h.from} – {h.to} (weekly snapshots)
      </Text>
      {h.points.length === 0 ? (
        <Text c="dimmed" fz="sm">
          No snapshot yet: one is taken every Monday.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                {['Week of', 'Rep', 'Closed', 'Commit', 'Best case', 'Pipeline', 'Weighted'].map((c) => (
                  <Table.Th key={c}>{c}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {h.points.map((p) => (
                <Table.Tr key={`${p.takenOn}:${p.ownerId ?? ''}`}>
                  <Table.Td>{p.takenOn}</Table.Td>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>{money(p.closed)}</Table.Td>
                  <Table.Td>{money(p.commit)}</Table.Td>
                  <Table.Td>{money(p.bestCase)}</Table.Td>
                  <Table.Td>{money(p.pipeline)}</Table.Td>
                  <Table.Td>{money(p.weighted)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

/** Email this standard dashboard daily, weekly or monthly to members; the caller's schedules. */
function Schedules({ kind }: { kind: TStandardKind }) {
  const client = useQueryClient();
  const members = useQuery(membersQuery);
  const schedules = useQuery({ queryKey: reportKeys.schedules, queryFn: ({ signal }) => listSchedules(signal) });
  const [frequency, setFrequency] = useState<'daily' | 'weekly' | 'monthly'>('weekly');
  const [recipients, setRecipients] = useState<string[]>([]);
  const refresh = () => client.invalidateQueries({ queryKey: reportKeys.schedules });
  const create = useMutation({
    mutationFn: () =>
      createSchedule({
        name: `${KINDS.find((k) => k.value === kind)?.label} dashboard`,
        target: { kind: 'standard', id: kind },
        frequency,
        recipients,
      }),
    onSuccess: () => {
      setRecipients([]);
      void refresh();
    },
  });
  const remove = useMutation({ mutationFn: deleteSchedule, onSuccess: () => void refresh() });
  const send = useMutation({ mutationFn: sendScheduleNow });
  const names = new Map((members.data ?? []).map((m) => [m.id, m.name]));
  return (
    <Card withBorder data-testid="schedules">
      <Title order={2} fz="h5" mb="xs">
        Email this dashboard
      </Title>
      <Group align="end" gap="xs" wrap="wrap">
        <Select
          label="How often"
          data={[
            { value: 'daily', label: 'Daily' },
            { value: 'weekly', label: 'Weekly (Monday)' },
            { value: 'monthly', label: 'Monthly (1st)' },
          ]}
          value={frequency}
          onChange={(v) => v && setFrequency(v as typeof frequency)}
          allowDeselect={false}
          w={180}
        />
        <MultiSelect
          label="Send to"
          placeholder="Members"
          data={(members.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
          value={recipients}
          onChange={setRecipients}
          searchable
          miw={240}
        />
        <Button onClick={() => create.mutate()} loading={create.isPending} disabled={recipients.length === 0}>
          Schedule
        </Button>
      </Group>
      {create.error && (
        <Alert color="red" mt="xs">
          {create.error.message}
        </Alert>
      )}
      {(schedules.data ?? []).length > 0 && (
        <Stack gap={4} mt="sm">
          {(schedules.data ?? []).map((s) => (
            <Group key={s.id} gap="sm" wrap="wrap">
              <Text fz="sm">
                {s.name} · {s.frequency} · to {s.recipients.map((r) => names.get(r) ?? 'a member').join(', ')} · next{' '}
                {new Date(s.nextRunAt).toLocaleString()}
                {s.lastError ? ` · last run failed: ${s.lastError}` : ''}
              </Text>
              <Button size="compact-xs" variant="light" onClick={() => send.mutate(s.id)}>
                Send now
              </Button>
              <ActionIcon
                size="sm"
                variant="subtle"
                color="red"
                aria-label={`Stop ${s.name}`}
                onClick={() => remove.mutate(s.id)}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
        </Stack>
      )}
    </Card>
  );
}
