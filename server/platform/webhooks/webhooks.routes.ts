import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateWebhookRequest,
  DeliveriesQuery,
  DeliveryDetailSchema,
  DeliverySchema,
  UpdateWebhookRequest,
  WebhookSchema,
  WebhookWithSecretSchema,
} from '../../../common/contracts/webhooks';
import type { AccessService } from '../access/access.service';
import type { SecretBox } from '../crypto/secret-box';
import { actorOf } from '../http/context';
import type { JobQueue } from '../jobs/job-queue';
import {
  createSubscription,
  deleteSubscription,
  getDelivery,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  pingSubscription,
  replayDelivery,
  rotateSecret,
  updateSubscription,
} from './webhooks.service';

const Id = z.object({ id: z.uuid() }).strict();
const DeliveryParams = z.object({ id: z.uuid(), deliveryId: z.uuid() }).strict();

/**
 * Outbound webhook subscriptions, their delivery log, replay and ping — administrators only.
 * Whether private networks may be reached is the operator's setting (`allowPrivateNetwork`
 * from RAPPORT_WEBHOOKS_ALLOW_PRIVATE), not a field: the strict bodies refuse an
 * `allowPrivateNetwork` key with a 422 naming it.
 */
export function webhookRoutes(deps: {
  access: AccessService;
  jobs: JobQueue;
  allowPrivateNetwork: boolean;
  /** Seals signing secrets at rest. */
  secrets: SecretBox;
}): FastifyPluginAsyncZod {
  const { access, jobs, secrets } = deps;
  const network = { allowPrivateNetwork: deps.allowPrivateNetwork };
  return async (app) => {
    app.post(
      '/api/v1/webhooks',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Subscribe a URL to events; the signing secret is in this response only',
          body: CreateWebhookRequest,
          response: { 201: z.object({ data: WebhookWithSecretSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) => createSubscription(tx, actor, req.body, network, secrets));
        return reply.status(201).header('location', `/api/v1/webhooks/${data.id}`).send({ data });
      },
    );

    app.get(
      '/api/v1/webhooks',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Webhook subscriptions',
          response: { 200: z.object({ data: z.array(WebhookSchema) }) },
        },
      },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), listSubscriptions),
      }),
    );

    app.get(
      '/api/v1/webhooks/:id',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'One webhook subscription',
          params: Id,
          response: { 200: z.object({ data: WebhookSchema }) },
        },
      },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => getSubscription(tx, req.params.id)),
      }),
    );

    app.patch(
      '/api/v1/webhooks/:id',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Change a subscription (URL, events, role, active)',
          params: Id,
          body: UpdateWebhookRequest,
          response: { 200: z.object({ data: WebhookSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await access.asAdmin(actor, (tx) => updateSubscription(tx, actor, req.params.id, req.body, network)),
        };
      },
    );

    app.delete(
      '/api/v1/webhooks/:id',
      { schema: { tags: ['webhooks'], summary: 'Delete a subscription and its delivery log', params: Id } },
      async (req, reply) => {
        await access.asAdmin(actorOf(req), (tx) => deleteSubscription(tx, req.params.id));
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/webhooks/:id/rotate-secret',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Replace the signing secret (shown in this response only)',
          params: Id,
          response: { 200: z.object({ data: WebhookWithSecretSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => rotateSecret(tx, actor, req.params.id, secrets)) };
      },
    );

    app.post(
      '/api/v1/webhooks/:id/ping',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Send a signed webhook.ping event now',
          params: Id,
          response: { 202: z.object({ data: DeliveryDetailSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) => pingSubscription(tx, jobs, actor, req.params.id, jobs.now()));
        return reply.status(202).send({ data });
      },
    );

    app.get(
      '/api/v1/webhooks/:id/deliveries',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Delivery log, newest first',
          params: Id,
          querystring: DeliveriesQuery,
          response: { 200: z.object({ data: z.array(DeliverySchema), next: z.string().nullable() }) },
        },
      },
      async (req) => access.asAdmin(actorOf(req), (tx) => listDeliveries(tx, req.params.id, req.query)),
    );

    app.get(
      '/api/v1/webhooks/:id/deliveries/:deliveryId',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'One delivery with its body and attempts',
          params: DeliveryParams,
          response: { 200: z.object({ data: DeliveryDetailSchema }) },
        },
      },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => getDelivery(tx, req.params.id, req.params.deliveryId)),
      }),
    );

    app.post(
      '/api/v1/webhooks/:id/deliveries/:deliveryId/replay',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Send a delivery again now (same event id)',
          params: DeliveryParams,
          response: { 202: z.object({ data: DeliveryDetailSchema }) },
        },
      },
      async (req, reply) => {
        const data = await access.asAdmin(actorOf(req), (tx) =>
          replayDelivery(tx, jobs, req.params.id, req.params.deliveryId),
        );
        return reply.status(202).send({ data });
      },
    );
  };
}
