import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreatePipelineRequest, PipelineSchema, UpdatePipelineRequest } from '../../../common/contracts/sales';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { invalidateSchemas } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import { createPipeline, deletePipeline, getPipeline, listPipelines, updatePipeline } from './pipelines.service';

const IdParam = z.object({ id: z.string().min(1).max(64) }).strict();
const tags = ['Pipelines'];

/** Pipelines and their stages: read by whoever reads opportunities, changed by administrators. */
export function pipelineRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  const read = <T>(actor: Actor, fn: (tx: Tx) => Promise<T>) =>
    database.tenantRead(actor.workspaceId, async (tx) => {
      (await records.access.policy(tx, actor)).assert('opportunities', 'read');
      return fn(tx);
    });
  /** An administrator's change; this server's cached schemas (stage options) go after commit, others hear NOTIFY. */
  const change = async <T>(actor: Actor, fn: (tx: Tx) => Promise<T>) => {
    try {
      return await records.access.asAdmin(actor, fn);
    } finally {
      invalidateSchemas(actor.workspaceId);
    }
  };

  return async (app) => {
    app.get(
      '/api/v1/pipelines',
      {
        schema: {
          tags,
          summary: 'Pipelines with their ordered stages (default first)',
          response: { 200: z.object({ data: z.array(PipelineSchema) }) },
        },
      },
      async (req) => ({ data: await read(actorOf(req), listPipelines) }),
    );
    app.get(
      '/api/v1/pipelines/:id',
      {
        schema: {
          tags,
          summary: 'One pipeline',
          params: IdParam,
          response: { 200: z.object({ data: PipelineSchema }) },
        },
      },
      async (req) => ({ data: await read(actorOf(req), (tx) => getPipeline(tx, req.params.id)) }),
    );
    app.post(
      '/api/v1/pipelines',
      {
        schema: {
          tags,
          summary: 'Create a pipeline (administrators)',
          description: 'Stages in order; at least one open, one won and one lost stage.',
          body: CreatePipelineRequest,
          response: { 201: z.object({ data: PipelineSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await change(actor, (tx) => createPipeline(tx, actor.workspaceId, req.body));
        return reply.status(201).header('location', `/api/v1/pipelines/${data.id}`).send({ data });
      },
    );
    app.patch(
      '/api/v1/pipelines/:id',
      {
        schema: {
          tags,
          summary: 'Rename, make default, or change the stages of a pipeline (administrators)',
          description:
            '`stages` is the whole new list in order. A stage that holds opportunities cannot be removed or change kind (409).',
          params: IdParam,
          body: UpdatePipelineRequest,
          response: { 200: z.object({ data: PipelineSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await change(actor, (tx) => updatePipeline(tx, actor.workspaceId, req.params.id, req.body)) };
      },
    );
    app.delete(
      '/api/v1/pipelines/:id',
      {
        schema: {
          tags,
          summary: 'Delete a pipeline without opportunities (administrators; not the default one)',
          params: IdParam,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await change(actorOf(req), (tx) => deletePipeline(tx, req.params.id));
        return reply.status(204).send(null);
      },
    );
  };
}
