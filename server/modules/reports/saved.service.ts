import { sql } from 'kysely';
import type { z } from 'zod';
import type {
  DashboardInput,
  DashboardPatch,
  SavedReportInput,
  SavedReportPatch,
  TDashboard,
  TSavedReport,
} from '../../../common/contracts/reports';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { runReport } from '../../platform/records/report';

/**
 * Saved reports and dashboards (settings-like tables, migration 0032). A private one is
 * its owner's alone; a "workspace" one is read by every member, changed by its owner or
 * an administrator. Running a saved report always uses the viewer's permissions.
 */

interface ReportRow {
  id: string;
  owner_id: string | null;
  name: string;
  description: string;
  visibility: 'private' | 'workspace';
  definition: Record<string, unknown>;
  chart: TSavedReport['chart'];
  created_at: Date;
  updated_at: Date;
}
interface DashboardRow {
  id: string;
  owner_id: string | null;
  name: string;
  visibility: 'private' | 'workspace';
  widgets: TDashboard['widgets'];
  created_at: Date;
  updated_at: Date;
}

const presentReport = (r: ReportRow): TSavedReport => ({
  id: r.id,
  name: r.name,
  description: r.description,
  visibility: r.visibility,
  ownerId: r.owner_id,
  definition: r.definition,
  chart: r.chart,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});
const presentDashboard = (r: DashboardRow): TDashboard => ({
  id: r.id,
  name: r.name,
  visibility: r.visibility,
  ownerId: r.owner_id,
  widgets: r.widgets,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const readable = (actor: Actor) => sql`(visibility = 'workspace' or owner_id = ${actor.userId})`;

async function assertCanChange(records: RecordService, tx: Tx, actor: Actor, ownerId: string | null) {
  if (ownerId && ownerId === actor.userId) return;
  if ((await records.access.policy(tx, actor)).admin) return;
  throw new AppError('forbidden', 'Only its owner or an administrator can change it');
}

/** Checks a definition by running it with the caller's permissions (422 naming the field otherwise). */
async function checkDefinition(records: RecordService, tx: Tx, actor: Actor, definition: unknown) {
  await runReport(records, tx, actor, { ...(definition as object), limit: 1 } as never).catch((e: unknown) => {
    if (e instanceof AppError && e.errors.length) {
      const errors = e.errors.map((x) => ({ ...x, path: `definition.${x.path}` }));
      throw new AppError(e.code, e.message, { errors });
    }
    throw e;
  });
}

export async function listReports(tx: Tx, actor: Actor): Promise<TSavedReport[]> {
  const { rows } = await sql<ReportRow>`select * from saved_reports where ${readable(actor)} order by name, id`.execute(
    tx,
  );
  return rows.map(presentReport);
}

export async function getReport(tx: Tx, actor: Actor, id: string): Promise<TSavedReport> {
  const { rows } = await sql<ReportRow>`select * from saved_reports where id = ${id} and ${readable(actor)}`.execute(
    tx,
  );
  const row = rows[0];
  if (!row) throw notFound('Report');
  return presentReport(row);
}

export async function createReport(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  input: z.output<typeof SavedReportInput>,
): Promise<TSavedReport> {
  await checkDefinition(records, tx, actor, input.definition);
  const { rows } = await sql<ReportRow>`
    insert into saved_reports (workspace_id, owner_id, name, description, visibility, definition, chart)
    values (${actor.workspaceId}, ${actor.userId}, ${input.name}, ${input.description ?? ''}, ${input.visibility},
      ${JSON.stringify(input.definition)}::jsonb, ${JSON.stringify(input.chart)}::jsonb)
    returning *`.execute(tx);
  const report = presentReport(rows[0] as ReportRow);
  await audit(tx, actor, { action: 'reports.created', detail: { id: report.id, name: report.name } });
  return report;
}

export async function updateReport(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  id: string,
  patch: z.output<typeof SavedReportPatch>,
): Promise<TSavedReport> {
  const current = await getReport(tx, actor, id);
  await assertCanChange(records, tx, actor, current.ownerId);
  if (patch.definition) await checkDefinition(records, tx, actor, patch.definition);
  const { rows } = await sql<ReportRow>`
    update saved_reports set
      name = ${patch.name ?? current.name},
      description = ${patch.description ?? current.description},
      visibility = ${patch.visibility ?? current.visibility},
      definition = ${JSON.stringify(patch.definition ?? current.definition)}::jsonb,
      chart = ${JSON.stringify(patch.chart ?? current.chart)}::jsonb,
      updated_at = now()
    where id = ${id} returning *`.execute(tx);
  return presentReport(rows[0] as ReportRow);
}

export async function deleteReport(records: RecordService, tx: Tx, actor: Actor, id: string): Promise<void> {
  const current = await getReport(tx, actor, id);
  await assertCanChange(records, tx, actor, current.ownerId);
  await sql`delete from saved_reports where id = ${id}`.execute(tx);
  await audit(tx, actor, { action: 'reports.deleted', detail: { id, name: current.name } });
}

export async function listDashboards(tx: Tx, actor: Actor): Promise<TDashboard[]> {
  const { rows } = await sql<DashboardRow>`select * from dashboards where ${readable(actor)} order by name, id`.execute(
    tx,
  );
  return rows.map(presentDashboard);
}

export async function getDashboard(tx: Tx, actor: Actor, id: string): Promise<TDashboard> {
  const { rows } = await sql<DashboardRow>`select * from dashboards where id = ${id} and ${readable(actor)}`.execute(
    tx,
  );
  const row = rows[0];
  if (!row) throw notFound('Dashboard');
  return presentDashboard(row);
}

/** Every widget's report must exist and be readable by the caller. */
async function checkWidgets(tx: Tx, actor: Actor, widgets: TDashboard['widgets']) {
  const ids = [...new Set(widgets.map((w) => w.reportId))];
  if (ids.length === 0) return;
  const { rows } = await sql<{ id: string }>`
    select id from saved_reports where id = any(${ids}::uuid[]) and ${readable(actor)}`.execute(tx);
  const found = new Set(rows.map((r) => r.id));
  const missing = widgets.findIndex((w) => !found.has(w.reportId));
  if (missing >= 0) throw invalidField(`widgets.${missing}.reportId`, 'no such report');
}

export async function createDashboard(
  tx: Tx,
  actor: Actor,
  input: z.output<typeof DashboardInput>,
): Promise<TDashboard> {
  await checkWidgets(tx, actor, input.widgets);
  const { rows } = await sql<DashboardRow>`
    insert into dashboards (workspace_id, owner_id, name, visibility, widgets)
    values (${actor.workspaceId}, ${actor.userId}, ${input.name}, ${input.visibility}, ${JSON.stringify(input.widgets)}::jsonb)
    returning *`.execute(tx);
  return presentDashboard(rows[0] as DashboardRow);
}

export async function updateDashboard(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  id: string,
  patch: z.output<typeof DashboardPatch>,
): Promise<TDashboard> {
  const current = await getDashboard(tx, actor, id);
  await assertCanChange(records, tx, actor, current.ownerId);
  if (patch.widgets) await checkWidgets(tx, actor, patch.widgets);
  const { rows } = await sql<DashboardRow>`
    update dashboards set
      name = ${patch.name ?? current.name},
      visibility = ${patch.visibility ?? current.visibility},
      widgets = ${JSON.stringify(patch.widgets ?? current.widgets)}::jsonb,
      updated_at = now()
    where id = ${id} returning *`.execute(tx);
  return presentDashboard(rows[0] as DashboardRow);
}

export async function deleteDashboard(records: RecordService, tx: Tx, actor: Actor, id: string): Promise<void> {
  const current = await getDashboard(tx, actor, id);
  await assertCanChange(records, tx, actor, current.ownerId);
  await sql`delete from dashboards where id = ${id}`.execute(tx);
}
