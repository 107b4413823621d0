import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  GeoExportParams,
  GeoExportQuery,
  GeoRunResponse,
  LatestGeoRunResponse,
  MapConfigResponse,
  PlaceQuery,
  PlaceResponse,
} from '../../../common/contracts/geo';
import { resolvePlace } from '../../platform/geo/gazetteer';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { parseFilter } from '../../platform/records/records.routes';
import { geoFeatures, toGeoJson, toKml } from './geo-export';
import { latestRun, requestRun } from './geo-runs';

const tags = ['Geo-location'];

/**
 * Geo-location: a geocoding run over existing addresses (administrators) and its
 * progress, place look-up for the map, and a list as GeoJSON or KML for GPS apps.
 * Radius and area search are the record engine's `near` / `within` operators.
 */
export function geoRoutes({ config, database, records, jobs }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/geo/runs',
      {
        schema: {
          tags,
          summary: 'Geocode the existing addresses that have no coordinates (administrators; a background run)',
          description:
            'Addresses naming a city get city-level coordinates from the bundled gazetteer; coordinates already set ' +
            '(by a person, an import or the geocoder) are kept. Follow it at GET /api/v1/geo/runs/latest.',
          response: { 202: GeoRunResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          const policy = await records.access.policy(tx, actor);
          if (!policy.admin) throw new AppError('forbidden', 'Only administrators may start a geocoding run');
          return requestRun(tx, jobs, actor.workspaceId);
        });
        return reply.status(202).send({ data });
      },
    );

    app.get(
      '/api/v1/geo/runs/latest',
      {
        schema: {
          tags,
          summary: "The workspace's latest geocoding run and its progress",
          response: { 200: LatestGeoRunResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => latestRun(tx, actor.workspaceId)) };
      },
    );

    app.get(
      '/api/v1/geo/places',
      {
        schema: {
          tags,
          summary: 'Look up a place in the bundled gazetteer ("Lyon, FR", "Paris, TX")',
          querystring: PlaceQuery,
          response: { 200: PlaceResponse },
        },
      },
      async (req) => {
        actorOf(req);
        const place = resolvePlace(req.query.q);
        if (!place)
          throw new AppError('validation_failed', `No known place is called "${req.query.q}"`, {
            errors: [{ path: 'q', message: 'is no known place; try "City, CC" (e.g. Lyon, FR)' }],
          });
        return { data: place };
      },
    );

    app.get(
      '/api/v1/geo/map-config',
      {
        schema: {
          tags,
          summary: "The map's configuration (an optional street tile URL)",
          response: { 200: MapConfigResponse },
        },
      },
      async (req) => {
        actorOf(req);
        return { data: { tileUrl: config.mapTileUrl ?? null } };
      },
    );

    app.get(
      '/api/v1/geo/export/:object',
      {
        schema: {
          tags,
          summary: 'A list as GeoJSON or KML, for maps and GPS apps (the export permission; audited)',
          description:
            'The records of the list (filter and sort as for lists) that have coordinates, at most 10,000; each with ' +
            'its title, address, `geo:` URI and, with a near filter, its distance in km.',
          params: GeoExportParams,
          querystring: GeoExportQuery,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const { object } = req.params;
        if (!records.registry.get(object)) throw new AppError('route_not_found', `No object "${object}"`);
        const { format } = req.query;
        const { def, features } = await database.tenant(actor.workspaceId, (tx) =>
          geoFeatures(records, tx, actor, object, {
            filter: parseFilter(req.query.filter),
            sort: req.query.sort,
            format,
          }),
        );
        if (format === 'kml') {
          return reply
            .type('application/vnd.google-earth.kml+xml; charset=utf-8')
            .header('content-disposition', `attachment; filename="${object}.kml"`)
            .send(toKml(def.labelPlural, features));
        }
        return reply
          .type('application/geo+json; charset=utf-8')
          .header('content-disposition', `attachment; filename="${object}.geojson"`)
          .send(toGeoJson(object, features));
      },
    );
  };
}
