import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { defineModule, type ModuleRouteDeps } from '../../platform/modules';
import { runImportJob } from './import-job';
import { importRoutes } from './imports.routes';
import { IMPORT_QUEUE } from './imports.service';
import { savedMappingRoutes } from './saved-mappings.routes';
import { vcardRoutes } from './vcard.routes';
import { EXPORT_QUEUE, failExport, runExportJob } from './workspace-export';
import { workspaceExportRoutes } from './workspace-export.routes';

export {
  IMPORT_SUMMARY_EVENTS,
  importedRecordIds,
  importOf,
  importTimelineRows,
  RECORD_IMPORTED,
} from './imported-records';
export { IMPORT_QUEUE } from './imports.service';
export { vcardContact } from './vcard.routes';

const routes =
  (deps: ModuleRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(importRoutes(deps));
    await app.register(savedMappingRoutes(deps));
    await app.register(vcardRoutes(deps));
    await app.register(workspaceExportRoutes(deps));
  };

/**
 * Imports (issue 18): CSV, XLSX and vCard files streamed into any object by a background
 * job, in batches through the record engine (resumable after a crash: a checkpoint per
 * committed batch), with HubSpot and Salesforce presets, dedupe by external id or a unique
 * field, relations by id, external id, name or email, per-row errors as CSV, dry runs, and
 * one audit entry and one summary event per import, and saved mappings reused by name. Also contacts as vCard, and the
 * whole-workspace export (every exportable object as a ZIP of CSV and JSON, by a job).
 */
export const importsModule = defineModule({
  name: 'imports',
  routes,
  work: (deps) => {
    const { database, records, jobs } = deps;
    jobs.define<{ importId: string }>(IMPORT_QUEUE, (job) => runImportJob({ database, records, jobs }, job), {
      // A run hands over after about 10 s; a crashed one is taken back after its lease.
      concurrency: 1,
      maxAttempts: 100,
      backoffSeconds: 2,
      maxBackoffSeconds: 60,
      leaseSeconds: 30,
    });
    jobs.define<{ exportId: string }>(EXPORT_QUEUE, (job) => runExportJob({ database, records }, job), {
      concurrency: 1,
      maxAttempts: 5,
      backoffSeconds: 5,
      leaseSeconds: 600,
      onFailed: (job, error) =>
        failExport(database, job.workspaceId as string, (job.payload as { exportId: string }).exportId, error),
    });
    return {};
  },
});
