import { z } from 'zod';
import type { FilterNode } from '../filter';

/**
 * Request and response contracts of reporting (issue 22): the report builder
 * (`POST /api/v1/reports/run`), the sales forecast (`GET /api/v1/forecast`), saved
 * reports (`/api/v1/reports`) and dashboards (`/api/v1/dashboards`). Shared by server
 * and web app.
 */

export const REPORT_OPS = ['count', 'sum', 'avg', 'min', 'max', 'countDistinct'] as const;
export const DATE_BUCKETS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export const CHART_TYPES = ['bar', 'line', 'pie', 'number', 'table'] as const;
/** At most this many group-by fields in a report. */
export const MAX_REPORT_GROUPS = 2;
export const MAX_REPORT_MEASURES = 10;
/** The most rows a report returns (default 1,000). */
export const MAX_REPORT_ROWS = 10_000;

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

export const ReportGroupBy = z
  .object({
    field: z.string().min(1).max(100).describe('A field of the object (select, person, to-one relation, date…)'),
    bucket: z.enum(DATE_BUCKETS).optional().describe('For a date or date-time field (default month)'),
  })
  .strict();

export const ReportMeasure = z
  .object({
    op: z.enum(REPORT_OPS),
    field: z.string().min(1).max(100).optional().describe('Required except for count (count of records)'),
    as: z.string().regex(NAME, 'must be a name of letters, digits and _ starting with a letter'),
  })
  .strict();

export const ReportSort = z
  .object({
    by: z.string().min(1).max(100).describe('A group field or a measure’s `as`'),
    dir: z.enum(['asc', 'desc']),
  })
  .strict();

export const ReportDefinition = z
  .object({
    object: z.string().min(1).max(100),
    // Checked by the engine (common/filter.ts checkFilterTree, then compiled against the caller's schema).
    filter: z.custom<FilterNode>().optional().describe('A filter tree, as for lists (relations one hop)'),
    groupBy: z.array(ReportGroupBy).max(MAX_REPORT_GROUPS).default([]),
    measures: z.array(ReportMeasure).min(1).max(MAX_REPORT_MEASURES),
    sort: z.array(ReportSort).max(4).optional(),
    limit: z.number().int().min(1).max(MAX_REPORT_ROWS).optional(),
    timeZone: z.string().min(1).max(64).optional().describe('IANA zone the date buckets are cut in (default UTC)'),
  })
  .strict();
export type TReportDefinition = z.input<typeof ReportDefinition>;

export const ReportRunQuery = z.object({ format: z.enum(['json', 'csv', 'xlsx']).optional() }).strict();

export const ReportColumn = z.object({
  name: z.string(),
  label: z.string(),
  role: z.enum(['group', 'measure']),
  /** The field's type (a group's) or the measure's value type: number, decimal, money, date, datetime. */
  type: z.string(),
  field: z.string().nullable(),
  op: z.enum(REPORT_OPS).nullable(),
  bucket: z.enum(DATE_BUCKETS).nullable(),
  /** Names of the values in the rows for selects, people and relations (value → label). */
  labels: z.record(z.string(), z.string()).nullable(),
});
export type TReportColumn = z.infer<typeof ReportColumn>;

export const MoneyValue = z.object({ amount: z.string(), currency: z.string() });
/** A cell: a group's value, a count, a decimal string, money (per currency when a group mixes currencies). */
export const ReportCell = z.union([z.string(), z.number(), z.boolean(), z.null(), MoneyValue, z.array(MoneyValue)]);
export type TReportCell = z.infer<typeof ReportCell>;

export const ReportResultSchema = z.object({
  columns: z.array(ReportColumn),
  rows: z.array(z.record(z.string(), ReportCell)),
  /** True when more groups existed than the limit. */
  truncated: z.boolean(),
});
export type TReportResult = z.infer<typeof ReportResultSchema>;

export const ForecastQuery = z
  .object({
    from: z.iso.date().optional().describe('First expected close date (default: the current quarter’s first day, UTC)'),
    to: z.iso
      .date()
      .optional()
      .describe('Last expected close date, inclusive (default: the current quarter’s last day)'),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code')
      .optional()
      .describe('Default: the currency most of the opportunities in the range use'),
    pipelineId: z.string().min(1).max(100).optional(),
  })
  .strict();

const ForecastFigures = z.object({
  count: z.number(),
  /** Quotas whose period lies within the range, in the forecast's currency (null: none set). */
  quota: MoneyValue.nullable(),
  /** closed ÷ quota in percent, one decimal (null without a quota). */
  attainment: z.string().nullable(),
  closed: MoneyValue,
  commit: MoneyValue,
  bestCase: MoneyValue,
  pipeline: MoneyValue,
  weighted: MoneyValue,
});

export const ForecastSchema = ForecastFigures.extend({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  /** Each forecast category alone (the roll-ups above are cumulative). */
  categories: z.record(z.string(), MoneyValue),
  owners: z.array(ForecastFigures.extend({ ownerId: z.string().nullable(), name: z.string() })),
  /** Amounts of opportunities in the range in other currencies (left out of the figures), per currency. */
  otherCurrencies: z.array(MoneyValue),
});
export type TForecast = z.infer<typeof ForecastSchema>;

export const VISIBILITIES = ['private', 'workspace'] as const;

export const ReportChart = z.object({ type: z.enum(CHART_TYPES), measure: z.string().max(63).optional() }).strict();

export const SavedReportInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().max(1000).optional(),
    visibility: z.enum(VISIBILITIES).default('private'),
    definition: ReportDefinition,
    chart: ReportChart.default({ type: 'table' }),
  })
  .strict();
export const SavedReportPatch = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    description: z.string().max(1000).optional(),
    visibility: z.enum(VISIBILITIES).optional(),
    definition: ReportDefinition.optional(),
    chart: ReportChart.optional(),
  })
  .strict();

export const SavedReportSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  visibility: z.enum(VISIBILITIES),
  ownerId: z.string().nullable(),
  definition: z.record(z.string(), z.unknown()),
  chart: z.object({ type: z.enum(CHART_TYPES), measure: z.string().optional() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSavedReport = z.infer<typeof SavedReportSchema>;

export const DashboardWidget = z
  .object({
    reportId: z.uuid(),
    title: z.string().max(120).optional(),
    chart: ReportChart.optional().describe('Overrides the report’s chart'),
    width: z.number().int().min(1).max(12).default(6),
  })
  .strict();

export const DashboardInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    visibility: z.enum(VISIBILITIES).default('private'),
    widgets: z.array(DashboardWidget).max(24).default([]),
  })
  .strict();
export const DashboardPatch = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    visibility: z.enum(VISIBILITIES).optional(),
    widgets: z.array(DashboardWidget).max(24).optional(),
  })
  .strict();

export const DashboardSchema = z.object({
  id: z.string(),
  name: z.string(),
  visibility: z.enum(VISIBILITIES),
  ownerId: z.string().nullable(),
  widgets: z.array(
    z.object({
      reportId: z.string(),
      title: z.string().optional(),
      chart: z.object({ type: z.enum(CHART_TYPES), measure: z.string().optional() }).optional(),
      width: z.number(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TDashboard = z.infer<typeof DashboardSchema>;

export const IdParam = z.object({ id: z.uuid() }).strict();

export const QuotaInput = z
  .object({
    userId: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
    amount: z
      .object({
        amount: z.string().regex(/^\d{1,15}(\.\d{1,4})?$/, 'must be a positive decimal such as 50000 or 1250.50'),
        currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code in capitals'),
      })
      .strict(),
  })
  .strict();
export const QuotaQuery = z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() }).strict();
export const QuotaSchema = z.object({
  id: z.string(),
  userId: z.string(),
  from: z.string(),
  to: z.string(),
  amount: MoneyValue,
  updatedAt: z.string(),
});
export type TQuota = z.infer<typeof QuotaSchema>;

/** The standard dashboards shipped with Rapport (`GET /api/v1/dashboards/standard/{kind}`). */
export const STANDARD_DASHBOARDS = ['sales', 'forecast', 'marketing', 'service'] as const;
export type TStandardKind = (typeof STANDARD_DASHBOARDS)[number];
export const StandardKindParam = z.object({ kind: z.enum(STANDARD_DASHBOARDS) }).strict();

export const StandardDashboardQuery = z
  .object({
    from: z.iso.date().optional().describe('First day of the period (default: the first day of the month a year ago)'),
    to: z.iso.date().optional().describe('Last day of the period, inclusive (default: today, UTC)'),
    period: z.enum(['month', 'quarter']).optional().describe('How figures over time are cut (default month)'),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code')
      .optional()
      .describe('Forecast and cost figures’ currency (default: the one most used)'),
  })
  .strict();
export type TStandardDashboardQuery = z.infer<typeof StandardDashboardQuery>;

/** One headline figure: a count, a decimal string (days, hours, percent) or money; null when nothing to measure. */
export const StandardNumber = z.object({
  key: z.string(),
  label: z.string(),
  value: ReportCell,
  unit: z.enum(['count', 'money', 'percent', 'days', 'hours', 'rating']),
});
/** One chart or table: a report result (as the report builder returns) with a title and a chart type. */
export const StandardPanel = z.object({
  key: z.string(),
  title: z.string(),
  chart: z.enum(CHART_TYPES),
  measure: z.string().optional(),
  result: ReportResultSchema,
});
export const StandardDashboardSchema = z.object({
  kind: z.enum(STANDARD_DASHBOARDS),
  title: z.string(),
  from: z.string(),
  to: z.string(),
  numbers: z.array(StandardNumber),
  panels: z.array(StandardPanel),
  /**
   * Figures left out because the caller's role may not read a field they need, or, for the
   * service dashboard's calls by queue and day (`callsByQueueDay`), every call they count (the
   * rest of the dashboard is returned): a number's or panel's key (`revenue`, `timeInStage`), or
   * `panelKey.column` for one column of a panel left out of its columns and rows
   * (`revenueByRep.revenue`). Empty when the role reads everything.
   */
  hidden: z.array(z.string()),
});
export type TStandardDashboard = z.infer<typeof StandardDashboardSchema>;
export type TStandardPanel = z.infer<typeof StandardPanel>;
export type TStandardNumber = z.infer<typeof StandardNumber>;

export const AcquisitionCostQuery = z
  .object({
    from: z.iso.date().optional().describe('First day of the period (default: the first day of the month a year ago)'),
    to: z.iso.date().optional().describe('Last day of the period, inclusive (default: today, UTC)'),
    period: z.enum(['month', 'quarter']).optional().describe('How the period is cut in `periods` (default month)'),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code')
      .optional()
      .describe('The currency costs are counted in (default: the one most cost entries use)'),
  })
  .strict();
export type TAcquisitionCostQuery = z.infer<typeof AcquisitionCostQuery>;
/** Cost, new customers and CAC over one period (dates inclusive). */
const AcquisitionCostFigures = z.object({
  from: z.string(),
  to: z.string(),
  /** Marketing and sales cost dated in the period (marketingCost + salesCost). */
  cost: MoneyValue,
  marketingCost: MoneyValue,
  salesCost: MoneyValue,
  /** Accounts whose first won opportunity closed in the period. */
  newCustomers: z.number(),
  /** cost ÷ newCustomers, to the cent (null without new customers). */
  cac: MoneyValue.nullable(),
});
export const AcquisitionCostSchema = AcquisitionCostFigures.extend({
  currency: z.string(),
  /** The same figures per month or quarter of the period. */
  periods: z.array(AcquisitionCostFigures),
  /** The period's cost per campaign (campaignId null: cost entries tied to no campaign), highest first. */
  byCampaign: z.array(z.object({ campaignId: z.string().nullable(), name: z.string().nullable(), cost: MoneyValue })),
  /** Costs in the period in other currencies, left out of the figures. */
  otherCurrencies: z.array(MoneyValue),
});
export type TAcquisitionCost = z.infer<typeof AcquisitionCostSchema>;

export const ForecastHistoryQuery = z
  .object({
    from: z.iso.date().optional().describe('The period’s first day (default: the current quarter’s)'),
    to: z.iso.date().optional().describe('The period’s last day (default: the current quarter’s)'),
  })
  .strict();
const HistoryPoint = z.object({
  /** The day the snapshot was taken (the weekly job's). */
  takenOn: z.string(),
  ownerId: z.string().nullable(),
  name: z.string(),
  deals: z.number(),
  closed: MoneyValue,
  commit: MoneyValue,
  bestCase: MoneyValue,
  pipeline: MoneyValue,
  weighted: MoneyValue,
});
export const ForecastHistorySchema = z.object({ from: z.string(), to: z.string(), points: z.array(HistoryPoint) });
export type TForecastHistory = z.infer<typeof ForecastHistorySchema>;

export const SCHEDULE_FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export const ScheduleInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    target: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('report'), id: z.uuid() }).strict(),
        z.object({ kind: z.literal('dashboard'), id: z.uuid() }).strict(),
        z.object({ kind: z.literal('standard'), id: z.enum(STANDARD_DASHBOARDS) }).strict(),
      ])
      .describe('A saved report, a dashboard, or a standard dashboard (by kind)'),
    frequency: z
      .enum(SCHEDULE_FREQUENCIES)
      .describe('daily at 07:00, weekly on Monday 07:00, monthly on the 1st (UTC)'),
    recipients: z.array(z.uuid()).min(1).max(50).describe('Members of the workspace (user ids)'),
  })
  .strict();
export const ScheduleSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  target: z.object({ kind: z.enum(['report', 'dashboard', 'standard']), id: z.string() }),
  frequency: z.enum(SCHEDULE_FREQUENCIES),
  recipients: z.array(z.string()),
  nextRunAt: z.string(),
  lastRunAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
});
export type TSchedule = z.infer<typeof ScheduleSchema>;
