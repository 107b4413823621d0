import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AddMembersRequest,
  AddMembersResult,
  CampaignIdParam,
  CampaignPostParams,
  CampaignPostSchema,
  CampaignResultsSchema,
  CampaignSendSchema,
  CampaignSettingsSchema,
  CreateCampaignPostRequest,
  MembersPage,
  MembersQuery,
  SegmentSyncParams,
  SegmentSyncSchema,
  SendPreviewSchema,
  SendRequest,
  UpdateCampaignSettingsRequest,
} from '../../../common/contracts/campaigns';
import { actorOf } from '../../platform/http/context';
import { notFound } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { addMembers, listMembers, listSyncs, stopSync } from './members.service';
import { addPost, deletePost, listPosts } from './posts.service';
import { campaignResults } from './results.service';
import { listSends, pauseSend, previewSend, resumeSend, startSend } from './send.service';
import { readCampaignSettings, updateCampaignSettings } from './settings.service';

const tags = ['Campaigns'];
const Send = z.object({ data: CampaignSendSchema });
const Settings = z.object({ data: CampaignSettingsSchema });

/** Members, sends (start, pause, resume, who will be skipped) and results of campaigns. */
export function campaignRoutes({ database, records, jobs, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/campaigns/settings',
      {
        schema: {
          tags,
          summary: 'The workspace’s lawful basis for marketing email (anyone who may read campaigns)',
          response: { 200: Settings },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => readCampaignSettings(tx, records, actor)) };
      },
    );

    app.patch(
      '/api/v1/campaigns/settings',
      {
        schema: {
          tags,
          summary:
            'Change the lawful basis for marketing email: consent (only granted consent is mailed) or legitimate_interest (administrators; audited)',
          body: UpdateCampaignSettingsRequest,
          response: { 200: Settings },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenant(actor.workspaceId, (tx) => updateCampaignSettings(tx, records, actor, req.body)),
        };
      },
    );

    app.post(
      '/api/v1/campaigns/:id/posts',
      {
        schema: {
          tags,
          summary:
            'Record a post of a social campaign { network, postId, permalink?, postedAt? }: its comments and replies become the campaign’s conversations',
          params: CampaignIdParam,
          body: CreateCampaignPostRequest,
          response: { 201: z.object({ data: CampaignPostSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          addPost(tx, actor, records, req.params.id, req.body),
        );
        return reply.status(201).send({ data });
      },
    );

    app.get(
      '/api/v1/campaigns/:id/posts',
      {
        schema: {
          tags,
          summary: 'A social campaign’s posts, each with the conversations on it you may read',
          params: CampaignIdParam,
          response: { 200: z.object({ data: z.array(CampaignPostSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => listPosts(tx, actor, records, req.params.id)),
        };
      },
    );

    app.delete(
      '/api/v1/campaigns/:id/posts/:postId',
      {
        schema: {
          tags,
          summary: 'Remove a post from the campaign (its messages stay)',
          params: CampaignPostParams,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const removed = await database.tenant(actor.workspaceId, (tx) =>
          deletePost(tx, actor, records, req.params.id, req.params.postId),
        );
        if (!removed) throw notFound('Post');
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/campaigns/:id/segments',
      {
        schema: {
          tags,
          summary: 'The segments this campaign keeps its members in sync with',
          params: CampaignIdParam,
          response: { 200: z.object({ data: z.array(SegmentSyncSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => listSyncs(tx, actor, records, req.params.id)),
        };
      },
    );

    app.delete(
      '/api/v1/campaigns/:id/segments/:segmentId',
      {
        schema: {
          tags,
          summary: 'Stop keeping the members in sync with a segment (the members stay)',
          params: SegmentSyncParams,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const stopped = await database.tenant(actor.workspaceId, (tx) =>
          stopSync(tx, actor, records, req.params.id, req.params.segmentId),
        );
        if (!stopped) throw notFound('Synced segment');
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/campaigns/:id/members',
      {
        schema: {
          tags,
          summary:
            'Add members: { contactIds } | { leadIds } | { accountIds } | { segmentId } (a snapshot of its members now; sync: true keeps them in sync)',
          params: CampaignIdParam,
          body: AddMembersRequest,
          response: { 200: AddMembersResult },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenant(actor.workspaceId, (tx) =>
            addMembers(tx, actor, records, req.params.id, req.body),
          ),
        };
      },
    );

    app.get(
      '/api/v1/campaigns/:id/members',
      {
        schema: {
          tags,
          summary: 'Members with their status and its timestamps (?status=, paging by ?after=), and counts per status',
          params: CampaignIdParam,
          querystring: MembersQuery,
          response: { 200: MembersPage },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, (tx) =>
          listMembers(tx, actor, records, req.params.id, req.query),
        );
      },
    );

    app.post(
      '/api/v1/campaigns/:id/send',
      {
        schema: {
          tags,
          summary: 'Send a template to the members, now or at scheduledAt, in the background (202)',
          params: CampaignIdParam,
          body: SendRequest,
          response: { 202: Send },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          startSend(tx, actor, records, jobs, req.params.id, req.body, now()),
        );
        jobs.wake();
        return reply.status(202).send({ data });
      },
    );

    app.get(
      '/api/v1/campaigns/:id/send/preview',
      {
        schema: {
          tags,
          summary: 'Who a send would mail and who it would skip, and why (counts per reason)',
          params: CampaignIdParam,
          response: { 200: z.object({ data: SendPreviewSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) =>
            previewSend(tx, actor, records, req.params.id, now()),
          ),
        };
      },
    );

    app.get(
      '/api/v1/campaigns/:id/sends',
      {
        schema: {
          tags,
          summary: 'The campaign’s sends, newest first, with their progress',
          params: CampaignIdParam,
          response: { 200: z.object({ data: z.array(CampaignSendSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => listSends(tx, actor, records, req.params.id)),
        };
      },
    );

    app.post(
      '/api/v1/campaigns/:id/send/pause',
      {
        schema: { tags, summary: 'Pause the running send', params: CampaignIdParam, response: { 200: Send } },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenant(actor.workspaceId, (tx) => pauseSend(tx, actor, records, req.params.id)) };
      },
    );

    app.post(
      '/api/v1/campaigns/:id/send/resume',
      {
        schema: {
          tags,
          summary: 'Resume a paused send where it stopped',
          params: CampaignIdParam,
          response: { 200: Send },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          resumeSend(tx, actor, records, jobs, req.params.id),
        );
        jobs.wake();
        return { data };
      },
    );

    app.get(
      '/api/v1/campaigns/:id/results',
      {
        schema: {
          tags,
          summary:
            'Results: members, sent, delivered, opened, clicked, unsubscribed, bounced, skipped; leads, ROI, CAC',
          params: CampaignIdParam,
          response: { 200: z.object({ data: CampaignResultsSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) =>
            campaignResults(tx, actor, records, req.params.id),
          ),
        };
      },
    );
  };
}
