import type { FilterNode } from '../../../common/filter';
import { geoUri } from '../../../common/geo-links';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import type { ObjectDef } from '../../platform/records/types';
import { addressFields } from './geocode';

/** The most records one map file holds. */
export const MAX_GEO_EXPORT = 10_000;

export interface GeoFeature {
  id: string;
  title: string;
  lat: number;
  lng: number;
  address: Record<string, unknown>;
  distanceKm?: number | null;
}

export { geoUri };

const round = (n: number) => Math.round(n * 1e6) / 1e6;

const titleOf = (def: ObjectDef, r: RecordData) =>
  def.titleFields
    .map((f) => r[f])
    .filter((v) => typeof v === 'string' && v)
    .join(' ') || String(r.id);

const placeLine = (a: Record<string, unknown>) =>
  ['street', 'postalCode', 'city', 'region', 'country']
    .map((p) => a[p])
    .filter((v) => typeof v === 'string' && v)
    .join(', ');

/**
 * The records of a list (the caller's filter, sort, scope, field visibility and export
 * permission: the list machinery's, as for CSV) that have coordinates, as map features.
 * Audited like a CSV export.
 */
export async function geoFeatures(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  object: string,
  opts: { filter?: FilterNode; sort?: string; format: string },
): Promise<{ def: ObjectDef; features: GeoFeature[] }> {
  const ctx = await records.context(tx, actor, object, 'export');
  const def = ctx.schema.def;
  const field = addressFields(def).find((f) => ctx.schema.field(f.name));
  if (!field)
    throw new AppError('validation_failed', `${def.labelPlural} have no address field you can see`, {
      errors: [{ path: 'object', message: 'has no address field' }],
    });
  const features: GeoFeature[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.list(tx, actor, object, { ...opts, limit: 500, cursor }, 'export');
    for (const r of page.data) {
      const a = r[field.name] as Record<string, unknown> | null;
      if (!a || typeof a.latitude !== 'number' || typeof a.longitude !== 'number') continue;
      features.push({
        id: String(r.id),
        title: titleOf(def, r),
        lat: a.latitude,
        lng: a.longitude,
        address: a,
        distanceKm: r.distanceKm as number | null | undefined,
      });
    }
    cursor = page.page.nextCursor ?? undefined;
  } while (cursor && features.length < MAX_GEO_EXPORT);
  features.length = Math.min(features.length, MAX_GEO_EXPORT);
  await audit(tx, actor, {
    action: 'records.exported',
    object,
    detail: { rows: features.length, filter: opts.filter ?? null, format: opts.format },
  });
  return { def, features };
}

/** GeoJSON (RFC 7946): a FeatureCollection of points, longitude first; each with its title, address, geo: URI and record link. */
export function toGeoJson(object: string, features: GeoFeature[]): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: features.map((f) => ({
      type: 'Feature',
      id: f.id,
      geometry: { type: 'Point', coordinates: [round(f.lng), round(f.lat)] },
      properties: {
        object,
        title: f.title,
        address: placeLine(f.address),
        precision: f.address.geoPrecision ?? null,
        geoUri: geoUri(f.lat, f.lng),
        url: `/${object}/${f.id}`,
        ...(f.distanceKm !== undefined ? { distanceKm: f.distanceKm } : {}),
      },
    })),
  });
}

const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** KML 2.2 (GPS apps, Google Earth): one Placemark per record, longitude,latitude. */
export function toKml(label: string, features: GeoFeature[]): string {
  const marks = features.map(
    (f) => `  <Placemark id="${xml(f.id)}">
    <name>${xml(f.title)}</name>
    <address>${xml(placeLine(f.address))}</address>
    <description>${xml(geoUri(f.lat, f.lng))}</description>
    <Point><coordinates>${round(f.lng)},${round(f.lat)}</coordinates></Point>
  </Placemark>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>${xml(label)}</name>
${marks.join('\n')}
</Document>
</kml>
`;
}
