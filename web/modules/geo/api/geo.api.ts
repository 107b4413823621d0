// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/geo.ts.
import type { Polygon } from 'geojson';
import type { z } from 'zod';
import type { MapConfigResponse, TerritoryMapSchema } from '../../../../common/contracts/geo';
import type { FilterNode } from '../../../../common/filter';
import { getJson } from '../../../lib/http';
import { createRecord, listRecords, type RecordData } from '../../records/api/records.api';

export type MapConfig = z.infer<typeof MapConfigResponse>['data'];

export const geoKeys = {
  config: ['geo', 'map-config'] as const,
  territories: ['geo', 'territories'] as const,
  points: (object: string, filter: FilterNode | undefined) => ['geo', 'points', object, filter ?? null] as const,
  near: (object: string, lat: number, lng: number, radiusKm: number) =>
    ['geo', 'near', object, lat, lng, radiusKm] as const,
};

export const getMapConfig = async (signal?: AbortSignal) =>
  (await getJson<{ data: MapConfig }>('/api/v1/geo/map-config', signal)).data;

/** At most this many records go on the map (supercluster keeps 100,000 smooth; the API pages 500 at a time). */
export const MAP_LIMIT = 20_000;

/** The list's records that have coordinates (the list's filter AND a point), page by page. */
export async function getMapRecords(
  object: string,
  filter: FilterNode | undefined,
  fields: string[],
  signal?: AbortSignal,
): Promise<RecordData[]> {
  const located: FilterNode = { field: 'address.latitude', op: 'isNotEmpty' };
  const where = filter ? { and: [filter, located] } : located;
  const out: RecordData[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRecords(object, { filter: where, fields, limit: 500, cursor, sort: 'id' }, signal);
    out.push(...page.data);
    cursor = page.page.nextCursor ?? undefined;
  } while (cursor && out.length < MAP_LIMIT);
  return out;
}

/** Records within `radiusKm` of a point, nearest first (the near filter's distanceKm on each). */
export async function getNear(
  object: string,
  point: { lat: number; lng: number },
  radiusKm: number,
  fields: string[],
  signal?: AbortSignal,
): Promise<RecordData[]> {
  const filter: FilterNode = { field: 'address', op: 'near', value: { ...point, radiusKm } };
  return (await listRecords(object, { filter, fields, sort: 'distance', limit: 100 }, signal)).data;
}

export type TerritoryShape = z.infer<typeof TerritoryMapSchema>;

/** The workspace's territories with their areas (the map draws the drawn ones, and lists the rest). */
export async function getTerritories(signal?: AbortSignal): Promise<TerritoryShape[]> {
  const page = await listRecords('territories', { fields: ['name', 'area'], limit: 200, sort: 'name' }, signal);
  return page.data as unknown as TerritoryShape[];
}

/** A new territory whose area is a polygon drawn on the map (RFC 7946 order, closed ring). */
export async function createDrawnTerritory(name: string, polygon: Polygon): Promise<{ id: string }> {
  const created = await createRecord('territories', { name, area: { polygon } });
  return { id: String(created.data.id) };
}
