import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  RecentViewsResponse,
  TrackingSettingsRequest,
  TrackingSettingsResponse,
  VisitsQuery,
  VisitsResponse,
} from '../../../common/contracts/tracking';
import { audit } from '../../platform/access/access.service';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import {
  assertTrackingManager,
  getSettings,
  listVisits,
  recentViews,
  updateSettings,
  VISITOR_OBJECTS,
  type VisitorObject,
} from './tracking.service';

const tags = ['tracking'];

/** Tracking settings (administrators and marketing managers) and a lead's or contact's website visits. */
export function trackingRoutes({ config, database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/tracking/settings',
      {
        schema: {
          tags,
          summary: 'The website tracking settings: site key, allowed sites, on or off, and the script tag',
          response: { 200: TrackingSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await assertTrackingManager(tx, records, actor);
          return { data: await getSettings(tx, actor.workspaceId, config.baseUrl) };
        });
      },
    );

    app.post(
      '/api/v1/tracking/settings',
      {
        schema: {
          tags,
          summary: 'Change the website tracking settings; rotateKey: true issues a new site key',
          body: TrackingSettingsRequest,
          response: { 200: TrackingSettingsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenant(actor.workspaceId, async (tx) => {
          await assertTrackingManager(tx, records, actor);
          const data = await updateSettings(tx, actor.workspaceId, config.baseUrl, req.body);
          await audit(tx, actor, {
            action: 'tracking.settings_changed',
            detail: {
              enabled: req.body.enabled,
              allowedOrigins: req.body.allowedOrigins,
              rotatedKey: req.body.rotateKey === true,
            },
          });
          return { data };
        });
      },
    );

    app.get(
      '/api/v1/tracking/views',
      {
        schema: {
          tags,
          summary: 'The latest page views and downloads on the site, anonymous visitors included, newest first',
          querystring: VisitsQuery,
          response: { 200: RecentViewsResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          await assertTrackingManager(tx, records, actor);
          return { data: await recentViews(tx, actor.workspaceId, req.query.limit) };
        });
      },
    );

    for (const object of VISITOR_OBJECTS) {
      app.get(
        `/api/v1/${object}/:id/visits`,
        {
          schema: {
            tags,
            summary: `The website visits (page views and downloads) of the ${object === 'leads' ? 'lead' : 'contact'}, newest first`,
            description: 'Views of every browser identified as this record (form submissions, tracked links).',
            params: z.object({ id: z.uuid('must be a record id') }).strict(),
            querystring: VisitsQuery,
            response: { 200: VisitsResponse },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          return database.tenantRead(actor.workspaceId, async (tx) => {
            // The record engine decides: a record the caller may not read is a 404.
            await records.get(tx, actor, object, req.params.id, { fields: 'id' });
            return listVisits(tx, actor.workspaceId, object as VisitorObject, req.params.id, req.query.limit);
          });
        },
      );
    }
  };
}
