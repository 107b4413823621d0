// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/tracking.ts.
import type {
  TRecentViewsResponse,
  TTrackingSettings,
  TTrackingSettingsRequest,
  TVisit,
  TVisitsResponse,
} from '../../../../common/contracts/tracking';
import { getJson, request, withQuery } from '../../../lib/http';

export type Visit = TVisit;
export type VisitsPage = TVisitsResponse;
export type TrackingSettings = TTrackingSettings;

export const trackingKeys = {
  visits: (object: string, id: string) => ['visits', object, id] as const,
  settings: ['tracking-settings'] as const,
  recent: ['tracking-views'] as const,
};

/** A lead's or contact's website visits, newest first (`GET /api/v1/{object}/{id}/visits`). */
export const getVisits = (object: string, id: string, limit: number, signal?: AbortSignal) =>
  getJson<VisitsPage>(withQuery(`/api/v1/${object}/${id}/visits`, { limit }), signal);

export const getTrackingSettings = (signal?: AbortSignal) =>
  getJson<{ data: TrackingSettings }>('/api/v1/tracking/settings', signal).then((r) => r.data);

export async function saveTrackingSettings(change: TTrackingSettingsRequest): Promise<TrackingSettings> {
  return (await request<{ data: TrackingSettings }>('POST', '/api/v1/tracking/settings', { body: change })).body.data;
}

/** The site's latest views, anonymous visitors included (`GET /api/v1/tracking/views`). */
export const getRecentViews = (limit: number, signal?: AbortSignal) =>
  getJson<TRecentViewsResponse>(withQuery('/api/v1/tracking/views', { limit }), signal).then((r) => r.data);
