import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MeResponse, MyWorkspacesResponse, SignInRequest, SignUpRequest } from '../../../common/contracts/platform';
import { membershipOf } from '../auth/actor';
import type { CallerResolver } from '../auth/caller-resolver';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { getMe, type IdentityDeps, listMyWorkspaces, signIn, signOut, signUp } from './identity.service';

const setCookies = (reply: FastifyReply, cookies: string[]) => {
  if (cookies.length > 0) reply.header('set-cookie', cookies);
};

/** Sign-up, sign-in, sign-out and "who am I". */
export function authRoutes(deps: IdentityDeps & { callers: CallerResolver }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/auth/sign-up',
      {
        config: { public: true, limit: 'auth.sign-up' },
        schema: {
          tags: ['auth'],
          summary: 'Create an account and a workspace you administer; starts a session (cookie)',
          body: SignUpRequest,
          response: { 201: MeResponse },
        },
      },
      async (req, reply) => {
        const result = await signUp(deps, req.body, req.headers);
        setCookies(reply, result.setCookies);
        return reply.status(201).send({ data: result.data });
      },
    );

    app.post(
      '/api/v1/auth/sign-in',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password; starts a session (httpOnly cookie)',
          description: 'After 5 failed attempts for one email within 15 minutes, sign-in is refused with 429.',
          body: SignInRequest,
          response: { 200: MeResponse },
        },
      },
      async (req, reply) => {
        const result = await signIn(deps, req.body, req.ip, req.headers);
        const membership = await membershipOf(deps.database, result.data.userId);
        if (!membership) throw new AppError('forbidden', 'You belong to no workspace');
        setCookies(reply, result.setCookies);
        const me = await getMe(deps.database, {
          kind: 'user',
          userId: result.data.userId,
          ...membership,
          scopes: [],
        });
        return { data: me };
      },
    );

    app.post(
      '/api/v1/auth/sign-out',
      {
        config: { public: true },
        schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
      },
      async (req, reply) => {
        deps.callers.forgetSession(req.headers);
        setCookies(reply, await signOut(deps, req.headers));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/v1/me',
      { schema: { tags: ['auth'], summary: 'The caller, their workspace and role', response: { 200: MeResponse } } },
      async (req) => ({ data: await getMe(deps.database, actorOf(req)) }),
    );

    app.get(
      '/api/v1/me/workspaces',
      {
        schema: {
          tags: ['auth'],
          summary: 'The workspaces the caller belongs to; pick one with the Rapport-Workspace header',
          response: { 200: MyWorkspacesResponse },
        },
      },
      async (req) => ({ data: await listMyWorkspaces(deps.database, actorOf(req)) }),
    );
  };
}
