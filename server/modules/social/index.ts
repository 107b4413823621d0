import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { defineModule, type ModuleRouteDeps } from '../../platform/modules';
import { PROCESS_QUEUE } from './ingest';
import { processEvent, SOCIAL_RECEIVED } from './processor';
import { seedSocialDemo } from './social.demo';
import { socialRoutes } from './social.routes';
import { socialMessagesObject } from './social-messages.object';
import { webhookRoutes } from './webhook.routes';

const routes =
  (deps: ModuleRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(socialRoutes(deps));
    // Its own plugin: the raw-body parser it installs stays inside it.
    await app.register(webhookRoutes(deps));
  };

const WORK = { create: true, read: true, update: true, delete: false, export: false, scope: 'all' } as const;

/**
 * Social CRM: connections to Facebook Pages, Instagram and X accounts (and a generic
 * signed JSON source), webhooks verified on the raw body and stored before processing,
 * social messages (a record object) scored for sentiment, flagged for brand keywords,
 * matched to contacts by their social profiles and put on their timeline, replies
 * through the providers' APIs with their reply windows, and `social.received` for workflows.
 */
export const socialModule = defineModule({
  name: 'social',
  /** Event types workflows may start on (each names a record). */
  triggers: [SOCIAL_RECEIVED],
  objects: [socialMessagesObject],
  permissions: {
    // The inbox is worked by service and marketing; sales reps read their customers' conversations.
    service_rep: { social_messages: WORK },
    marketing_manager: { social_messages: { ...WORK, export: true } },
    sales_rep: {
      social_messages: { create: false, read: true, update: false, delete: false, export: false, scope: 'all' },
    },
    data_analyst: {
      social_messages: { create: false, read: true, update: false, delete: false, export: true, scope: 'all' },
    },
  },
  routes,
  work: (deps) => {
    const { database, records, jobs } = deps;
    jobs.define<{ eventId: string }>(PROCESS_QUEUE, (job, ctx) => processEvent(database, records, job, ctx.now), {
      concurrency: 4,
      maxAttempts: 10,
      backoffSeconds: 10,
      maxBackoffSeconds: 600,
      leaseSeconds: 60,
    });
    return {};
  },
  demo: seedSocialDemo,
});
