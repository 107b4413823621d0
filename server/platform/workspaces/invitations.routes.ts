import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AcceptedInvitationSchema,
  AcceptInvitationRequest,
  CreateInvitationRequest,
  InvitationInfoSchema,
  InvitationLookupQuery,
  InvitationSchema,
} from '../../../common/contracts/auth';
import { IdParams } from '../../../common/contracts/platform';
import type { AccessService } from '../access/access.service';
import type { CallerResolver } from '../auth/caller-resolver';
import { actorOf } from '../http/context';
import type { IdentityDeps } from './identity.service';
import {
  acceptInvitation,
  inviteMember,
  listInvitations,
  lookupInvitation,
  revokeInvitation,
} from './invitations.service';

/** Inviting people to a workspace by email, and accepting. */
export function invitationRoutes(
  deps: IdentityDeps & { baseUrl: string; callers: CallerResolver; access: AccessService },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/invitations',
      {
        schema: {
          tags: ['workspace'],
          summary: 'Invite someone by email to join this workspace with a role (administrators)',
          body: CreateInvitationRequest,
          response: { 201: z.object({ data: InvitationSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await deps.access.checkAdmin(actor);
        const data = await inviteMember(deps.database, deps.baseUrl, actor, req.body);
        return reply.status(201).header('location', `/api/v1/invitations/${data.id}`).send({ data });
      },
    );

    app.get(
      '/api/v1/invitations',
      {
        schema: {
          tags: ['workspace'],
          summary: 'Invitations of this workspace (administrators)',
          response: { 200: z.object({ data: z.array(InvitationSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await deps.access.checkAdmin(actor);
        return { data: await listInvitations(deps.database, actor) };
      },
    );

    app.delete(
      '/api/v1/invitations/:id',
      {
        schema: {
          tags: ['workspace'],
          summary: 'Revoke a pending invitation (administrators)',
          params: IdParams,
          response: { 200: z.object({ data: InvitationSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await deps.access.checkAdmin(actor);
        return { data: await revokeInvitation(deps.database, actor, req.params.id) };
      },
    );

    app.get(
      '/api/v1/invitations/lookup',
      {
        config: { public: true, limit: 'invitations.lookup' },
        schema: {
          tags: ['workspace'],
          summary: 'What an invitation token is for (shown before accepting)',
          querystring: InvitationLookupQuery,
          response: { 200: z.object({ data: InvitationInfoSchema }) },
        },
      },
      async (req) => ({ data: await lookupInvitation(deps.database, req.query.token) }),
    );

    app.post(
      '/api/v1/invitations/accept',
      {
        config: { public: true, limit: 'invitations.lookup' },
        schema: {
          tags: ['workspace'],
          summary:
            'Accept an invitation: signed in with the invited email, or creating an account (name, password); ' +
            'an unverified account of that email is taken over (the link proves the address)',
          body: AcceptInvitationRequest,
          response: { 200: z.object({ data: AcceptedInvitationSchema }) },
        },
      },
      async (req, reply) => {
        const signedIn = await deps.callers.session(req.headers);
        const result = await acceptInvitation(deps, req.body.token, signedIn, req.body, req.headers);
        deps.callers.forgetMember(result.data.userId);
        if (result.claimed) {
          for (const id of result.claimed.revokedApiKeyIds) deps.callers.forgetApiKey(id);
          await deps.callers.sessionsEnded(result.data.userId);
        }
        if (result.setCookies.length > 0) reply.header('set-cookie', result.setCookies);
        return { data: result.data };
      },
    );
  };
}
