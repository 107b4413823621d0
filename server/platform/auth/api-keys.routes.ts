import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiKeySchema, CreateApiKeyRequest, CreatedApiKeySchema, IdParams } from '../../../common/contracts/platform';
import type { AccessService } from '../access/access.service';
import type { Database } from '../db/database';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service';
import type { CallerResolver } from './caller-resolver';

/** API keys of a workspace: created (shown once), listed, revoked — by administrators. */
export function apiKeyRoutes(
  database: Database,
  access: AccessService,
  callers: CallerResolver,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: 'Create an API key; the secret is in this response only',
          body: CreateApiKeyRequest,
          response: { 201: z.object({ data: CreatedApiKeySchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await access.checkAdmin(actor);
        const expiresAt = req.body.expiresAt ? new Date(req.body.expiresAt) : null;
        if (expiresAt && expiresAt.getTime() <= Date.now()) {
          throw new AppError('validation_failed', 'expiresAt must be in the future', {
            errors: [{ path: 'expiresAt', message: 'must be in the future' }],
          });
        }
        const data = await createApiKey(database, actor.workspaceId, {
          name: req.body.name,
          role: req.body.role ?? actor.role,
          scopes: req.body.scopes,
          expiresAt,
          createdBy: actor.userId,
        });
        return reply
          .status(201)
          .header('location', `/api/v1/api-keys/${data.id}`)
          .header('cache-control', 'no-store')
          .send({ data });
      },
    );

    app.get(
      '/api/v1/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: 'API keys of this workspace (never their secrets)',
          response: { 200: z.object({ data: z.array(ApiKeySchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await access.checkAdmin(actor);
        return { data: await listApiKeys(database, actor.workspaceId) };
      },
    );

    app.delete(
      '/api/v1/api-keys/:id',
      {
        schema: {
          tags: ['api keys'],
          summary: 'Revoke an API key (it stops working at once)',
          params: IdParams,
          response: { 200: z.object({ data: ApiKeySchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await access.checkAdmin(actor);
        const data = await revokeApiKey(database, actor.workspaceId, req.params.id);
        callers.forgetApiKey(data.id);
        return { data };
      },
    );
  };
}
