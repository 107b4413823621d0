import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ActivateRequest,
  AutomationSettingsRequest,
  AutomationSettingsSchema,
  ManualRunRequest,
  RunDetailSchema,
  RunPageSchema,
  RunsQuery,
  SuppressRequest,
  UpdateWorkflowRequest,
  WorkflowRequest,
  WorkflowSchema,
  WorkflowVersionSchema,
} from '../../../common/contracts/workflows';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import { ifMatch } from '../../platform/http/if-match';
import { registerSecretPath } from '../../platform/logging';
import type { AutomationSettingsService } from './automation-settings.service';
import type { WorkflowService } from './workflows.service';

const tags = ['workflows'];
const Id = z.object({ id: z.uuid() });
const RunParams = z.object({ id: z.uuid(), runId: z.uuid() });
const Settings = z.object({ data: AutomationSettingsSchema });
const One = z.object({ data: WorkflowSchema });
const Detail = z.object({ data: RunDetailSchema });

const requestKey = (req: FastifyRequest): string | undefined => {
  const k = req.headers['idempotency-key'];
  if (k === undefined) return undefined;
  if (typeof k !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(k)) {
    throw new AppError('malformed_request', 'Idempotency-Key must be 1–255 visible characters', {
      errors: [{ path: 'Idempotency-Key', message: 'malformed' }],
    });
  }
  return `${req.actor?.userId ?? 'public'}:${k}`;
};

/** /api/v1/workflows: definitions, versions, activation, runs and logs, manual and webhook starts. */
export function workflowRoutes(deps: {
  workflows: WorkflowService;
  settings: AutomationSettingsService;
}): FastifyPluginAsyncZod {
  const { workflows, settings } = deps;
  // An inbound hook's URL is its credential: never in a log line.
  registerSecretPath('/api/v1/workflows/:id/hooks/:secret');
  return async (app) => {
    app.get(
      '/api/v1/workflows',
      {
        schema: {
          tags,
          summary: 'Workflows of this workspace',
          response: { 200: z.object({ data: z.array(WorkflowSchema) }) },
        },
      },
      async (req) => ({
        data: await workflows.list(actorOf(req)),
      }),
    );

    app.post(
      '/api/v1/workflows',
      { schema: { tags, summary: 'Create a workflow (version 1)', body: WorkflowRequest, response: { 201: One } } },
      async (req, reply) => {
        const created = await workflows.create(actorOf(req), req.body);
        reply
          .code(201)
          .header('location', `/api/v1/workflows/${created.id}`)
          .header('etag', `"${created.latestVersion}"`);
        return { data: created };
      },
    );

    app.get(
      '/api/v1/workflows/:id',
      { schema: { tags, summary: 'A workflow', params: Id, response: { 200: One } } },
      async (req, reply) => {
        const w = await workflows.get(actorOf(req), req.params.id);
        reply.header('etag', `"${w.latestVersion}"`);
        return { data: w };
      },
    );

    app.patch(
      '/api/v1/workflows/:id',
      {
        schema: {
          tags,
          summary: 'Change a workflow (makes a new version; an active workflow switches to it)',
          params: Id,
          body: UpdateWorkflowRequest,
          response: { 200: One },
        },
      },
      async (req, reply) => {
        const w = await workflows.update(actorOf(req), req.params.id, req.body, ifMatch(req));
        reply.header('etag', `"${w.latestVersion}"`);
        return { data: w };
      },
    );

    app.delete(
      '/api/v1/workflows/:id',
      { schema: { tags, summary: 'Delete a workflow', params: Id } },
      async (req, reply) => {
        await workflows.remove(actorOf(req), req.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/workflows/:id/activate',
      {
        schema: {
          tags,
          summary: 'Activate a version (default the latest); the caller becomes the identity it runs as',
          params: Id,
          body: ActivateRequest,
          response: { 200: One },
        },
      },
      async (req) => ({ data: await workflows.activate(actorOf(req), req.params.id, req.body?.version) }),
    );

    app.post(
      '/api/v1/workflows/:id/deactivate',
      { schema: { tags, summary: 'Stop triggering (runs in flight finish)', params: Id, response: { 200: One } } },
      async (req) => ({ data: await workflows.deactivate(actorOf(req), req.params.id) }),
    );

    app.post(
      '/api/v1/workflows/:id/rotate-hook-secret',
      {
        schema: {
          tags,
          summary: 'A new inbound hook address (the old one stops working); shown in this response only',
          params: Id,
        },
      },
      async (req) => ({ data: await workflows.rotateHookSecret(actorOf(req), req.params.id) }),
    );

    app.get(
      '/api/v1/workflows/:id/versions',
      {
        schema: {
          tags,
          summary: 'Every version of a workflow, newest first',
          params: Id,
          response: { 200: z.object({ data: z.array(WorkflowVersionSchema) }) },
        },
      },
      async (req) => ({ data: await workflows.versions(actorOf(req), req.params.id) }),
    );

    app.get(
      '/api/v1/workflows/:id/runs',
      {
        schema: {
          tags,
          summary: 'Runs of a workflow, newest first',
          params: Id,
          querystring: RunsQuery,
          response: { 200: RunPageSchema },
        },
      },
      async (req) => workflows.runs(actorOf(req), req.params.id, req.query),
    );

    app.get(
      '/api/v1/workflows/:id/runs/:runId',
      { schema: { tags, summary: 'A run with its step log', params: RunParams, response: { 200: Detail } } },
      async (req) => ({ data: await workflows.run(actorOf(req), req.params.id, req.params.runId) }),
    );

    app.post(
      '/api/v1/workflows/:id/runs/:runId/steps/:stepId/retry',
      {
        schema: {
          tags,
          summary: 'Run a failed step again',
          params: RunParams.extend({ stepId: z.uuid() }),
          response: { 200: Detail },
        },
      },
      async (req) => ({
        data: await workflows.retryStep(actorOf(req), req.params.id, req.params.runId, req.params.stepId),
      }),
    );

    app.post(
      '/api/v1/workflows/:id/runs/:runId/cancel',
      {
        schema: {
          tags,
          summary: 'Cancel a run (its pending steps are skipped)',
          params: RunParams,
          response: { 200: Detail },
        },
      },
      async (req) => ({ data: await workflows.cancelRun(actorOf(req), req.params.id, req.params.runId) }),
    );

    app.post(
      '/api/v1/workflows/:id/run',
      {
        schema: {
          tags,
          summary: 'Run the active version on a selection of records (ids and/or a filter)',
          params: Id,
          body: ManualRunRequest,
        },
      },
      async (req, reply) => {
        const result = await workflows.runManually(actorOf(req), req.params.id, req.body, requestKey(req));
        reply.code(202);
        return { data: result };
      },
    );

    app.post(
      '/api/v1/workflows/:id/hooks/:secret',
      {
        config: { public: true, limit: 'workflows.hook' },
        schema: {
          tags,
          summary: 'Inbound webhook trigger: the JSON body becomes the run’s trigger data',
          params: z.object({ id: z.uuid(), secret: z.string().min(1).max(200) }),
          security: [],
        },
      },
      async (req, reply) => {
        const result = await workflows.receiveHook(req.params.id, req.params.secret, req.body ?? {}, requestKey(req));
        reply.code(202);
        return { data: result };
      },
    );

    app.get(
      '/api/v1/automation/settings',
      { schema: { tags, summary: 'Automation settings', response: { 200: Settings } } },
      async (req) => ({
        data: await settings.get(actorOf(req)),
      }),
    );

    app.patch(
      '/api/v1/automation/settings',
      {
        schema: {
          tags,
          summary: 'Change automation settings (cool-down between automated emails to one address)',
          body: AutomationSettingsRequest,
          response: { 200: Settings },
        },
      },
      async (req) => ({ data: await settings.update(actorOf(req), req.body) }),
    );

    app.get(
      '/api/v1/email-suppressions',
      { schema: { tags, summary: 'Addresses automation never emails' } },
      async (req) => ({ data: await settings.suppressions(actorOf(req)) }),
    );

    app.post(
      '/api/v1/email-suppressions',
      {
        schema: {
          tags,
          summary: 'Suppress an address',
          body: SuppressRequest,
        },
      },
      async (req, reply) => {
        reply.code(201);
        return { data: await settings.suppress(actorOf(req), req.body.email, req.body.reason) };
      },
    );

    app.delete(
      '/api/v1/email-suppressions/:email',
      { schema: { tags, summary: 'Lift a suppression', params: z.object({ email: z.string().min(3).max(320) }) } },
      async (req, reply) => {
        await settings.unsuppress(actorOf(req), req.params.email);
        return reply.code(204).send();
      },
    );
  };
}
