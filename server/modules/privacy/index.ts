import { defineModule } from '../../platform/modules';
import { intakeRoutes } from './intake.routes';
import { seedPrivacyDemo } from './privacy.demo';
import { privacyRoutes } from './privacy.routes';
import { RETENTION_QUEUE, runAllPolicies } from './retention';

export { type ErasureReport, eraseSubject } from './erasure';
export { findSubject, privacyActor } from './subject';

/**
 * Data-subject requests (access, erasure, rectification, opt-out, restriction: a queue for
 * administrators, a public intake form with an emailed confirmation link, due dates, audit of
 * every step) and retention policies (a daily job, with dry runs). See docs/ARCHITECTURE.md,
 * "Data-subject requests and retention".
 */
export const privacyModule = defineModule({
  name: 'privacy',
  routes: (deps) => {
    const admin = privacyRoutes(deps);
    const intake = intakeRoutes(deps);
    return async (app) => {
      await app.register(admin);
      await app.register(intake);
    };
  },
  work: ({ database, records, jobs, now }) => {
    jobs.define(RETENTION_QUEUE, async () => void (await runAllPolicies(database, records, now())), {
      concurrency: 1,
      maxAttempts: 2,
      leaseSeconds: 3600,
    });
    jobs.schedule(RETENTION_QUEUE, '17 3 * * *', { queue: RETENTION_QUEUE });
    return {
      consumers: [],
      /** Applies every active retention policy now (tests). */
      retention: (at?: Date) => runAllPolicies(database, records, at ?? now()),
    };
  },
  demo: seedPrivacyDemo,
});
