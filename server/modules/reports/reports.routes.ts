import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AcquisitionCostQuery,
  AcquisitionCostSchema,
  DashboardInput,
  DashboardPatch,
  DashboardSchema,
  ForecastHistoryQuery,
  ForecastHistorySchema,
  ForecastQuery,
  ForecastSchema,
  IdParam,
  QuotaInput,
  QuotaQuery,
  QuotaSchema,
  ReportDefinition,
  ReportResultSchema,
  ReportRunQuery,
  SavedReportInput,
  SavedReportPatch,
  SavedReportSchema,
  ScheduleInput,
  ScheduleSchema,
  StandardDashboardQuery,
  StandardDashboardSchema,
  StandardKindParam,
  type TReportDefinition,
  type TReportResult,
} from '../../../common/contracts/reports';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Database, ReadSource, Tx } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import type { RecordService } from '../../platform/records/records.service';
import { runReport } from '../../platform/records/report';
import { acquisitionCost } from './cac.service';
import { createSchedule, deleteSchedule, listSchedules, sendScheduleNow } from './delivery.service';
import { forecast } from './forecast.service';
import { deleteQuota, listQuotas, setQuota } from './quotas.service';
import { reportCsv, reportXlsx } from './report-files';
import {
  createDashboard,
  createReport,
  deleteDashboard,
  deleteReport,
  getDashboard,
  getReport,
  listDashboards,
  listReports,
  updateDashboard,
  updateReport,
} from './saved.service';
import { forecastHistory } from './snapshots.service';
import { standardDashboard } from './standard.service';

const tags = ['Reports'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Runs a report for a file: read where reports read (the replica when there is one), then
 * the export permission checked on the primary and the export audited there, before the
 * file leaves.
 */
async function runForFile(
  database: Database,
  records: RecordService,
  actor: Actor,
  definition: TReportDefinition,
  format: 'csv' | 'xlsx',
): Promise<{ value: TReportResult; source: ReadSource }> {
  const read = await database.reportRead(actor.workspaceId, async (tx) => {
    const result = await runReport(records, tx, actor, definition);
    (await records.access.policy(tx, actor)).assert(definition.object, 'export');
    return result;
  });
  await database.tenant(actor.workspaceId, async (tx) => {
    (await records.access.policy(tx, actor)).assert(definition.object, 'export');
    await audit(tx, actor, {
      action: 'reports.exported',
      object: definition.object,
      detail: {
        format,
        rows: read.value.rows.length,
        groupBy: definition.groupBy ?? [],
        measures: definition.measures,
      },
    });
  });
  return read;
}

/**
 * Where a report's data was read and how fresh it is (docs/API.md, "Read replica"):
 * `x-rapport-read-from` replica | primary, `x-rapport-data-as-of` (every commit before it is
 * in the data), `x-rapport-replica-lag` (seconds), `x-rapport-replica-fallback` (why a
 * configured replica was not used).
 */
export function readSourceHeaders(reply: FastifyReply, source: ReadSource): void {
  reply.header('x-rapport-read-from', source.from);
  reply.header('x-rapport-data-as-of', source.asOf.toISOString());
  reply.header('x-rapport-replica-lag', source.lagSeconds.toFixed(3));
  if (source.fallback) reply.header('x-rapport-replica-fallback', source.fallback);
}

const fileName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'report';

/** The report builder, the forecast, saved reports and dashboards. */
export function reportRoutes({ database, records, jobs, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    /** A report's read (database.reportRead), its source told in the response headers. */
    const reportRead = async <T>(reply: FastifyReply, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> => {
      const { value, source } = await database.reportRead(actor.workspaceId, fn);
      readSourceHeaders(reply, source);
      return value;
    };
    const send = async (
      reply: FastifyReply,
      actor: Actor,
      definition: TReportDefinition,
      format: 'json' | 'csv' | 'xlsx' | undefined,
      name: string,
    ) => {
      if (format === 'csv' || format === 'xlsx') {
        const { value: result, source } = await runForFile(database, records, actor, definition, format);
        readSourceHeaders(reply, source);
        const base = fileName(name);
        if (format === 'csv')
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${base}.csv"`)
            .send(reportCsv(result));
        return reply
          .type(XLSX)
          .header('content-disposition', `attachment; filename="${base}.xlsx"`)
          .send(Buffer.from(reportXlsx(result, name)));
      }
      const data = await reportRead(reply, actor, (tx) => runReport(records, tx, actor, definition));
      return reply.send({ data });
    };

    app.post(
      '/api/v1/reports/run',
      {
        schema: {
          tags,
          summary:
            'Run a report: records grouped by up to two fields with measures (count, sum, avg, min, max, distinct)',
          description:
            'Exactly the records a list shows the caller (scope, row rules); hidden fields are unknown. Money is summed exactly per currency. `?format=csv` or `xlsx` returns the same as a file (export permission; audited).',
          querystring: ReportRunQuery,
          body: ReportDefinition,
          response: { 200: z.object({ data: ReportResultSchema }) },
        },
      },
      async (req, reply) => send(reply, actorOf(req), req.body, req.query.format, `${req.body.object}-report`),
    );

    app.get(
      '/api/v1/forecast',
      {
        schema: {
          tags,
          summary: 'The sales forecast of opportunities expected to close in a date range, per owner',
          description:
            'closed; commit = closed + commit; bestCase = commit + best case; pipeline = every open category; weighted = Σ amount × stage probability. Only opportunities the caller may read.',
          querystring: ForecastQuery,
          response: { 200: z.object({ data: ForecastSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await reportRead(reply, actor, (tx) => forecast(records, tx, actor, req.query, now()));
        return { data };
      },
    );

    app.get(
      '/api/v1/acquisition-cost',
      {
        schema: {
          tags,
          summary: 'Customer acquisition cost over a period: marketing and sales cost ÷ new customers won in it',
          description:
            'Cost = the cost entries (`/api/v1/campaign_costs`) dated in the period, and the actual cost of campaigns started in it that have no cost entry; new customers = accounts whose first won opportunity closed in it. Per month or quarter and per campaign too. Only records the caller may read.',
          querystring: AcquisitionCostQuery,
          response: { 200: z.object({ data: AcquisitionCostSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await reportRead(reply, actor, (tx) => acquisitionCost(records, tx, actor, req.query, now()));
        return { data };
      },
    );

    app.get(
      '/api/v1/forecast/history',
      {
        schema: {
          tags,
          summary:
            'The weekly snapshots of a period’s forecast, per owner (administrators: everyone’s; others: their own)',
          description:
            'A period is what the weekly job snapshots: a calendar quarter (default the current one). Each point is one owner’s closed, commit, best case, pipeline and weighted figures on the day it was taken.',
          querystring: ForecastHistoryQuery,
          response: { 200: z.object({ data: ForecastHistorySchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await reportRead(reply, actor, (tx) => forecastHistory(records, tx, actor, req.query, now()));
        return { data };
      },
    );

    // Scheduled delivery by email.
    app.get(
      '/api/v1/report-schedules',
      {
        schema: {
          tags,
          summary: 'Scheduled deliveries the caller owns (administrators: all)',
          response: { 200: z.object({ data: z.array(ScheduleSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => listSchedules(records, tx, actor)) };
      },
    );
    app.post(
      '/api/v1/report-schedules',
      {
        schema: {
          tags,
          summary: 'Mail a report or dashboard daily, weekly or monthly to members (run as the caller)',
          body: ScheduleInput,
          response: { 201: z.object({ data: ScheduleSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => createSchedule(tx, actor, req.body, now()));
        return reply.code(201).send({ data });
      },
    );
    app.delete(
      '/api/v1/report-schedules/:id',
      { schema: { tags, summary: 'Stop a scheduled delivery (its owner or an administrator)', params: IdParam } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => deleteSchedule(records, tx, actor, req.params.id));
        return reply.code(204).send();
      },
    );
    app.post(
      '/api/v1/report-schedules/:id/send',
      {
        schema: {
          tags,
          summary: 'Mail a scheduled delivery now (through the job queue)',
          params: IdParam,
          response: { 202: z.object({ data: z.object({ queued: z.literal(true) }) }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => sendScheduleNow(records, jobs, tx, actor, req.params.id));
        return reply.code(202).send({ data: { queued: true as const } });
      },
    );

    // Quotas.
    app.get(
      '/api/v1/quotas',
      {
        schema: {
          tags,
          summary: 'Sales quotas whose period lies in the range (administrators: everyone’s; others: their own)',
          querystring: QuotaQuery,
          response: { 200: z.object({ data: z.array(QuotaSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => listQuotas(records, tx, actor, req.query)),
        };
      },
    );
    app.put(
      '/api/v1/quotas',
      {
        schema: {
          tags,
          summary: 'Set a rep’s quota for a period and currency (administrators)',
          body: QuotaInput,
          response: { 200: z.object({ data: QuotaSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenant(actor.workspaceId, (tx) => setQuota(records, tx, actor, req.body)) };
      },
    );
    app.delete(
      '/api/v1/quotas/:id',
      { schema: { tags, summary: 'Delete a quota (administrators)', params: IdParam } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => deleteQuota(records, tx, actor, req.params.id));
        return reply.code(204).send();
      },
    );

    // Saved reports.
    app.get(
      '/api/v1/reports',
      {
        schema: {
          tags,
          summary: 'Saved reports the caller can see (theirs and shared)',
          response: { 200: z.object({ data: z.array(SavedReportSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => listReports(tx, actor)) };
      },
    );
    app.post(
      '/api/v1/reports',
      {
        schema: {
          tags,
          summary: 'Save a report',
          body: SavedReportInput,
          response: { 201: z.object({ data: SavedReportSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => createReport(records, tx, actor, req.body));
        return reply.code(201).send({ data });
      },
    );
    app.get(
      '/api/v1/reports/:id',
      {
        schema: {
          tags,
          summary: 'A saved report',
          params: IdParam,
          response: { 200: z.object({ data: SavedReportSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => getReport(tx, actor, req.params.id)) };
      },
    );
    app.patch(
      '/api/v1/reports/:id',
      {
        schema: {
          tags,
          summary: 'Change a saved report (owner or administrator)',
          params: IdParam,
          body: SavedReportPatch,
          response: { 200: z.object({ data: SavedReportSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          updateReport(records, tx, actor, req.params.id, req.body),
        );
        return { data };
      },
    );
    app.delete(
      '/api/v1/reports/:id',
      { schema: { tags, summary: 'Delete a saved report (owner or administrator)', params: IdParam } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => deleteReport(records, tx, actor, req.params.id));
        return reply.code(204).send();
      },
    );
    app.post(
      '/api/v1/reports/:id/run',
      {
        schema: {
          tags,
          summary: 'Run a saved report with the caller’s permissions (`?format=csv|xlsx` for a file)',
          params: IdParam,
          querystring: ReportRunQuery,
          response: { 200: z.object({ data: ReportResultSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const saved = await database.tenantRead(actor.workspaceId, (tx) => getReport(tx, actor, req.params.id));
        return send(reply, actor, saved.definition as TReportDefinition, req.query.format, saved.name);
      },
    );

    // Standard dashboards.
    app.get(
      '/api/v1/dashboards/standard/:kind',
      {
        schema: {
          tags,
          summary: 'A standard dashboard (sales, forecast, marketing or service) over a period',
          description:
            'Headline numbers and panels (each a report result with a chart type), read with the caller’s permissions: a sales rep’s dashboard counts only what the rep may read.',
          params: StandardKindParam,
          querystring: StandardDashboardQuery,
          response: { 200: z.object({ data: StandardDashboardSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await reportRead(reply, actor, (tx) =>
          standardDashboard(records, tx, actor, req.params.kind, req.query, now()),
        );
        return { data };
      },
    );

    // Dashboards.
    app.get(
      '/api/v1/dashboards',
      {
        schema: {
          tags,
          summary: 'Dashboards the caller can see (theirs and shared)',
          response: { 200: z.object({ data: z.array(DashboardSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => listDashboards(tx, actor)) };
      },
    );
    app.post(
      '/api/v1/dashboards',
      {
        schema: {
          tags,
          summary: 'Create a dashboard (a grid of saved reports’ charts)',
          body: DashboardInput,
          response: { 201: z.object({ data: DashboardSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => createDashboard(tx, actor, req.body));
        return reply.code(201).send({ data });
      },
    );
    app.get(
      '/api/v1/dashboards/:id',
      {
        schema: {
          tags,
          summary: 'A dashboard',
          params: IdParam,
          response: { 200: z.object({ data: DashboardSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => getDashboard(tx, actor, req.params.id)) };
      },
    );
    app.patch(
      '/api/v1/dashboards/:id',
      {
        schema: {
          tags,
          summary: 'Change a dashboard (owner or administrator)',
          params: IdParam,
          body: DashboardPatch,
          response: { 200: z.object({ data: DashboardSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          updateDashboard(records, tx, actor, req.params.id, req.body),
        );
        return { data };
      },
    );
    app.delete(
      '/api/v1/dashboards/:id',
      { schema: { tags, summary: 'Delete a dashboard (owner or administrator)', params: IdParam } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => deleteDashboard(records, tx, actor, req.params.id));
        return reply.code(204).send();
      },
    );
  };
}
