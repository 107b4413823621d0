import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { FilterNode } from '../../common/filter-ops';
import { ApiError } from '../lib/http';
import { useObjects } from '../modules/objects/hooks/useObjects';
import { FilterBuilder } from '../modules/records/components/FilterBuilder';
import {
  createDashboard,
  getForecast,
  listDashboards,
  listReports,
  reportFileUrl,
  reportKeys,
  runReport,
  runSavedReport,
  saveReport,
  type TDashboard,
  type TReportDefinition,
  type TReportResult,
  type TSavedReport,
  updateDashboard,
} from '../modules/reports/api/reports.api';
import { AcquisitionCost } from '../modules/reports/components/AcquisitionCost';
import { type ChartType, ReportChart, ResultTable } from '../modules/reports/components/ReportChart';
import { StandardDashboards } from '../modules/reports/components/StandardDashboards';
import { drillFilter } from '../modules/reports/utils/drill';

const problemOf = (err: unknown) =>
  err instanceof ApiError && err.errors.length
    ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ')
    : (err as Error).message;

/** Dashboards (a grid of saved reports' charts) and this quarter's forecast. */
export function ReportsPage() {
  const dashboards = useQuery({ queryKey: reportKeys.dashboards, queryFn: ({ signal }) => listDashboards(signal) });
  const reports = useQuery({ queryKey: reportKeys.reports, queryFn: ({ signal }) => listReports(signal) });
  const [chosen, setChosen] = useState<string | null>(null);
  const dashboard = dashboards.data?.find((d) => d.id === chosen) ?? dashboards.data?.[0];
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} fz="h2">
          Reports
        </Title>
        <Button component={Link} to="/reports/builder" variant="light">
          New report
        </Button>
      </Group>
      <ForecastCard />
      <Title order={2} fz="h4">
        Standard dashboards
      </Title>
      <StandardDashboards />
      <Title order={2} fz="h4">
        Customer acquisition cost
      </Title>
      <AcquisitionCost />
      <Title order={2} fz="h4">
        Your dashboards
      </Title>
      {dashboards.error && <Alert color="red">{dashboards.error.message}</Alert>}
      {dashboards.data && dashboards.data.length > 0 && (
        <Select
          label="Dashboard"
          data={dashboards.data.map((d) => ({ value: d.id, label: d.name }))}
          value={dashboard?.id ?? null}
          onChange={setChosen}
          allowDeselect={false}
          w={300}
        />
      )}
      {dashboard ? (
        <DashboardGrid dashboard={dashboard} reports={reports.data ?? []} />
      ) : (
        dashboards.data && <Text c="dimmed">No dashboard yet: build a report and add it to one.</Text>
      )}
      {reports.data && reports.data.length > 0 && (
        <Stack gap={4}>
          <Title order={2} fz="h4">
            Saved reports
          </Title>
          {reports.data.map((r) => (
            <Group key={r.id} gap="sm">
              <Text>{r.name}</Text>
              <Anchor href={reportFileUrl(r.id, 'csv')} fz="sm">
                CSV
              </Anchor>
              <Anchor href={reportFileUrl(r.id, 'xlsx')} fz="sm">
                XLSX
              </Anchor>
            </Group>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function ForecastCard() {
  const forecast = useQuery({ queryKey: reportKeys.forecast, queryFn: ({ signal }) => getForecast(signal) });
  const f = forecast.data;
  if (forecast.error) return null;
  if (!f) return <Loader size="sm" />;
  const money = (m: { amount: string; currency: string }) => `${Number(m.amount).toLocaleString()} ${m.currency}`;
  const figures: [string, { amount: string; currency: string }][] = [
    ['Closed', f.closed],
    ['Commit', f.commit],
    ['Best case', f.bestCase],
    ['Pipeline', f.pipeline],
    ['Weighted', f.weighted],
    ...(f.quota ? ([['Quota', f.quota]] as [string, { amount: string; currency: string }][]) : []),
  ];
  return (
    <Card withBorder data-testid="forecast">
      <Text fw={600} mb="xs">
        Forecast {f.from} – {f.to} ({f.count} opportunities)
        {f.attainment ? ` · ${f.attainment} % of quota closed` : ''}
      </Text>
      <SimpleGrid cols={{ base: 2, sm: f.quota ? 6 : 5 }}>
        {figures.map(([label, m]) => (
          <Stack key={label} gap={0}>
            <Text fz="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={700}>{money(m)}</Text>
          </Stack>
        ))}
      </SimpleGrid>
    </Card>
  );
}

function DashboardGrid({ dashboard, reports }: { dashboard: TDashboard; reports: TSavedReport[] }) {
  return (
    <Group align="stretch" gap="md" data-testid="dashboard">
      {dashboard.widgets
        .map((w, position) => ({ ...w, key: `${position}:${w.reportId}` }))
        .map((w) => {
          const report = reports.find((r) => r.id === w.reportId);
          return (
            <Card key={w.key} withBorder style={{ flex: `1 1 calc(${(w.width / 12) * 100}% - 16px)`, minWidth: 280 }}>
              <Text fw={600} mb="xs">
                {w.title ?? report?.name ?? 'Report'}
              </Text>
              <Widget
                report={report}
                reportId={w.reportId}
                type={(w.chart?.type ?? report?.chart.type ?? 'table') as ChartType}
                measure={w.chart?.measure ?? report?.chart.measure}
              />
            </Card>
          );
        })}
    </Group>
  );
}

function Widget({
  report,
  reportId,
  type,
  measure,
}: {
  report: TSavedReport | undefined;
  reportId: string;
  type: ChartType;
  measure?: string;
}) {
  const navigate = useNavigate();
  const run = useQuery({
    queryKey: reportKeys.run(reportId),
    queryFn: ({ signal }) => runSavedReport(reportId, signal),
  });
  if (run.error) return <Alert color="red">{run.error.message}</Alert>;
  if (!run.data) return <Loader size="sm" />;
  const result = run.data;
  const definition = report?.definition as TReportDefinition | undefined;
  return (
    <ReportChart
      result={result}
      type={type}
      measure={measure}
      onPick={
        definition
          ? (row) =>
              void navigate({
                to: '/$object',
                params: { object: definition.object },
                search: { filter: drillFilter(definition, result, row) },
              })
          : undefined
      }
    />
  );
}

const GROUPABLE = new Set(['select', 'user', 'relation', 'boolean', 'date', 'datetime', 'text']);
const MEASURABLE = new Set(['money', 'integer', 'decimal', 'percent']);

/** The report builder: object, up to two groups, a measure, a filter; run, chart, save. */
export function ReportBuilderPage() {
  const objects = useObjects();
  const client = useQueryClient();
  const [object, setObject] = useState('opportunities');
  const meta = objects.find((o) => o.name === object) ?? objects[0];
  const [group1, setGroup1] = useState<string | null>(null);
  const [group2, setGroup2] = useState<string | null>(null);
  const [bucket, setBucket] = useState('month');
  const [op, setOp] = useState('count');
  const [field, setField] = useState<string | null>(null);
  const [filter, setFilter] = useState<FilterNode | undefined>(undefined);
  const [chart, setChart] = useState<ChartType>('bar');
  const [result, setResult] = useState<TReportResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const fields = meta?.fields ?? [];
  const groupable = fields
    .filter((f) => GROUPABLE.has(f.type) && (f.type !== 'relation' || f.relation?.cardinality === 'one'))
    .map((f) => ({ value: f.name, label: f.label }));
  const measurable = fields.filter((f) => MEASURABLE.has(f.type)).map((f) => ({ value: f.name, label: f.label }));
  const isDate = (name: string | null) => {
    const t = fields.find((f) => f.name === name)?.type;
    return t === 'date' || t === 'datetime';
  };
  const groupBy = [group1, group2]
    .filter((g): g is string => !!g)
    .map((g) => (isDate(g) ? { field: g, bucket: bucket as 'month' } : { field: g }));
  const definition: TReportDefinition = {
    object,
    ...(filter ? { filter } : {}),
    groupBy,
    measures: [
      op === 'count' ? { op: 'count', as: 'value' } : { op: op as 'sum', field: field ?? undefined, as: 'value' },
    ],
  };

  const run = async () => {
    setProblem(null);
    try {
      setResult(await runReport(definition));
    } catch (err) {
      setResult(null);
      setProblem(problemOf(err));
    }
  };
  const save = async () => {
    setProblem(null);
    try {
      const report = await saveReport({
        name,
        visibility: 'workspace',
        definition,
        chart: { type: chart, measure: 'value' },
      });
      const dashboards = await listDashboards();
      const mine = dashboards[0];
      if (mine) await updateDashboard(mine.id, [...mine.widgets, { reportId: report.id, width: 6 }]);
      else await createDashboard({ name: 'My dashboard', widgets: [{ reportId: report.id, width: 6 }] });
      await client.invalidateQueries({ queryKey: ['reports'] });
      setSaved(mine ? `Saved and added to ${mine.name}` : 'Saved and added to a new dashboard');
    } catch (err) {
      setProblem(problemOf(err));
    }
  };

  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        New report
      </Title>
      <Group align="end" wrap="wrap">
        <Select
          label="Object"
          data={objects.map((o) => ({ value: o.name, label: o.labelPlural }))}
          value={object}
          onChange={(v) => {
            setObject(v ?? 'opportunities');
            setGroup1(null);
            setGroup2(null);
            setField(null);
            setFilter(undefined);
          }}
          allowDeselect={false}
        />
        <Select label="Group by" data={groupable} value={group1} onChange={setGroup1} clearable searchable />
        <Select label="Then by" data={groupable} value={group2} onChange={setGroup2} clearable searchable />
        {(isDate(group1) || isDate(group2)) && (
          <Select
            label="Dates by"
            data={['day', 'week', 'month', 'quarter', 'year']}
            value={bucket}
            onChange={(v) => setBucket(v ?? 'month')}
            allowDeselect={false}
          />
        )}
        <Select
          label="Measure"
          data={[
            { value: 'count', label: 'Count' },
            { value: 'sum', label: 'Sum' },
            { value: 'avg', label: 'Average' },
            { value: 'min', label: 'Minimum' },
            { value: 'max', label: 'Maximum' },
          ]}
          value={op}
          onChange={(v) => setOp(v ?? 'count')}
          allowDeselect={false}
        />
        {op !== 'count' && <Select label="Of" data={measurable} value={field} onChange={setField} searchable />}
        <Select
          label="Chart"
          data={['bar', 'line', 'pie', 'number', 'table']}
          value={chart}
          onChange={(v) => setChart((v ?? 'bar') as ChartType)}
          allowDeselect={false}
        />
      </Group>
      {meta && <FilterBuilder key={object} meta={meta} value={filter} onApply={setFilter} />}
      <Group>
        <Button onClick={() => void run()}>Run</Button>
      </Group>
      {problem && (
        <Alert color="red" role="alert">
          {problem}
        </Alert>
      )}
      {result && (
        <Card withBorder>
          <ReportChart result={result} type={chart} measure="value" />
          {chart !== 'table' && <ResultTable result={result} />}
          <Group mt="md" align="end">
            <TextInput label="Report name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Button onClick={() => void save()} disabled={!name.trim()}>
              Save to dashboard
            </Button>
            {saved && <Text c="green">{saved}</Text>}
          </Group>
        </Card>
      )}
    </Stack>
  );
}
