import { z } from 'zod';

/**
 * Geo-location contracts (issue 19): the values of the `near` and `within` filter
 * operators on address fields (the record engine compiles them, the web app's map and
 * "near me" build them), and the geocoding runs of server/modules/geo.
 */

/** The largest radius: half the earth's circumference. */
export const MAX_RADIUS_KM = 20_000;
/** Positions per polygon ring and rings per polygon. */
export const MAX_RING_POSITIONS = 1000;
export const MAX_RINGS = 10;

const Lat = z
  .number({ message: 'must be a number' })
  .min(-90, 'must be between -90 and 90')
  .max(90, 'must be between -90 and 90');
const Lng = z
  .number({ message: 'must be a number' })
  .min(-180, 'must be between -180 and 180')
  .max(180, 'must be between -180 and 180');
const RadiusKm = z
  .number({ message: 'must be a number of kilometres' })
  .gt(0, `must be more than 0 and at most ${MAX_RADIUS_KM} km`)
  .max(MAX_RADIUS_KM, `must be more than 0 and at most ${MAX_RADIUS_KM} km`);

/** `near`: within `radiusKm` of a place ("Lyon, FR") or of a point (`lat`, `lng`). */
export const NearValueSchema = z
  .object({
    place: z.string().trim().min(1, 'must name a place, e.g. "Lyon, FR"').max(200).optional(),
    lat: Lat.optional(),
    lng: Lng.optional(),
    radiusKm: RadiusKm,
  })
  .strict()
  .superRefine((v, ctx) => {
    const point = v.lat !== undefined || v.lng !== undefined;
    if (v.place !== undefined && point) {
      ctx.addIssue({ code: 'custom', path: ['place'], message: 'give either a place or lat and lng, not both' });
    } else if (!point && v.place === undefined) {
      ctx.addIssue({ code: 'custom', path: ['place'], message: 'give a place ("Lyon, FR") or lat and lng' });
    } else if (point && (v.lat === undefined || v.lng === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.lat === undefined ? 'lat' : 'lng'], message: 'lat and lng go together' });
    }
  });
export type NearValue = z.infer<typeof NearValueSchema>;

/** A position in GeoJSON order (RFC 7946): longitude, then latitude. */
const Position = z.tuple([Lng, Lat], { message: 'must be a [longitude, latitude] pair' });

/** A GeoJSON Polygon geometry: an outer ring and optional holes, each closed. */
export const GeoJsonPolygonSchema = z
  .object({
    type: z.literal('Polygon', { message: 'must be "Polygon"' }),
    coordinates: z
      .array(
        z
          .array(Position)
          .min(4, 'a ring needs at least 4 positions (the first repeated last)')
          .max(MAX_RING_POSITIONS, `a ring has at most ${MAX_RING_POSITIONS} positions`),
      )
      .min(1, 'must hold the outer ring')
      .max(MAX_RINGS, `at most ${MAX_RINGS} rings`),
  })
  .superRefine((p, ctx) => {
    p.coordinates.forEach((ring, i) => {
      const problem = ringProblem(ring);
      if (problem) ctx.addIssue({ code: 'custom', path: ['coordinates', i], message: problem });
    });
  });
export type GeoJsonPolygon = z.infer<typeof GeoJsonPolygonSchema>;

/** `within`: inside a polygon, or a region (country, region, postal-code prefix). */
export const WithinValueSchema = z
  .object({
    polygon: GeoJsonPolygonSchema.optional(),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR')
      .optional(),
    region: z.string().trim().min(1).max(200).optional(),
    postalCodePrefix: z.string().trim().min(1).max(20).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const region = v.country !== undefined || v.region !== undefined || v.postalCodePrefix !== undefined;
    if (v.polygon && region) {
      ctx.addIssue({ code: 'custom', path: ['polygon'], message: 'give either a polygon or a region, not both' });
    } else if (!v.polygon && !region) {
      ctx.addIssue({
        code: 'custom',
        path: ['polygon'],
        message: 'give a polygon (GeoJSON) or a region: country, region, postalCodePrefix',
      });
    }
  });
export type WithinValue = z.infer<typeof WithinValueSchema>;

/** A region of a territory: a country, a region of it, or a postal-code prefix (a `within` without polygon). */
export const TerritoryRegionSchema = z
  .object({
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR'),
    region: z.string().trim().min(1).max(200).optional(),
    postalCodePrefix: z.string().trim().min(1).max(20).optional(),
  })
  .strict();

/** The most regions one territory lists: with its polygon, a filter tree's 100 conditions. */
export const MAX_TERRITORY_REGIONS = 99;

/**
 * A territory's area (issue 19, point 6): a drawn polygon and/or a set of regions
 * (countries, regions, postal-code prefixes). A record is in it when its address is
 * `within` the polygon or any of the regions.
 */
export const TerritoryAreaSchema = z
  .object({
    polygon: GeoJsonPolygonSchema.optional(),
    regions: z
      .array(TerritoryRegionSchema)
      .max(MAX_TERRITORY_REGIONS, `at most ${MAX_TERRITORY_REGIONS} regions`)
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.polygon && !v.regions?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['polygon'],
        message: 'give a polygon (GeoJSON) or regions: [{ country, region?, postalCodePrefix? }]',
      });
    }
  });
export type TerritoryArea = z.infer<typeof TerritoryAreaSchema>;

/** A territory as the map reads it (`/api/v1/territories?fields=name,area`). */
export const TerritoryMapSchema = z.object({ id: z.uuid(), name: z.string(), area: TerritoryAreaSchema.nullable() });

/** A territory's area as a filter tree on an address field: `within` the polygon or any region. */
export function territoryFilter(area: TerritoryArea, field = 'address') {
  const leaves = [
    ...(area.polygon ? [{ field, op: 'within' as const, value: { polygon: area.polygon } }] : []),
    ...(area.regions ?? []).map((r) => ({ field, op: 'within' as const, value: r })),
  ];
  return { or: leaves };
}

type Pos = readonly [number, number];

const same = (a: Pos, b: Pos) => a[0] === b[0] && a[1] === b[1];

function orient(a: Pos, b: Pos, c: Pos): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

const onSegment = (a: Pos, b: Pos, p: Pos) =>
  Math.min(a[0], b[0]) <= p[0] &&
  p[0] <= Math.max(a[0], b[0]) &&
  Math.min(a[1], b[1]) <= p[1] &&
  p[1] <= Math.max(a[1], b[1]);

/** Whether segments ab and cd share a point. */
function intersects(a: Pos, b: Pos, c: Pos, d: Pos): boolean {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(a, b, c)) ||
    (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) ||
    (o4 === 0 && onSegment(c, d, b))
  );
}

/**
 * What is wrong with a polygon ring, or null: not closed, fewer than three distinct
 * corners, or crossing itself (two edges that are not neighbours touch). O(n²) over at
 * most MAX_RING_POSITIONS positions.
 */
export function ringProblem(ring: readonly Pos[]): string | null {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (!first || !last || !same(first, last)) return 'must be closed: the last position repeats the first';
  const n = ring.length - 1; // edges
  if (new Set(ring.slice(0, n).map((p) => `${p[0]},${p[1]}`)).size < 3) return 'needs at least 3 distinct corners';
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      const a = ring[i] as Pos;
      const b = ring[i + 1] as Pos;
      const c = ring[j] as Pos;
      const d = ring[j + 1] as Pos;
      if (adjacent) {
        // Neighbours share one corner; they must not fold back over each other.
        const shared = j === i + 1 ? b : a;
        const p = j === i + 1 ? a : b;
        const q = j === i + 1 ? d : c;
        if (orient(shared, p, q) === 0 && onSegment(shared, p, q) && !same(q, shared)) return 'crosses itself';
        if (orient(shared, q, p) === 0 && onSegment(shared, q, p) && !same(p, shared)) return 'crosses itself';
        continue;
      }
      if (intersects(a, b, c, d)) return 'crosses itself';
    }
  }
  return null;
}

export const GEO_RUN_STATES = ['queued', 'running', 'completed', 'failed'] as const;

/** A geocoding run over the workspace's existing addresses. */
export const GeoRunSchema = z
  .object({
    id: z.uuid(),
    state: z.enum(GEO_RUN_STATES),
    total: z.number().int().describe('Addresses to look at'),
    done: z.number().int().describe('Addresses looked at so far'),
    geocoded: z.number().int().describe('Addresses that got coordinates'),
    unresolved: z.number().int().describe('Addresses whose place is not known'),
    error: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'GeoRun' });
export type TGeoRun = z.infer<typeof GeoRunSchema>;

export const GEO_EXPORT_FORMATS = ['geojson', 'kml'] as const;

export const GeoRunResponse = z.object({ data: GeoRunSchema });
export const LatestGeoRunResponse = z.object({ data: GeoRunSchema.nullable() });

export const GeoExportParams = z.object({ object: z.string().min(1).max(100) }).strict();
export const GeoExportQuery = z
  .object({
    format: z.enum(GEO_EXPORT_FORMATS).default('geojson').describe('geojson (RFC 7946) or kml (KML 2.2)'),
    filter: z.string().max(20_000).optional().describe('A JSON filter tree, as for lists (near / within included)'),
    sort: z.string().max(500).optional(),
  })
  .strict();

export const PlaceQuery = z
  .object({ q: z.string().trim().min(1).max(200).describe('"Lyon, FR", "Paris, TX"') })
  .strict();
export const PlaceSchema = z
  .object({
    name: z.string(),
    country: z.string(),
    adminCode: z.string(),
    population: z.number().int(),
    lat: z.number(),
    lng: z.number(),
  })
  .meta({ id: 'Place' });
export const PlaceResponse = z.object({ data: PlaceSchema });

/** What the web app's map needs from the server's configuration. */
export const MapConfigResponse = z.object({
  data: z.object({ tileUrl: z.string().nullable().describe('A raster tile URL template for street maps, or null') }),
});
