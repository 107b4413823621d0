import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateScoringRuleRequest,
  MqlDecisionResponse,
  RejectMqlRequest,
  RescoreResponse,
  ScoreBreakdownResponse,
  ScoringRuleListResponse,
  ScoringRuleResponse,
  ScoringSettingsResponse,
  UpdateScoringRuleRequest,
  UpdateScoringSettingsRequest,
} from '../../../common/contracts/scoring';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import { acceptMql, rejectMql } from './mql-handoff';
import { latestRescore, requestRescore } from './rescore';
import {
  assertRuleEditor,
  createRule,
  deleteRule,
  getSettings,
  listRules,
  updateRule,
  updateSettings,
} from './rules.service';
import { breakdown } from './score-engine';

const tags = ['Lead scoring'];
const Id = z.object({ id: z.uuid() }).strict();

/**
 * Lead scoring: rules and settings (administrators and marketing managers change them,
 * every member reads them; a change starts a background rescore), the rescore's progress,
 * each lead's and contact's score breakdown, and the MQL → SQL hand-off.
 */
export function scoringRoutes({ database, records, jobs, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/scoring/rules',
      { schema: { tags, summary: 'The scoring rules, oldest first', response: { 200: ScoringRuleListResponse } } },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => listRules(tx, actor.workspaceId)) };
      },
    );

    app.post(
      '/api/v1/scoring/rules',
      {
        schema: {
          tags,
          summary: 'Add a fit rule (a filter over leads or contacts) or an engagement rule (an event, decaying)',
          description:
            'Administrators and marketing managers. Fit: { name, kind: "fit", condition, points, cap?, object? }; ' +
            'engagement: { name, kind: "engagement", event, match?, points, halfLifeDays?, cap?, object? }. ' +
            'Starts a background rescore (GET /api/v1/scoring/rescore).',
          body: CreateScoringRuleRequest,
          response: { 201: ScoringRuleResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          await assertRuleEditor(tx, records, actor);
          const rule = await createRule(tx, records, actor, req.body);
          await requestRescore(tx, jobs, actor.workspaceId, `rule created: ${rule.name}`);
          return rule;
        });
        return reply.status(201).header('location', `/api/v1/scoring/rules/${data.id}`).send({ data });
      },
    );

    app.patch(
      '/api/v1/scoring/rules/:id',
      {
        schema: {
          tags,
          summary: 'Change a scoring rule (its kind and object stay); starts a background rescore',
          params: Id,
          body: UpdateScoringRuleRequest,
          response: { 200: ScoringRuleResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          await assertRuleEditor(tx, records, actor);
          const rule = await updateRule(tx, records, actor, req.params.id, req.body);
          await requestRescore(tx, jobs, actor.workspaceId, `rule changed: ${rule.name}`);
          return rule;
        });
        return { data };
      },
    );

    app.delete(
      '/api/v1/scoring/rules/:id',
      {
        schema: {
          tags,
          summary: 'Delete a scoring rule and the points it gave; starts a background rescore',
          params: Id,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, async (tx) => {
          await assertRuleEditor(tx, records, actor);
          await deleteRule(tx, actor.workspaceId, req.params.id);
          await requestRescore(tx, jobs, actor.workspaceId, 'rule deleted');
        });
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/scoring/settings',
      {
        schema: {
          tags,
          summary: 'The MQL threshold, MQL owner and grade bounds',
          response: { 200: ScoringSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => getSettings(tx, actor.workspaceId)) };
      },
    );

    app.patch(
      '/api/v1/scoring/settings',
      {
        schema: {
          tags,
          summary: 'Change the MQL threshold or the member new MQLs are assigned to; a new threshold rescores',
          body: UpdateScoringSettingsRequest,
          response: { 200: ScoringSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          await assertRuleEditor(tx, records, actor);
          const before = await getSettings(tx, actor.workspaceId);
          const after = await updateSettings(tx, actor.workspaceId, req.body);
          if (after.mqlThreshold !== before.mqlThreshold) {
            await requestRescore(
              tx,
              jobs,
              actor.workspaceId,
              `MQL threshold ${before.mqlThreshold} → ${after.mqlThreshold}`,
            );
          }
          return after;
        });
        return { data };
      },
    );

    app.get(
      '/api/v1/scoring/rescore',
      {
        schema: {
          tags,
          summary: 'The latest rescore and its progress (null before the first)',
          response: { 200: RescoreResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => latestRescore(tx, actor.workspaceId)) };
      },
    );

    app.post(
      '/api/v1/scoring/rescore',
      {
        schema: {
          tags,
          summary: 'Rescore every lead and contact now, in the background',
          response: { 202: RescoreResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          await assertRuleEditor(tx, records, actor);
          return requestRescore(tx, jobs, actor.workspaceId, 'requested');
        });
        return reply.status(202).send({ data });
      },
    );

    for (const object of ['leads', 'contacts'] as const) {
      app.get(
        `/api/v1/${object}/:id/score`,
        {
          schema: {
            tags,
            summary: `A ${object === 'leads' ? 'lead' : 'contact'}’s score, computed now, with every rule that contributed`,
            description:
              'factors: fit rules that match (points within their cap) and each engagement event that earned points, ' +
              'when, its original points and its points now after decay (and the rule’s cap). 404 for a record you cannot see.',
            params: Id,
            response: { 200: ScoreBreakdownResponse },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          const data = await database.tenantRead(actor.workspaceId, async (tx) => {
            await records.require(tx, actor, object, req.params.id, 'read');
            return breakdown(tx, records, actor.workspaceId, object, req.params.id, now());
          });
          return { data };
        },
      );
    }

    app.post(
      '/api/v1/leads/:id/accept-mql',
      {
        schema: {
          tags,
          summary: 'Accept an MQL as sales-qualified (status and qualification sql)',
          description: '409 when the lead is not an MQL awaiting a decision; 404 for a lead you cannot change.',
          params: Id,
          response: { 200: MqlDecisionResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => acceptMql(tx, records, actor, req.params.id));
        return { data: data as z.infer<typeof MqlDecisionResponse>['data'] };
      },
    );

    app.post(
      '/api/v1/leads/:id/reject-mql',
      {
        schema: {
          tags,
          summary: 'Reject an MQL with a reason: back to nurturing (qualification rejected)',
          description: '409 when the lead is not an MQL awaiting a decision; 404 for a lead you cannot change.',
          params: Id,
          body: RejectMqlRequest,
          response: { 200: MqlDecisionResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          rejectMql(tx, records, actor, req.params.id, req.body.reason),
        );
        return { data: data as z.infer<typeof MqlDecisionResponse>['data'] };
      },
    );
  };
}
