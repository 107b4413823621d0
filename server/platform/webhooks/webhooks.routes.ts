import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
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

/** `contact.created`, `contact.*` (every contact event) or `*` (everything). */
const EventPattern = z
  .string()
  .regex(
    /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/,
    'must be an event type like contact.created, contact.* or *',
  );

const Fields = {
  url: z.string().trim().min(8).max(2000),
  eventTypes: z.array(EventPattern).min(1).max(50),
  description: z.string().max(500).nullable(),
  active: z.boolean(),
  role: z.string().min(1).max(50),
};

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
          body: z
            .object({
              url: Fields.url,
              eventTypes: Fields.eventTypes,
              description: Fields.description.optional(),
              active: Fields.active.optional(),
              role: Fields.role.optional(),
            })
            .strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) => createSubscription(tx, actor, req.body, network, secrets));
        return reply.status(201).header('location', `/api/v1/webhooks/${data.id}`).send({ data });
      },
    );

    app.get('/api/v1/webhooks', { schema: { tags: ['webhooks'], summary: 'Webhook subscriptions' } }, async (req) => ({
      data: await access.asAdmin(actorOf(req), listSubscriptions),
    }));

    app.get(
      '/api/v1/webhooks/:id',
      { schema: { tags: ['webhooks'], summary: 'One webhook subscription', params: Id } },
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
          body: z.object(Fields).partial().strict(),
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
        schema: { tags: ['webhooks'], summary: 'Replace the signing secret (shown in this response only)', params: Id },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => rotateSecret(tx, actor, req.params.id, secrets)) };
      },
    );

    app.post(
      '/api/v1/webhooks/:id/ping',
      { schema: { tags: ['webhooks'], summary: 'Send a signed webhook.ping event now', params: Id } },
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
          querystring: z
            .object({
              status: z.enum(['pending', 'succeeded', 'failed']).optional(),
              before: z.uuid().optional(),
              limit: z.coerce.number().int().min(1).max(200).default(50),
            })
            .strict(),
        },
      },
      async (req) => access.asAdmin(actorOf(req), (tx) => listDeliveries(tx, req.params.id, req.query)),
    );

    app.get(
      '/api/v1/webhooks/:id/deliveries/:deliveryId',
      { schema: { tags: ['webhooks'], summary: 'One delivery with its body and attempts', params: DeliveryParams } },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => getDelivery(tx, req.params.id, req.params.deliveryId)),
      }),
    );

    app.post(
      '/api/v1/webhooks/:id/deliveries/:deliveryId/replay',
      { schema: { tags: ['webhooks'], summary: 'Send a delivery again now (same event id)', params: DeliveryParams } },
      async (req, reply) => {
        const data = await access.asAdmin(actorOf(req), (tx) =>
          replayDelivery(tx, jobs, req.params.id, req.params.deliveryId),
        );
        return reply.status(202).send({ data });
      },
    );
  };
}
