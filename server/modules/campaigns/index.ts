import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { defineModule, type ModuleRouteDeps } from '../../platform/modules';
import { campaignBouncesConsumer } from './bounces.consumer';
import { campaignCostsObject } from './campaign-costs.object';
import { seedCampaignsDemo } from './campaigns.demo';
import { campaignsObject } from './campaigns.object';
import { campaignRoutes } from './campaigns.routes';
import { emailEventRoutes } from './email-events.routes';
import { campaignMembersConsumer } from './members.consumer';
import { runSendJob, SEND_QUEUE } from './send.service';
import { senderRoutes } from './senders.routes';
import { campaignEmailStep } from './step-email';
import { unsubscribeMailHandler } from './unsubscribe-mail';

export { addMembers as addCampaignMembers, markMemberBounced } from './members.service';
export { campaignOfThread } from './posts.service';

const READ_ONLY = { create: false, read: true, update: false, delete: false, export: true, scope: 'all' } as const;

const routes =
  (deps: ModuleRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(campaignRoutes(deps));
    await app.register(senderRoutes(deps));
    await app.register(emailEventRoutes(deps));
  };

/**
 * Campaigns: marketing efforts with members (contacts, leads, accounts), email sends
 * through the outbox (exactly once per recipient, throttled, pausable), RFC 8058 one-click
 * unsubscribe and a preferences page, open and click tracking (machine ones flagged), and
 * results (ROI, cost per lead, CAC), and cost entries per campaign and date (the CAC's
 * cost over a period). Marketing managers and administrators run them;
 * everyone else reads.
 */
export const campaignsModule = defineModule({
  name: 'campaigns',
  objects: [campaignsObject, campaignCostsObject],
  permissions: {
    marketing_manager: {
      campaigns: { create: true, read: true, update: true, delete: true, export: true, scope: 'all' },
      campaign_costs: { create: true, read: true, update: true, delete: true, export: true, scope: 'all' },
    },
    sales_rep: { campaigns: { ...READ_ONLY, export: false }, campaign_costs: { ...READ_ONLY, export: false } },
    service_rep: { campaigns: { ...READ_ONLY, export: false }, campaign_costs: { ...READ_ONLY, export: false } },
    data_analyst: { campaigns: READ_ONLY, campaign_costs: READ_ONLY },
  },
  routes,
  workflowSteps: { campaign_email: campaignEmailStep },
  inboundMail: unsubscribeMailHandler,
  work: (deps) => {
    const { database, records, jobs, config } = deps;
    jobs.define<{ sendId: string }>(
      SEND_QUEUE,
      (job, ctx) => runSendJob({ database, records, jobs, config }, job, ctx.now),
      // A run lasts about 10 s; a crashed one is taken back after its lease.
      { concurrency: 2, maxAttempts: 50, backoffSeconds: 5, maxBackoffSeconds: 300, leaseSeconds: 30 },
    );
    return { consumers: [campaignBouncesConsumer(), campaignMembersConsumer()] };
  },
  demo: seedCampaignsDemo,
});
