import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AppPasswordSchema,
  CreateAppPasswordRequest,
  CreatedAppPasswordSchema,
  DavUrlsSchema,
  type TDavUrls,
} from '../../../common/contracts/dav';
import { IdParams } from '../../../common/contracts/platform';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { type AppPasswordAuth, createAppPassword, listAppPasswords, revokeAppPassword } from './app-passwords.service';
import { principalPath } from './dav.service';

/** Where to point a phone: the server, the discovery URLs and the member's principal. */
export function davUrls(baseUrl: string, userId: string): TDavUrls {
  const base = baseUrl.replace(/\/$/, '');
  return {
    server: base,
    carddav: `${base}/.well-known/carddav`,
    caldav: `${base}/.well-known/caldav`,
    principal: `${base}${principalPath(userId)}`,
  };
}

/** The signed-in member's app passwords: created (shown once), listed, revoked. */
export function appPasswordRoutes(deps: {
  database: Database;
  baseUrl: string;
  auth: AppPasswordAuth;
}): FastifyPluginAsyncZod {
  const { database } = deps;
  return async (app) => {
    app.post(
      '/api/v1/me/app-passwords',
      {
        schema: {
          tags: ['app passwords'],
          summary: 'Create an app password for CardDAV/CalDAV; the password is in this response only',
          body: CreateAppPasswordRequest,
          response: { 201: z.object({ data: CreatedAppPasswordSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const created = await database.tenant(actor.workspaceId, (tx) => createAppPassword(tx, actor, req.body.name));
        return reply
          .status(201)
          .header('location', `/api/v1/me/app-passwords/${created.id}`)
          .header('cache-control', 'no-store')
          .send({ data: { ...created, urls: davUrls(deps.baseUrl, actor.userId as string) } });
      },
    );

    app.get(
      '/api/v1/me/app-passwords',
      {
        schema: {
          tags: ['app passwords'],
          summary: 'Your app passwords in this workspace (never the passwords)',
          response: { 200: z.object({ data: z.array(AppPasswordSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenant(actor.workspaceId, (tx) => listAppPasswords(tx, actor)) };
      },
    );

    app.get(
      '/api/v1/me/dav',
      {
        schema: {
          tags: ['app passwords'],
          summary: 'The addresses to give a phone or calendar app (CardDAV/CalDAV)',
          response: { 200: z.object({ data: DavUrlsSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: davUrls(deps.baseUrl, actor.userId ?? '') };
      },
    );

    app.delete(
      '/api/v1/me/app-passwords/:id',
      {
        schema: {
          tags: ['app passwords'],
          summary: 'Revoke one of your app passwords (it stops working at once)',
          params: IdParams,
          response: { 200: z.object({ data: AppPasswordSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => revokeAppPassword(tx, actor, req.params.id));
        deps.auth.forget(data.id);
        return { data };
      },
    );
  };
}
