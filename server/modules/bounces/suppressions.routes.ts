import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BounceSettingsSchema,
  CreateSuppressionRequest,
  SuppressionAddress,
  SuppressionPageSchema,
  SuppressionQuery,
  SuppressionSchema,
  UpdateBounceSettingsRequest,
} from '../../../common/contracts/mail-suppressions';
import { actorOf } from '../../platform/http/context';
import { notFound } from '../../platform/http/errors';
import {
  addSuppression,
  bounceSettings,
  getSuppression,
  listSuppressions,
  unsuppress,
  updateBounceSettings,
} from '../../platform/mail/suppressions';
import type { ModuleRouteDeps } from '../../platform/modules';

const tags = ['mail'];
const One = z.object({ data: SuppressionSchema });
const Settings = z.object({ data: BounceSettingsSchema });

/** The suppression list and the soft-bounce rule, for administrators. */
export function suppressionRoutes({ records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  const access = records.access;
  return async (app) => {
    app.get(
      '/api/v1/mail/suppressions',
      {
        schema: {
          tags,
          summary: 'Addresses mail is not sent to (hard bounces, complaints, repeated soft bounces, added by hand)',
          querystring: SuppressionQuery,
          response: { 200: SuppressionPageSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return access.asAdmin(actor, (tx) => listSuppressions(tx, actor.workspaceId, req.query));
      },
    );

    app.get(
      '/api/v1/mail/suppressions/:address',
      {
        schema: {
          tags,
          summary: 'Whether and why an address is suppressed',
          params: SuppressionAddress,
          response: { 200: One },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => getSuppression(tx, actor.workspaceId, req.params.address)) };
      },
    );

    app.post(
      '/api/v1/mail/suppressions',
      {
        schema: {
          tags,
          summary: 'Suppress an address (409 when it already is)',
          body: CreateSuppressionRequest,
          response: { 201: One },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await access.asAdmin(actor, (tx) => addSuppression(tx, actor.workspaceId, req.body, actor.userId));
        return reply
          .status(201)
          .header('location', `/api/v1/mail/suppressions/${encodeURIComponent(data.address)}`)
          .send({ data });
      },
    );

    app.delete(
      '/api/v1/mail/suppressions/:address',
      {
        schema: { tags, summary: 'Lift a suppression: mail to the address goes out again', params: SuppressionAddress },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const lifted = await access.asAdmin(actor, (tx) => unsuppress(tx, actor.workspaceId, req.params.address));
        if (!lifted) throw notFound('Suppression');
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/mail/bounce-settings',
      {
        schema: {
          tags,
          summary: 'How many soft bounces within how many days suppress an address',
          response: { 200: Settings },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => bounceSettings(tx, actor.workspaceId)) };
      },
    );

    app.patch(
      '/api/v1/mail/bounce-settings',
      {
        schema: {
          tags,
          summary: 'Change the soft-bounce rule',
          body: UpdateBounceSettingsRequest,
          response: { 200: Settings },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await access.asAdmin(actor, (tx) => updateBounceSettings(tx, actor.workspaceId, req.body)) };
      },
    );
  };
}
