import type { Feature, FeatureCollection, Polygon } from 'geojson';
import type { FilterNode } from '../../../../common/filter';

/** A position in GeoJSON order (RFC 7946): longitude, then latitude. */
export type LngLat = [number, number];

/** What a person drew on the map: a polygon's corners (not yet closed) or a circle. */
export type Drawn = { kind: 'polygon'; corners: LngLat[] } | { kind: 'circle'; centre: LngLat; radiusKm: number };

const EARTH_KM = 6371.0088;
const rad = Math.PI / 180;

/** Great-circle distance in km between two positions. */
export function distanceKm(a: LngLat, b: LngLat): number {
  const dLat = (b[1] - a[1]) * rad;
  const dLng = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const round = (n: number, d = 6) => Math.round(n * 10 ** d) / 10 ** d;

/** A circle as a closed ring of `steps` positions (for drawing it; the filter is a `near`). */
export function circleRing(centre: LngLat, radiusKm: number, steps = 64): LngLat[] {
  const [lng, lat] = centre;
  const d = radiusKm / EARTH_KM;
  const ring: LngLat[] = [];
  for (let i = 0; i <= steps; i++) {
    const bearing = ((i % steps) / steps) * 2 * Math.PI;
    const lat2 = Math.asin(Math.sin(lat * rad) * Math.cos(d) + Math.cos(lat * rad) * Math.sin(d) * Math.cos(bearing));
    const lng2 =
      lng * rad +
      Math.atan2(
        Math.sin(bearing) * Math.sin(d) * Math.cos(lat * rad),
        Math.cos(d) - Math.sin(lat * rad) * Math.sin(lat2),
      );
    ring.push([round(lng2 / rad), round(lat2 / rad)]);
  }
  return ring;
}

/** The list filter a drawing stands for: `within` the polygon, or `near` the circle's centre. */
export function drawnFilter(d: Drawn, field = 'address'): FilterNode {
  if (d.kind === 'circle') {
    const radiusKm = Math.max(0.1, Math.min(20_000, round(d.radiusKm, 1)));
    return { field, op: 'near', value: { lat: round(d.centre[1]), lng: round(d.centre[0]), radiusKm } };
  }
  const corners = d.corners.map(([x, y]) => [round(x), round(y)] as LngLat);
  const ring = [...corners, corners[0] as LngLat];
  return { field, op: 'within', value: { polygon: { type: 'Polygon', coordinates: [ring] } } };
}

/** The drawn condition AND-ed to the list's filter (a drawing replaces an earlier one). */
export function withDrawn(filter: FilterNode | undefined, drawn: FilterNode): FilterNode {
  const rest = withoutDrawn(filter);
  return rest ? { and: [rest, drawn] } : drawn;
}

const isDrawn = (n: FilterNode) =>
  'field' in n &&
  n.field === 'address' &&
  ((n.op === 'within' && !!(n.value as { polygon?: unknown } | null)?.polygon) ||
    (n.op === 'near' && typeof (n.value as { lat?: unknown } | null)?.lat === 'number'));

/** The filter without a drawn area (top level, or one of a top-level `and`). */
export function withoutDrawn(filter: FilterNode | undefined): FilterNode | undefined {
  if (!filter) return undefined;
  if (isDrawn(filter)) return undefined;
  if ('and' in filter) {
    const kept = filter.and.filter((n) => !isDrawn(n));
    if (kept.length === 0) return undefined;
    return kept.length === 1 ? kept[0] : { and: kept };
  }
  return filter;
}

/** The polygon drawn on the map in a filter (not a circle): what "Save as territory" keeps. */
export function drawnPolygon(filter: FilterNode | undefined): Polygon | null {
  if (!filter) return null;
  const leaf = isDrawn(filter) ? filter : 'and' in filter ? filter.and.find(isDrawn) : undefined;
  if (!leaf || !('field' in leaf) || leaf.op !== 'within') return null;
  return (leaf.value as { polygon: Polygon }).polygon;
}

/** The drawn area in a filter, as a shape to show on the map. */
export function drawnShape(filter: FilterNode | undefined): Feature<Polygon> | null {
  if (!filter) return null;
  const leaf = isDrawn(filter) ? filter : 'and' in filter ? filter.and.find(isDrawn) : undefined;
  if (!leaf || !('field' in leaf)) return null;
  if (leaf.op === 'within') {
    const polygon = (leaf.value as { polygon: Polygon }).polygon;
    return { type: 'Feature', geometry: polygon, properties: {} };
  }
  const v = leaf.value as { lat: number; lng: number; radiusKm: number };
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [circleRing([v.lng, v.lat], v.radiusKm)] },
    properties: {},
  };
}

/** The shape being drawn, for the map's drawing layer. */
export function sketch(d: Drawn | null, cursor: LngLat | null): FeatureCollection {
  const features: Feature[] = [];
  if (d?.kind === 'polygon' && d.corners.length > 0) {
    const line = cursor ? [...d.corners, cursor] : d.corners;
    features.push({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: line.length > 2 ? [...line, line[0] as LngLat] : line },
      properties: {},
    });
    for (const c of d.corners)
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: {} });
  }
  if (d?.kind === 'circle' && d.radiusKm > 0) {
    features.push({
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [circleRing(d.centre, d.radiusKm)] },
      properties: {},
    });
  }
  return { type: 'FeatureCollection', features };
}
