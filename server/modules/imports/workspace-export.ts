import { strToU8, zipSync } from 'fflate';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TWorkspaceExport } from '../../../common/contracts/exports';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, notFound } from '../../platform/http/errors';
import type { Job, JobQueue } from '../../platform/jobs/job-queue';
import { csvOfRows } from '../../platform/records/export';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { importActor } from './import-job';

/**
 * Whole-workspace export (issue 18, point 2): "leaving Rapport, no lock-in". Every object the
 * requester may export (the export permission, their record scope and the fields their role
 * sees, as for one list's export) goes into one ZIP: `<object>.csv` with the spreadsheet
 * export's columns, `<object>.json` with the API's records, and `manifest.json` (the objects,
 * their fields and counts). A job writes it object by object, each in one read transaction;
 * each object's files are stored as they are written, so a crashed run goes on from the next
 * object, and the progress is readable meanwhile. Audited when asked for and per object
 * written (`records.exported`, as a list export is).
 */

export const EXPORT_QUEUE = 'workspace-export';
const PAGE = 500;

interface ExportRow {
  id: string;
  requested_by: string | null;
  actor: Parameters<typeof importActor>[2];
  status: TWorkspaceExport['status'];
  objects: string[];
  counts: Record<string, number>;
  size_bytes: string | number | null;
  error: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const iso = (d: Date | string | null) => (d == null ? null : (d instanceof Date ? d : new Date(d)).toISOString());

export function presentExport(r: ExportRow): TWorkspaceExport {
  const done = r.objects.filter((o) => r.counts[o] !== undefined);
  return {
    id: r.id,
    status: r.status,
    progress: {
      objectsDone: done.length,
      objectsTotal: r.objects.length,
      records: done.reduce((n, o) => n + (r.counts[o] ?? 0), 0),
    },
    objects: r.objects.map((object) => ({ object, records: r.counts[object] ?? null })),
    sizeBytes: r.size_bytes == null ? null : Number(r.size_bytes),
    fileUrl: r.status === 'completed' ? `/api/v1/exports/${r.id}/file` : null,
    error: r.error,
    createdAt: iso(r.created_at) as string,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** The objects `actor` may export (in the registry's order). */
export async function exportableObjects(tx: Tx, records: RecordService, actor: Actor): Promise<string[]> {
  const out: string[] = [];
  for (const def of records.registry.all()) {
    try {
      await records.context(tx, actor, def.name, 'export');
      out.push(def.name);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'forbidden') throw err;
    }
  }
  return out;
}

/** Asks for an export of everything the caller may export: 403 when that is nothing. */
export async function requestExport(
  database: Database,
  records: RecordService,
  jobs: JobQueue,
  actor: Actor,
): Promise<string> {
  const id = uuidv7();
  await database.tenant(actor.workspaceId, async (tx) => {
    const objects = await exportableObjects(tx, records, actor);
    if (objects.length === 0) throw new AppError('forbidden', 'Your role may not export any object');
    await sql`
      insert into workspace_exports (workspace_id, id, requested_by, actor, objects)
      values (${actor.workspaceId}::uuid, ${id}::uuid, ${actor.userId}::uuid,
        ${JSON.stringify({
          kind: actor.kind,
          userId: actor.userId,
          apiKeyId: actor.apiKeyId ?? null,
          scopes: actor.scopes,
          role: actor.role,
          creatorRole: actor.creatorRole ?? null,
        })}::jsonb, ${objects}::text[])`.execute(tx);
    await audit(tx, actor, { action: 'workspace.export_requested', detail: { exportId: id, objects } });
    await jobs.enqueue(tx, {
      queue: EXPORT_QUEUE,
      workspaceId: actor.workspaceId,
      payload: { exportId: id },
      key: `export:${id}`,
    });
  });
  return id;
}

/** The caller's own export (another member's is 404: it holds what they could see). */
export async function loadExport(tx: Tx, actor: Actor, id: string): Promise<ExportRow> {
  const { rows } = await sql<ExportRow>`
    select id, requested_by, actor, status, objects, counts, size_bytes, error, created_at, started_at, finished_at
    from workspace_exports where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  const row = rows[0];
  const mine =
    row &&
    (actor.kind === 'api_key'
      ? row.actor.kind === 'api_key' && row.actor.apiKeyId === actor.apiKeyId
      : row.actor.kind === 'user' && row.requested_by === actor.userId);
  if (!row || !mine) throw notFound('Export');
  return row;
}

/** The caller's recent exports, newest first. */
export async function listExports(tx: Tx, actor: Actor): Promise<TWorkspaceExport[]> {
  const { rows } = await sql<ExportRow>`
    select id, requested_by, actor, status, objects, counts, size_bytes, error, created_at, started_at, finished_at
    from workspace_exports where workspace_id = rapport_workspace()
      and ${actor.kind === 'api_key' ? sql`actor->>'apiKeyId' = ${actor.apiKeyId ?? ''}` : sql`requested_by = ${actor.userId}::uuid and actor->>'kind' = 'user'`}
    order by created_at desc limit 20`.execute(tx);
  return rows.map(presentExport);
}

/** The completed export's ZIP. */
export async function exportFile(tx: Tx, actor: Actor, id: string): Promise<Buffer> {
  const row = await loadExport(tx, actor, id);
  if (row.status !== 'completed') throw new AppError('conflict', `The export is ${row.status}, not completed`);
  const { rows } = await sql<{ data: Buffer }>`
    select data from workspace_export_files
    where workspace_id = rapport_workspace() and export_id = ${id}::uuid and name = ''`.execute(tx);
  if (!rows[0]) throw notFound('Export file');
  return rows[0].data;
}

/** Marks an export failed (its job gave up, or the member who asked left). */
export async function failExport(database: Database, workspaceId: string, id: string, error: string): Promise<void> {
  await database.tenant(workspaceId, (tx) =>
    sql`update workspace_exports set status = 'failed', error = ${error.slice(0, 1000)}, finished_at = now()
      where workspace_id = rapport_workspace() and id = ${id}::uuid and status <> 'completed'`.execute(tx),
  );
}

/** One object's records as the actor may export them, every page in one read transaction. */
async function writeObject(
  database: Database,
  records: RecordService,
  actor: Actor,
  exportId: string,
  object: string,
): Promise<void> {
  await database.tenant(actor.workspaceId, async (tx) => {
    const ctx = await records.context(tx, actor, object, 'export');
    const rows: RecordData[] = [];
    let cursor: string | undefined;
    do {
      const page = await records.list(tx, actor, object, { limit: PAGE, cursor, sort: 'createdAt' }, 'export');
      rows.push(...page.data);
      cursor = page.page.nextCursor ?? undefined;
    } while (cursor);
    const csv = await csvOfRows(records, tx, ctx, rows);
    const json = `${JSON.stringify(rows, null, 1)}\n`;
    await sql`
      insert into workspace_export_files (workspace_id, export_id, name, data)
      values (rapport_workspace(), ${exportId}::uuid, ${`${object}.csv`}, ${Buffer.from(csv)}),
             (rapport_workspace(), ${exportId}::uuid, ${`${object}.json`}, ${Buffer.from(json)})
      on conflict (workspace_id, export_id, name) do update set data = excluded.data`.execute(tx);
    await sql`
      update workspace_exports set counts = counts || jsonb_build_object(${object}::text, ${rows.length}::int)
      where workspace_id = rapport_workspace() and id = ${exportId}::uuid`.execute(tx);
    await audit(tx, actor, {
      action: 'records.exported',
      object,
      detail: { rows: rows.length, workspaceExport: exportId },
    });
  });
}

/** The job: each object not written yet, then the ZIP (written once, with the manifest). */
export async function runExportJob(
  deps: { database: Database; records: RecordService },
  job: Job<{ exportId: string }>,
): Promise<void> {
  const { database, records } = deps;
  const workspaceId = job.workspaceId as string;
  const { exportId } = job.payload;
  const row = await database.tenant(workspaceId, async (tx) => {
    const { rows } = await sql<ExportRow>`
      update workspace_exports set status = 'running', started_at = coalesce(started_at, now())
      where workspace_id = rapport_workspace() and id = ${exportId}::uuid and status in ('queued', 'running')
      returning id, requested_by, actor, status, objects, counts, size_bytes, error, created_at, started_at, finished_at`.execute(
      tx,
    );
    return rows[0];
  });
  if (!row) return;
  const actor = await importActor(database, workspaceId, row.actor);
  if (!actor) {
    await failExport(database, workspaceId, exportId, 'the member who asked for it left');
    return;
  }
  for (const object of row.objects) {
    if (row.counts[object] !== undefined) continue;
    try {
      await writeObject(database, records, actor, exportId, object);
    } catch (err) {
      // Their role lost the export permission (or the object went) since: that object is left out.
      if (
        err instanceof AppError &&
        (err.code === 'forbidden' || err.code === 'route_not_found' || err.code === 'not_found')
      ) {
        await database.tenant(workspaceId, (tx) =>
          sql`update workspace_exports set counts = counts || jsonb_build_object(${object}::text, 0)
            where workspace_id = rapport_workspace() and id = ${exportId}::uuid`.execute(tx),
        );
        continue;
      }
      throw err;
    }
  }
  await database.tenant(workspaceId, async (tx) => {
    const { rows: done } = await sql<ExportRow>`
      select id, requested_by, actor, status, objects, counts, size_bytes, error, created_at, started_at, finished_at
      from workspace_exports where workspace_id = rapport_workspace() and id = ${exportId}::uuid for update`.execute(
      tx,
    );
    const current = done[0];
    if (current?.status !== 'running') return;
    const { rows: files } = await sql<{ name: string; data: Buffer }>`
      select name, data from workspace_export_files
      where workspace_id = rapport_workspace() and export_id = ${exportId}::uuid and name <> '' order by name`.execute(
      tx,
    );
    const { rows: ws } = await sql<{
      name: string;
    }>`select name from workspaces where id = rapport_workspace()`.execute(tx);
    const manifest = {
      workspace: { id: workspaceId, name: ws[0]?.name ?? null },
      exportedAt: new Date().toISOString(),
      exportId,
      objects: await Promise.all(
        current.objects.map(async (object) => {
          const schema = (await records.context(tx, actor, object, 'read').catch(() => null))?.schema;
          return {
            object,
            records: current.counts[object] ?? 0,
            files: [`${object}.csv`, `${object}.json`],
            fields: schema
              ? schema.fields().map((f) => ({ name: f.def.name, type: f.def.type, label: f.def.label }))
              : [],
          };
        }),
      ),
    };
    const entries: Record<string, Uint8Array> = { 'manifest.json': strToU8(`${JSON.stringify(manifest, null, 2)}\n`) };
    for (const f of files) entries[f.name] = new Uint8Array(f.data);
    const zip = Buffer.from(zipSync(entries, { level: 6 }));
    await sql`
      insert into workspace_export_files (workspace_id, export_id, name, data)
      values (rapport_workspace(), ${exportId}::uuid, '', ${zip})
      on conflict (workspace_id, export_id, name) do update set data = excluded.data`.execute(tx);
    // The ZIP holds the parts: they are not kept twice.
    await sql`delete from workspace_export_files
      where workspace_id = rapport_workspace() and export_id = ${exportId}::uuid and name <> ''`.execute(tx);
    await sql`update workspace_exports set status = 'completed', size_bytes = ${zip.length}, finished_at = now()
      where workspace_id = rapport_workspace() and id = ${exportId}::uuid`.execute(tx);
    await audit(tx, actor, {
      action: 'workspace.exported',
      detail: { exportId, objects: current.counts, sizeBytes: zip.length },
    });
  });
}
