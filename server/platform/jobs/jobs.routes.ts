import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { JobPageSchema, JobSchema, JobsQuery } from '../../../common/contracts/jobs';
import type { AccessService } from '../access/access.service';
import { actorOf } from '../http/context';
import { cancelJob, getJob, listJobs, retryJob } from './jobs.service';

const IdParams = z.object({ id: z.uuid() }).strict();
const Data = z.object({ data: JobSchema });

/** The job queue as administrators see it: their workspace's jobs by state and queue, retry, cancel. */
export function jobRoutes(deps: { access: AccessService; now?: () => Date }): FastifyPluginAsyncZod {
  const { access } = deps;
  const now = deps.now ?? (() => new Date());
  return async (app) => {
    app.get(
      '/api/v1/admin/jobs',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Background jobs of this workspace, newest first, with counts per state (administrators)',
          querystring: JobsQuery,
          response: { 200: JobPageSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const page = await access.asAdmin(actor, (tx) => listJobs(tx, req.query));
        return { data: page.jobs, counts: page.counts, next: page.next };
      },
    );

    app.get(
      '/api/v1/admin/jobs/:id',
      { schema: { tags: ['jobs'], summary: 'One job', params: IdParams, response: { 200: Data } } },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => getJob(tx, req.params.id)),
      }),
    );

    app.post(
      '/api/v1/admin/jobs/:id/retry',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Queue a failed or cancelled job again, due now',
          params: IdParams,
          response: { 200: Data },
        },
      },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => retryJob(tx, req.params.id, now())),
      }),
    );

    app.post(
      '/api/v1/admin/jobs/:id/cancel',
      { schema: { tags: ['jobs'], summary: 'Cancel a queued job', params: IdParams, response: { 200: Data } } },
      async (req) => ({
        data: await access.asAdmin(actorOf(req), (tx) => cancelJob(tx, req.params.id, now())),
      }),
    );
  };
}
