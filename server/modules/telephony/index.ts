import { defineModule, type ModuleRouteDeps } from '../../platform/modules';
import { AudioUrls } from './audio';
import { audioRoutes } from './audio.routes';
import { callsObject } from './calls.object';
import { TwilioProvider } from './provider';
import { recountRecentDays } from './queue-days';
import { screenPopStream } from './screen-pop';
import { seedTelephonyDemo } from './telephony.demo';
import { telephonyRoutes } from './telephony.routes';
import { RECORDING_QUEUE, type RecordingJob, TelephonyService } from './telephony.service';
import { twilioRoutes } from './twilio.routes';

// For reporting (server/modules/reports): the daily queue figures on the service dashboard.
export { listQueueDays, readsEveryCall } from './queue-days';
export { callsObject };

/** The nightly job that counts the last two days' queue statistics again. */
const QUEUE_DAYS_QUEUE = 'telephony.queue-days';

const serviceOf = (deps: ModuleRouteDeps) =>
  new TelephonyService({
    database: deps.database,
    records: deps.records,
    secrets: deps.secrets,
    baseUrl: deps.config.baseUrl,
    provider: new TwilioProvider(deps.config.twilioApiUrl),
    now: deps.now,
    audio: new AudioUrls(deps.database, deps.config.baseUrl),
    jobs: deps.jobs,
  });

/**
 * The contact centre: calls (a record object), workspace phone numbers with their
 * provider credentials (sealed), versioned IVR flows run by the provider's webhooks
 * (Twilio: signed form posts in, TwiML out), completed calls on the caller's timeline
 * (an interaction, channel call), voicemail to tickets or tasks, and click-to-call
 * through the provider's REST API.
 */
export const telephonyModule = defineModule({
  name: 'telephony',
  objects: [callsObject],
  permissions: {
    // A call is a log of what happened: agents (sales and service) take and note calls but do not delete them;
    // marketing reads and exports them for reports, as analysts do (their "*" default).
    sales_rep: { calls: { create: true, read: true, update: true, delete: false, export: false, scope: 'own' } },
    marketing_manager: {
      calls: { create: false, read: true, update: false, delete: false, export: true, scope: 'all' },
    },
  },
  routes: (deps) => async (app) => {
    const service = serviceOf(deps);
    await app.register(twilioRoutes(service, deps.config.baseUrl));
    await app.register(telephonyRoutes(service, deps));
    await app.register(audioRoutes(service, deps));
  },
  work: (deps) => {
    const service = serviceOf(deps);
    deps.jobs.define<RecordingJob>(
      RECORDING_QUEUE,
      (job) => service.storeRecording(job.workspaceId as string, job.payload),
      // Twilio finishes a recording within seconds to minutes of the call; give up after a day.
      { concurrency: 2, maxAttempts: 20, backoffSeconds: 15, maxBackoffSeconds: 1800, retryForSeconds: 86_400 },
    );
    // The daily queue statistics, counted again every night (calls whose status callback never came).
    deps.jobs.define(
      QUEUE_DAYS_QUEUE,
      async (_job, ctx) => void (await recountRecentDays(deps.database, deps.records, ctx.now())),
      {
        concurrency: 1,
        maxAttempts: 3,
        leaseSeconds: 1800,
      },
    );
    deps.jobs.schedule(QUEUE_DAYS_QUEUE, '20 0 * * *', { queue: QUEUE_DAYS_QUEUE });
    return {
      consumers: [],
      /** The nightly recount now (tests, with their clock): yesterday and today of every workspace with a number. */
      recountQueueDays: (at: Date = deps.now()) => recountRecentDays(deps.database, deps.records, at),
    };
  },
  streams: (deps) => [screenPopStream(deps)],
  demo: seedTelephonyDemo,
});
