import { loadGazetteer, setPostalCentroids } from '../../platform/geo/gazetteer';
import { defineModule } from '../../platform/modules';
import { seedGeoDemo } from './geo.demo';
import { geoRoutes } from './geo.routes';
import { RUN_QUEUE, runGeocoding } from './geo-runs';
import { geocodeConsumer } from './geocode.consumer';
import { REFINE_QUEUE, type RefinePayload, refineAddress } from './online-geocoder';
import { replaceAll, TERRITORY_QUEUE, territoriesConsumer, territoriesObject } from './territories';

const READ_ONLY = { create: false, read: true, update: false, delete: false, export: true, scope: 'all' } as const;

export { geoUri } from './geo-export';

/**
 * Geo-location (issue 19): addresses geocoded offline from the bundled gazetteer as they
 * are written (an event consumer) and over existing records (a progress-reporting run),
 * optionally refined by a Nominatim-compatible geocoder; GeoJSON / KML export;
 * territories (named areas with an owner and a team) that accounts, contacts and leads
 * are placed in. The `near` / `within` filter operators and their indexes are the
 * record engine's. Administrators manage territories; everyone reads them.
 */
export const geoModule = defineModule({
  name: 'geo',
  objects: [territoriesObject],
  permissions: {
    sales_rep: { territories: { ...READ_ONLY, export: false } },
    marketing_manager: { territories: READ_ONLY },
    service_rep: { territories: { ...READ_ONLY, export: false } },
    data_analyst: { territories: READ_ONLY },
  },
  routes: geoRoutes,
  work: (deps) => {
    const { config, database, records, jobs } = deps;
    if (config.postalCentroidsFile) setPostalCentroids(config.postalCentroidsFile);
    jobs.define<{ runId: string }>(
      RUN_QUEUE,
      async (job) => {
        if (!job.workspaceId) return;
        await runGeocoding(database, records, job.workspaceId, job.payload.runId);
      },
      { concurrency: 1, maxAttempts: 3, leaseSeconds: 1800 },
    );
    jobs.define(
      TERRITORY_QUEUE,
      async (job) => {
        if (!job.workspaceId) return;
        await replaceAll(database, records, job.workspaceId);
      },
      { concurrency: 1, maxAttempts: 3, leaseSeconds: 1800 },
    );
    const online = config.geocoderUrl;
    if (online) {
      jobs.define<RefinePayload>(
        REFINE_QUEUE,
        async (job) => {
          if (!job.workspaceId) return;
          await refineAddress(
            database,
            records,
            { url: online, userAgent: config.geocoderUserAgent },
            job.workspaceId,
            job.payload,
          );
        },
        { concurrency: 1, maxAttempts: 5, backoffSeconds: 60, leaseSeconds: 120 },
      );
    }
    let warm: NodeJS.Timeout | undefined;
    return {
      consumers: [geocodeConsumer(records, jobs, !!online), territoriesConsumer(records, jobs)],
      /** Loads the gazetteer soon after start-up, so the first geocoding or place filter does not wait for it. */
      start() {
        warm = setTimeout(loadGazetteer, 100);
        warm.unref();
      },
      async stop() {
        if (warm) clearTimeout(warm);
      },
    };
  },
  demo: seedGeoDemo,
});
