import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { MODULES, STANDARD_OBJECTS } from './modules';
import { AccessService } from './platform/access/access.service';
import { type Auth, createAuth, loadAuthSecret } from './platform/auth/auth';
import { registerScheduledBackups } from './platform/backup/scheduled';
import type { Config } from './platform/config';
import { loadSecretBox } from './platform/crypto/instance-key';
import { registerKeyRotation } from './platform/crypto/rotation';
import type { SecretBox } from './platform/crypto/secret-box';
import { type Database, openDatabase } from './platform/db/database';
import { migrateDatabase } from './platform/db/migrate';
import { EventDispatcher } from './platform/events/dispatcher';
import { registerJobHousekeeping, registerPlatformHousekeeping } from './platform/jobs/housekeeping';
import { JobQueue } from './platform/jobs/job-queue';
import { MailDispatcher } from './platform/mail/dispatcher';
import type { InboundMailHandler } from './platform/mail/inbound-mail';
import { InboundProcessor } from './platform/mail/inbound-processor';
import { InboundReceiver, type InboundReceiverLimits } from './platform/mail/inbound-receiver';
import { ensureDefaultMailboxes } from './platform/mail/mailboxes.service';
import {
  type DemoLogin,
  type ModuleWork,
  type ModuleWorks,
  type RapportModule,
  registerModuleRules,
} from './platform/modules';
import { SCHEMA_CHANNEL } from './platform/records/custom-fields.service';
import { invalidateSchemas } from './platform/records/object-schema';
import { RecordService } from './platform/records/records.service';
import { ObjectRegistry } from './platform/records/registry';
import { registerWebhooks } from './platform/webhooks';
import { resealWebhookSecrets } from './platform/webhooks/webhook-secrets';

/** The modules, each seen as a plain registration (MODULES keeps each one's literal type for `Runtime.modules`). */
const LIST: readonly RapportModule[] = MODULES;

/** Everything a running Rapport process holds, and how to shut it down in order. */
export interface Runtime {
  config: Config;
  database: Database;
  auth: Auth;
  /** Seals and opens secrets stored for reading back (crypto/secret-box.ts). */
  secrets: SecretBox;
  records: RecordService;
  app: FastifyInstance;
  mail: MailDispatcher;
  /**
   * Inbound mail: the SMTP receiver (null when RAPPORT_SMTP_INBOUND_PORT is unset) and the
   * processor handing stored messages to the modules' `inboundMail` handlers.
   */
  inbound: { receiver: InboundReceiver | null; processor: InboundProcessor };
  /** The job queue: define queues and enqueue jobs; its workers run with the background work. */
  jobs: JobQueue;
  /** Delivers committed events to consumers (register them before background work starts). */
  events: EventDispatcher;
  /**
   * Each module's running parts by name, as its registration's `work` returned them
   * (tests sweep `modules.tasks.reminders` with their own clock, drain `modules.workflows.runner`).
   */
  modules: ModuleWorks<typeof MODULES>;
  /** Seeds the demo workspace of an empty installation (the demo module); the demo login, or null. */
  seedDemo(opts?: { password?: string }): Promise<DemoLogin | null>;
  /** Stops accepting requests, finishes in-flight ones, stops background work, closes the database. */
  close(): Promise<void>;
}

/** Opens the database, applies migrations, builds the app and starts background workers. */
export async function startRuntime(
  config: Config,
  opts: {
    backgroundWork?: boolean;
    logStream?: NodeJS.WritableStream;
    clock?: () => Date;
    /** The inbound receiver's limits (the benchmark raises the per-sender rate). */
    inboundLimits?: Partial<InboundReceiverLimits>;
  } = {},
): Promise<Runtime> {
  const logTo: { app?: FastifyInstance } = {};
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedTemplate: config.embeddedTemplate,
    appDatabaseUrl: config.appDatabaseUrl,
    poolSize: config.poolSize,
    replicaDatabaseUrl: config.replicaDatabaseUrl,
    replicaMaxLagSeconds: config.replicaMaxLagSeconds,
    log: {
      warn: (obj, msg) => logTo.app?.log.warn(obj, msg),
      info: (obj, msg) => logTo.app?.log.info(obj, msg),
    },
  });
  try {
    await migrateDatabase(database);
    const auth = createAuth(config, database, await loadAuthSecret(config, database));
    const secrets = await loadSecretBox(config, database);
    // Plain secrets from before migration 0014, and those of a previous key, sealed under the current key.
    await resealWebhookSecrets(database.db, secrets);
    registerModuleRules(MODULES);
    const access = new AccessService(database);
    const registry = new ObjectRegistry(STANDARD_OBJECTS);
    const records = new RecordService(registry, access);
    // Custom fields changed on another app server: drop our cached schemas of that workspace.
    await database.listen(SCHEMA_CHANNEL, invalidateSchemas);
    const jobs = new JobQueue({
      database,
      clock: opts.clock,
      log: { warn: (obj, msg) => logTo.app?.log.warn(obj, msg) },
    });
    registerJobHousekeeping(jobs);
    registerPlatformHousekeeping(jobs);
    registerScheduledBackups(jobs, config);
    // `rapport keys rotate` (and a run the server stopped in the middle of) is carried out here.
    await registerKeyRotation(jobs, { database, box: secrets, registry });
    const app = await buildApp({
      config,
      database,
      auth,
      secrets,
      records,
      jobs,
      modules: MODULES,
      logStream: opts.logStream,
    });
    logTo.app = app;
    const mail = new MailDispatcher({
      database,
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      // With an inbound receiver, bounces come back to it by VERP (server/modules/bounces).
      bounceDomain: config.smtpInboundPort === undefined ? undefined : config.mailDomain,
      log: app.log,
      clock: opts.clock,
      leaseSeconds: config.mailLeaseSeconds,
      connections: config.smtpConnections,
    });
    const events = new EventDispatcher({ database, log: app.log });
    // Every workspace's default support mailbox, at the configured mail domain.
    await database.system((tx) => ensureDefaultMailboxes(tx, config.mailDomain));
    const processor = new InboundProcessor({
      database,
      records,
      log: app.log,
      handlers: LIST.flatMap((m): InboundMailHandler[] => (m.inboundMail ? [m.inboundMail] : [])),
      clock: opts.clock,
    });
    const receiver =
      config.smtpInboundPort === undefined
        ? null
        : new InboundReceiver({
            database,
            host: config.smtpInboundHost,
            port: config.smtpInboundPort,
            mailDomain: config.mailDomain,
            log: app.log,
            limits: opts.inboundLimits,
            onStored: () => processor.wake(),
          });
    registerWebhooks({
      jobs,
      events,
      records,
      timeoutMs: config.webhookTimeoutMs,
      allowPrivateNetwork: config.webhooksAllowPrivate,
      secrets,
    });
    const works: ModuleWork[] = [];
    const workByName: Record<string, ModuleWork> = {};
    for (const m of LIST) {
      if (!m.work) continue;
      const work = m.work({ config, database, records, jobs, now: jobs.now, secrets, log: app.log });
      for (const consumer of work.consumers ?? []) events.register(consumer);
      works.push(work);
      workByName[m.name] = work;
    }
    // The modules' event consumers are registered above, before prepare().
    await events.prepare();
    // Background work (docs/ARCHITECTURE.md, "Background work"): cron jobs and job consumers
    // run in the job queue; the row-draining loops below are Pollers. Each stops in close().
    if (opts.backgroundWork !== false) {
      mail.start();
      await jobs.start();
      await events.start();
      for (const work of works) work.start?.();
      processor.start();
      await receiver?.start();
    }
    let closing: Promise<void> | undefined;
    return {
      config,
      database,
      auth,
      secrets,
      records,
      app,
      mail,
      inbound: { receiver, processor },
      jobs,
      events,
      modules: workByName as ModuleWorks<typeof MODULES>,
      async seedDemo(opts = {}) {
        let login: DemoLogin | null = null;
        for (const m of LIST) {
          if (m.demo) login = (await m.demo({ database, auth, records, log: app.log, secrets }, opts)) ?? login;
        }
        // The demo workspace's support address, listed at once (GET /api/v1/service/mailboxes).
        await database.system((tx) => ensureDefaultMailboxes(tx, config.mailDomain));
        return login;
      },
      close() {
        closing ??= (async () => {
          await app.close();
          // No new mail first; a message being stored finishes before the database closes.
          await receiver?.stop();
          await processor.stop();
          // The modules' pollers first (last started, first stopped): they feed the job queue and the mail.
          for (const work of [...works].reverse()) await work.stop?.();
          await jobs.stop();
          await mail.stop();
          await events.stop();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
