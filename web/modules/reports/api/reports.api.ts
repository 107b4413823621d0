// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/reports.ts.
import type { z } from 'zod';
import type {
  DashboardInput,
  SavedReportInput,
  ScheduleInput,
  TAcquisitionCost,
  TDashboard,
  TForecast,
  TForecastHistory,
  TReportDefinition,
  TReportResult,
  TSavedReport,
  TSchedule,
  TStandardDashboard,
  TStandardKind,
} from '../../../../common/contracts/reports';
import { getJson, request, withQuery } from '../../../lib/http';

export type {
  TAcquisitionCost,
  TDashboard,
  TForecast,
  TForecastHistory,
  TReportDefinition,
  TReportResult,
  TSavedReport,
  TSchedule,
  TStandardDashboard,
  TStandardKind,
};

export const reportKeys = {
  dashboards: ['reports', 'dashboards'] as const,
  reports: ['reports', 'saved'] as const,
  run: (id: string) => ['reports', 'run', id] as const,
  forecast: ['reports', 'forecast'] as const,
  standard: (kind: string, from: string, to: string) => ['reports', 'standard', kind, from, to] as const,
  history: ['reports', 'forecast-history'] as const,
  schedules: ['reports', 'schedules'] as const,
  acquisition: (from: string, to: string) => ['reports', 'acquisition-cost', from, to] as const,
};

export async function runReport(definition: TReportDefinition, signal?: AbortSignal): Promise<TReportResult> {
  return (await request<{ data: TReportResult }>('POST', '/api/v1/reports/run', { body: definition, signal })).body
    .data;
}

export async function runSavedReport(id: string, signal?: AbortSignal): Promise<TReportResult> {
  return (await request<{ data: TReportResult }>('POST', `/api/v1/reports/${id}/run`, { signal })).body.data;
}

export const listReports = (signal?: AbortSignal) =>
  getJson<{ data: TSavedReport[] }>('/api/v1/reports', signal).then((r) => r.data);
export const listDashboards = (signal?: AbortSignal) =>
  getJson<{ data: TDashboard[] }>('/api/v1/dashboards', signal).then((r) => r.data);
export const getForecast = (signal?: AbortSignal) =>
  getJson<{ data: TForecast }>(withQuery('/api/v1/forecast', {}), signal).then((r) => r.data);

export async function saveReport(input: z.input<typeof SavedReportInput>): Promise<TSavedReport> {
  return (await request<{ data: TSavedReport }>('POST', '/api/v1/reports', { body: input })).body.data;
}

export async function createDashboard(input: z.input<typeof DashboardInput>): Promise<TDashboard> {
  return (await request<{ data: TDashboard }>('POST', '/api/v1/dashboards', { body: input })).body.data;
}

export async function updateDashboard(id: string, widgets: TDashboard['widgets']): Promise<TDashboard> {
  return (await request<{ data: TDashboard }>('PATCH', `/api/v1/dashboards/${id}`, { body: { widgets } })).body.data;
}

/** The URL of a report as a file (the browser downloads it with the session cookie). */
export const reportFileUrl = (id: string, format: 'csv' | 'xlsx') => `/api/v1/reports/${id}/run?format=${format}`;

/** A standard dashboard (sales, forecast, marketing, service) over a period (empty: its default). */
export const getStandardDashboard = (
  kind: TStandardKind,
  period: { from?: string; to?: string },
  signal?: AbortSignal,
) =>
  getJson<{ data: TStandardDashboard }>(
    withQuery(`/api/v1/dashboards/standard/${kind}`, { from: period.from || undefined, to: period.to || undefined }),
    signal,
  ).then((r) => r.data);

/** The weekly snapshots of the current quarter's forecast. */
export const getForecastHistory = (signal?: AbortSignal) =>
  getJson<{ data: TForecastHistory }>('/api/v1/forecast/history', signal).then((r) => r.data);

export const listSchedules = (signal?: AbortSignal) =>
  getJson<{ data: TSchedule[] }>('/api/v1/report-schedules', signal).then((r) => r.data);

export async function createSchedule(input: z.input<typeof ScheduleInput>): Promise<TSchedule> {
  return (await request<{ data: TSchedule }>('POST', '/api/v1/report-schedules', { body: input })).body.data;
}

export async function deleteSchedule(id: string): Promise<void> {
  await request('DELETE', `/api/v1/report-schedules/${id}`);
}

export async function sendScheduleNow(id: string): Promise<void> {
  await request('POST', `/api/v1/report-schedules/${id}/send`, { body: {} });
}

/** Customer acquisition cost over a period (empty dates: the last twelve months), per month too. */
export const getAcquisitionCost = (period: { from?: string; to?: string }, signal?: AbortSignal) =>
  getJson<{ data: TAcquisitionCost }>(
    withQuery('/api/v1/acquisition-cost', { from: period.from || undefined, to: period.to || undefined }),
    signal,
  ).then((r) => r.data);
