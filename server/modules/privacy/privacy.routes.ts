import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CompletePrivacyRequest,
  CreatedPrivacyRequestResponse,
  CreatePrivacyRequest,
  ExtendPrivacyRequest,
  PrivacyRequestListResponse,
  PrivacyRequestQuery,
  PrivacyRequestResponse,
  RetentionPolicyInput,
  RetentionPolicyListResponse,
  RetentionPolicyResponse,
  RetentionRunQuery,
  RetentionRunResponse,
  UpdatePrivacyRequest,
} from '../../../common/contracts/privacy';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import {
  completeRequest,
  createRequest,
  exportAccess,
  extendRequest,
  getRequest,
  listRequests,
  updateRequest,
} from './privacy.service';
import { createPolicy, deletePolicy, listPolicies, runPolicy, updatePolicy } from './retention';

const tags = ['Privacy'];
const params = z.object({ id: z.uuid() }).strict();

/** Data-subject requests and retention policies, for administrators. */
export function privacyRoutes({ config, database, records, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  const access = records.access;
  return async (app) => {
    app.post(
      '/api/v1/privacy/requests',
      {
        schema: {
          tags,
          summary: 'Record a data-subject request (access, erasure, rectification, opt-out, restriction)',
          description:
            'Due in 30 days (GDPR) or 45 (CCPA). Without `verified: true` the person is mailed a link to confirm their identity.',
          body: CreatePrivacyRequest,
          response: { 201: CreatedPrivacyRequestResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) =>
          createRequest(
            tx,
            actor,
            { ...req.body, source: actor.kind === 'api_key' ? 'api' : 'admin' },
            {
              now: now(),
              baseUrl: config.baseUrl,
            },
          ),
        );
        return reply.status(201).send({ data });
      },
    );

    app.get(
      '/api/v1/privacy/requests',
      {
        schema: {
          tags,
          summary: 'The request queue: open requests by due date, then closed ones',
          querystring: PrivacyRequestQuery,
          response: { 200: PrivacyRequestListResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => listRequests(tx, req.query)) };
      },
    );

    app.get(
      '/api/v1/privacy/requests/:id',
      { schema: { tags, summary: 'One request', params, response: { 200: PrivacyRequestResponse } } },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => getRequest(tx, req.params.id)) };
      },
    );

    app.patch(
      '/api/v1/privacy/requests/:id',
      {
        schema: {
          tags,
          summary: 'Assign a request, record the identity as verified, add notes or reject it',
          params,
          body: UpdatePrivacyRequest,
          response: { 200: PrivacyRequestResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await access.asAdmin(actor, (tx) => updateRequest(tx, actor, req.params.id, req.body, now())),
        };
      },
    );

    app.post(
      '/api/v1/privacy/requests/:id/extend',
      {
        schema: {
          tags,
          summary: 'Extend the due date once (GDPR: two months, CCPA: 45 days), with the reason',
          params,
          body: ExtendPrivacyRequest,
          response: { 200: PrivacyRequestResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await access.asAdmin(actor, (tx) => extendRequest(tx, actor, req.params.id, req.body.reason, now())),
        };
      },
    );

    app.post(
      '/api/v1/privacy/requests/:id/complete',
      {
        schema: {
          tags,
          summary: 'Carry the request out',
          description:
            'Access: the export becomes available. Erasure: the person is removed (or anonymised) everywhere. Rectification: `changes` are applied to their records. Opt-out / restriction: the consent ledger.',
          params,
          body: CompletePrivacyRequest.optional(),
          response: { 200: PrivacyRequestResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await completeRequest(database, records, actor, req.params.id, req.body ?? {}, now()),
        };
      },
    );

    app.get(
      '/api/v1/privacy/requests/:id/export',
      {
        schema: {
          tags,
          summary: 'The access export: a ZIP of JSON and CSV of every personal value held about the person',
          params,
          produces: ['application/zip'],
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const { zip, filename } = await exportAccess(database, records, actor, req.params.id, now());
        return reply
          .header('content-type', 'application/zip')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(Buffer.from(zip));
      },
    );

    // ---- retention policies ------------------------------------------------
    app.get(
      '/api/v1/privacy/retention-policies',
      { schema: { tags, summary: 'Retention policies', response: { 200: RetentionPolicyListResponse } } },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => listPolicies(tx)) };
      },
    );

    app.post(
      '/api/v1/privacy/retention-policies',
      {
        schema: {
          tags,
          summary: 'Add a retention policy (applied daily; try it first with a dry run)',
          body: RetentionPolicyInput,
          response: { 201: RetentionPolicyResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) => createPolicy(tx, records, actor, req.body));
        return reply.status(201).send({ data });
      },
    );

    app.put(
      '/api/v1/privacy/retention-policies/:id',
      {
        schema: {
          tags,
          summary: 'Change a retention policy',
          params,
          body: RetentionPolicyInput,
          response: { 200: RetentionPolicyResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => updatePolicy(tx, records, actor, req.params.id, req.body)) };
      },
    );

    app.delete(
      '/api/v1/privacy/retention-policies/:id',
      { schema: { tags, summary: 'Remove a retention policy', params } },
      async (req, reply) => {
        const actor = actorOf(req);
        await access.asAdmin(actor, (tx) => deletePolicy(tx, actor, req.params.id));
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/privacy/retention-policies/:id/run',
      {
        schema: {
          tags,
          summary: 'Run a policy now; `dryRun=true` (the default) only reports what it would do',
          params,
          querystring: RetentionRunQuery,
          response: { 200: RetentionRunResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await access.checkAdmin(actor);
        return {
          data: await runPolicy(database, records, actor.workspaceId, req.params.id, {
            dryRun: req.query.dryRun !== 'false',
            now: now(),
            userId: actor.userId,
          }),
        };
      },
    );
  };
}
