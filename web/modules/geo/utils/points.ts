import type { FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import type { Topology } from 'topojson-specification';
import { addressPoint } from '../../../../common/geo-links';

export interface MapPoint {
  id: string;
  title: string;
  lat: number;
  lng: number;
}

/** Records → map points: those whose address has coordinates, with their title. */
export function toPoints(
  records: Record<string, unknown>[],
  title: (r: Record<string, unknown>) => string,
  field = 'address',
): MapPoint[] {
  const out: MapPoint[] = [];
  for (const r of records) {
    const p = addressPoint(r[field]);
    if (p) out.push({ id: String(r.id), title: title(r), lat: p.lat, lng: p.lng });
  }
  return out;
}

/** Points as GeoJSON features for supercluster ([lng, lat], RFC 7946). */
export function toFeatures(points: MapPoint[]): FeatureCollection<Point, { id: string; title: string }>['features'] {
  return points.map((p) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
    properties: { id: p.id, title: p.title },
  }));
}

/** The bounds [[west, south], [east, north]] of the points, or null without any. */
export function boundsOf(points: MapPoint[]): [[number, number], [number, number]] | null {
  if (points.length === 0) return null;
  let w = 180;
  let s = 90;
  let e = -180;
  let n = -90;
  for (const p of points) {
    w = Math.min(w, p.lng);
    e = Math.max(e, p.lng);
    s = Math.min(s, p.lat);
    n = Math.max(n, p.lat);
  }
  return [
    [w, s],
    [e, n],
  ];
}

export type CountryShapes = FeatureCollection<Polygon | MultiPolygon>;
export type WorldTopology = Topology;
