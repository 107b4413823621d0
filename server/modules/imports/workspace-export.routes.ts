import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WorkspaceExportCreated, WorkspaceExportSchema } from '../../../common/contracts/exports';
import { IdParams } from '../../../common/contracts/platform';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import { exportFile, listExports, loadExport, presentExport, requestExport } from './workspace-export';

const tags = ['Exports'];

/** Whole-workspace export: ask, follow its progress, download the ZIP (the requester only). */
export function workspaceExportRoutes(deps: ModuleRouteDeps): FastifyPluginAsyncZod {
  const { database, records, jobs } = deps;
  return async (app) => {
    app.post(
      '/api/v1/exports',
      {
        schema: {
          tags,
          summary:
            'Export the whole workspace: every object you may export, as a ZIP of CSV and JSON (a background job; 403 when you may export nothing)',
          response: { 202: z.object({ data: WorkspaceExportCreated }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const id = await requestExport(database, records, jobs, actor);
        return reply.status(202).send({ data: { id } });
      },
    );

    app.get(
      '/api/v1/exports',
      {
        schema: {
          tags,
          summary: 'Your recent whole-workspace exports, newest first',
          response: { 200: z.object({ data: z.array(WorkspaceExportSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => listExports(tx, actor)) };
      },
    );

    app.get(
      '/api/v1/exports/:id',
      {
        schema: {
          tags,
          summary: 'An export’s status and progress (objects written, records), and its file’s URL once completed',
          params: IdParams,
          response: { 200: z.object({ data: WorkspaceExportSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const row = await database.tenantRead(actor.workspaceId, (tx) => loadExport(tx, actor, req.params.id));
        return { data: presentExport(row) };
      },
    );

    app.get(
      '/api/v1/exports/:id/file',
      {
        schema: {
          tags,
          summary: 'The completed export’s ZIP (409 before it is completed)',
          params: IdParams,
          produces: ['application/zip'],
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const zip = await database.tenantRead(actor.workspaceId, (tx) => exportFile(tx, actor, req.params.id));
        return reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="rapport-export-${req.params.id}.zip"`)
          .send(zip);
      },
    );
  };
}
