import { type RawBuilder, sql } from 'kysely';
import type { z } from 'zod';
import { NearValueSchema, WithinValueSchema } from '../../../common/contracts/geo';
import { humanIssueMessage } from '../../../common/validation-messages';
import { resolvePlace } from '../geo/gazetteer';
import { AppError } from '../http/errors';

type Sql = RawBuilder<unknown>;

/**
 * The `near` and `within` operators on an address field (issue 19). Both test the
 * address's point, `rapport_earth(latitude, longitude)` (migration 0036: earthdistance's
 * ll_to_earth with qualified names), against a cube around the circle or the polygon
 * (`cube_enlarge(centre, chord, 3) @> point`), then exactly: the chord to the centre (a
 * monotonic stand-in for the great-circle distance) or the point in the polygon. Records
 * without coordinates never match.
 *
 * The index (migration 0058, a plain btree: the same on PostgreSQL and PGlite) is on
 * (workspace, latitude band, longitude, latitude) of a built-in address field; the band
 * is the expression `rapport_geoband(lat, lng)` = floor((lat + 90) × 10), so 0.1° of
 * latitude. Before the exact test each leaf adds the bounding box of its circle or
 * polygon as `band = ANY(bands) AND longitude BETWEEN west AND east AND latitude
 * BETWEEN south AND north`: one index range per band. The box always holds every point
 * the exact test accepts (a margin of 1e-5° absorbs rounding and PostgreSQL's 1e-6
 * geometric tolerance); a circle over a pole or across the antimeridian takes every
 * longitude.
 *
 * A custom address field lives in the record's `custom` jsonb, so it has no band column;
 * its index (migration 0063) is a GIN over `rapport_geocells(workspace_id, custom)`: for
 * each address-shaped value, its grid cell at 0.1°, 1° and 10° (and "has coordinates"),
 * hashed with the workspace and the field's name. A leaf on such a field asks for the cells
 * covering the same box at the finest level that needs at most MAX_CELLS of them
 * (`rapport_geocells(…) && keys`), then applies the same exact test.
 */

/** earthdistance's `earth()`: the radius the cube points are on, in metres. */
const EARTH_M = 6378168;

/** The chord (straight-line) length of a great-circle distance, in metres. */
export function chordMetres(km: number): number {
  const arc = km * 1000;
  return arc >= Math.PI * EARTH_M ? 2 * EARTH_M : 2 * EARTH_M * Math.sin(arc / (2 * EARTH_M));
}

/** Great-circle distance in km between two points (haversine on earthdistance's sphere). */
export function distanceKm(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLng = (bLng - aLng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLng / 2) ** 2;
  return (2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)))) / 1000;
}

/** The SQL of an address as a point, and of its text parts the regions compare. */
export interface GeoAccessor {
  lat: Sql;
  lng: Sql;
  part: (sub: 'country' | 'region' | 'postalCode') => Sql;
  /** The address's latitude band, `rapport_geoband(lat, lng)` (built-in address fields only: the index). */
  band?: Sql;
  /** A custom address field's index condition: the record has a point in one of these cells (migration 0063). */
  cells?: (cells: number[]) => Sql;
}

/**
 * The index condition of custom address field `field` on alias `alias`: one of the
 * record's keys is one of the cells' keys. The keys are computed once per query (an
 * InitPlan), in SQL, so they hash exactly as the index expression does. It repeats the
 * index's predicate (`custom @? '$.*.latitude'`) word for word, so the planner can use it.
 */
export const customGeoCells =
  (alias: string, field: string) =>
  (cells: number[]): Sql =>
    sql`(${sql.ref(`${alias}.custom`)} @? '$.*.latitude'::jsonpath and rapport_geocells(${sql.ref(`${alias}.workspace_id`)}, ${sql.ref(`${alias}.custom`)}) && (select rapport_geokeys(rapport_workspace(), ${field}::text, ${cells}::int[])))`;

/** Bands per degree of latitude, and the last band (the north pole's). */
const BANDS_PER_DEGREE = 10;
const LAST_BAND = 180 * BANDS_PER_DEGREE - 1;
/** Added around every box, in degrees: rounding, and PostgreSQL's 1e-6 tolerance in `polygon @> point`. */
const MARGIN = 1e-5;

/** A point's latitude band: `rapport_geoband` of migration 0058, with the same arithmetic. */
export function geoBand(lat: number): number {
  return Math.min(Math.floor((lat + 90) * BANDS_PER_DEGREE), LAST_BAND);
}

/** A latitude-longitude box, in degrees (west <= east: never across the antimeridian). */
export interface GeoBox {
  south: number;
  north: number;
  west: number;
  east: number;
}

/** The bands a box crosses, south to north. */
export function bandsOf(box: GeoBox): number[] {
  const first = geoBand(Math.max(-90, box.south));
  const last = geoBand(Math.min(90, box.north));
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/**
 * The box around every point within `km` (great-circle, on earthdistance's sphere) of a
 * centre, with the margin; all longitudes when the circle holds a pole or crosses the
 * antimeridian.
 */
export function circleBox(lat: number, lng: number, km: number): GeoBox {
  const angle = (km * 1000) / EARTH_M; // radians
  if (angle >= Math.PI) return { south: -90, north: 90, west: -180, east: 180 };
  const dLat = (angle * 180) / Math.PI + MARGIN;
  const south = Math.max(-90, lat - dLat);
  const north = Math.min(90, lat + dLat);
  const all = { south, north, west: -180, east: 180 };
  if (south <= -90 || north >= 90) return all;
  // The widest longitude of a spherical cap that holds no pole: asin(sin r / cos φ).
  const ratio = Math.sin(angle) / Math.cos((lat * Math.PI) / 180);
  if (ratio >= 1) return all;
  const dLng = (Math.asin(ratio) * 180) / Math.PI + MARGIN;
  if (lng - dLng < -180 || lng + dLng > 180) return all;
  return { south, north, west: lng - dLng, east: lng + dLng };
}

/** The box around a ring of [longitude, latitude] positions (planar, as `polygon @> point`), with the margin. */
export function ringBox(ring: readonly (readonly [number, number])[]): GeoBox {
  const lats = ring.map((p) => p[1]);
  const lngs = ring.map((p) => p[0]);
  return {
    south: Math.min(...lats) - MARGIN,
    north: Math.max(...lats) + MARGIN,
    west: Math.min(...lngs) - MARGIN,
    east: Math.max(...lngs) + MARGIN,
  };
}

/**
 * The grid levels of the custom fields' index, as `rapport_geocell_ids` (migration 0063)
 * numbers them: a cell is `base + row × columns + column`, the row and column being
 * ⌊index(lat + 90)⌋ and ⌊index(lng + 180)⌋ capped at the last one (the same IEEE arithmetic
 * as the SQL: multiply by 10, nothing, divide by 10).
 */
const LEVELS = [
  { base: 0, rows: 1800, cols: 3600, index: (x: number) => Math.floor(x * 10) },
  { base: 10_000_000, rows: 180, cols: 360, index: (x: number) => Math.floor(x) },
  { base: 20_000_000, rows: 18, cols: 36, index: (x: number) => Math.floor(x / 10) },
] as const;
/** The key every point has ("has coordinates"): what a box too large for any level asks for. */
const ANY_CELL = 30_000_000;
/** At most this many cells in one leaf's condition (a 50 km circle at 45°: ~140 of 0.1°). */
export const MAX_CELLS = 512;

/** A point's cells, one per level, then ANY_CELL: `rapport_geocell_ids` of migration 0063. */
export function pointCells(lat: number, lng: number): number[] {
  return [
    ...LEVELS.map(
      (l) => l.base + Math.min(l.index(lat + 90), l.rows - 1) * l.cols + Math.min(l.index(lng + 180), l.cols - 1),
    ),
    ANY_CELL,
  ];
}

/**
 * The cells that cover a box at the finest level needing at most MAX_CELLS of them (or
 * ANY_CELL). Every point in the box is in one of them: the row and column are monotonic in
 * the latitude and longitude.
 */
export function coverCells(box: GeoBox): number[] {
  for (const l of LEVELS) {
    const at = (x: number, n: number) => Math.max(0, Math.min(l.index(x), n - 1));
    const r0 = at(Math.max(-90, box.south) + 90, l.rows);
    const r1 = at(Math.min(90, box.north) + 90, l.rows);
    const c0 = at(Math.max(-180, box.west) + 180, l.cols);
    const c1 = at(Math.min(180, box.east) + 180, l.cols);
    if ((r1 - r0 + 1) * (c1 - c0 + 1) > MAX_CELLS) continue;
    const cells: number[] = [];
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cells.push(l.base + r * l.cols + c);
    return cells;
  }
  return [ANY_CELL];
}

/** The index's part of a leaf: the box as one index range per band, or as grid cells (a custom field). */
function boxCondition(acc: GeoAccessor, box: GeoBox): Sql[] {
  if (acc.cells) return [acc.cells(coverCells(box))];
  if (!acc.band) return [];
  return [
    sql`${acc.band} = any(${bandsOf(box)}::int[])`,
    sql`${acc.lng} between ${box.west}::float8 and ${box.east}::float8`,
    sql`${acc.lat} between ${box.south}::float8 and ${box.north}::float8`,
  ];
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });

function parse<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.slice(0, 20).map((i) => ({
    path: [path, ...i.path.map(String)].join('.'),
    message: humanIssueMessage(i),
  }));
  throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

const earth = (lat: Sql | number, lng: Sql | number) => sql`rapport_earth(${lat}::float8, ${lng}::float8)`;

/** A `near` leaf: its condition and the record's distance in km (numeric, 3 decimals). */
export function compileNear(acc: GeoAccessor, value: unknown, path: string): { cond: Sql; distance: Sql } {
  const v = parse(NearValueSchema, value, path);
  let lat = v.lat;
  let lng = v.lng;
  if (v.place !== undefined) {
    const place = resolvePlace(v.place);
    if (!place) throw invalid(`${path}.place`, `no known place is called "${v.place}"; try "City, CC" (e.g. Lyon, FR)`);
    lat = place.lat;
    lng = place.lng;
  }
  const centre = earth(lat as number, lng as number);
  const point = earth(acc.lat, acc.lng);
  const chord = chordMetres(v.radiusKm);
  const cond = sql`(${sql.join(
    [
      ...boxCondition(acc, circleBox(lat as number, lng as number, v.radiusKm)),
      sql`public.cube_enlarge(${centre}, ${chord}::float8, 3) @> ${point}`,
      sql`public.cube_distance(${centre}, ${point}) <= ${chord}::float8`,
    ],
    sql` and `,
  )})`;
  const distance = sql`round((2 * ${EARTH_M}::float8 * asin(least(1::float8,
    public.cube_distance(${centre}, ${point}) / (2 * ${EARTH_M}::float8))) / 1000)::numeric, 3)`;
  return { cond, distance };
}

/** A `within` leaf: inside a polygon (RFC 7946 order, holes excluded) or a region. */
export function compileWithin(acc: GeoAccessor, value: unknown, path: string): Sql {
  const v = parse(WithinValueSchema, value, path);
  if (!v.polygon) {
    const conds: Sql[] = [];
    if (v.country) conds.push(sql`${acc.part('country')} = ${v.country}`);
    if (v.region)
      conds.push(sql`lower(rapport_unaccent(${acc.part('region')})) = lower(rapport_unaccent(${v.region}))`);
    if (v.postalCodePrefix) {
      const prefix = v.postalCodePrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      conds.push(sql`upper(${acc.part('postalCode')}) like ${`${prefix.toUpperCase()}%`}`);
    }
    return sql`(${sql.join(conds, sql` and `)})`;
  }
  const [outer = [], ...holes] = v.polygon.coordinates;
  const asPolygon = (ring: readonly (readonly [number, number])[]) =>
    sql`${`(${ring.map(([x, y]) => `(${x},${y})`).join(',')})`}::polygon`;
  // The cube around the outer ring: the circle through its bounding box's corners (as before the band index: the same matches).
  const lats = outer.map((p) => p[1]);
  const lngs = outer.map((p) => p[0]);
  const cLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const cLng = (Math.min(...lngs) + Math.max(...lngs)) / 2;
  const reach = Math.max(...outer.map(([x, y]) => distanceKm(cLat, cLng, y, x))) * 1.01 + 1;
  const point = earth(acc.lat, acc.lng);
  const inside: Sql[] = [
    ...boxCondition(acc, ringBox(outer)),
    sql`public.cube_enlarge(${earth(cLat, cLng)}, ${chordMetres(Math.min(reach, 20_000))}::float8, 3) @> ${point}`,
    sql`${asPolygon(outer)} @> point(${acc.lng}, ${acc.lat})`,
    ...holes.map((h) => sql`not (${asPolygon(h)} @> point(${acc.lng}, ${acc.lat}))`),
  ];
  return sql`(${sql.join(inside, sql` and `)})`;
}
