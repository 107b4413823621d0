import { type RawBuilder, sql } from 'kysely';
import { AUTO_GEO_SOURCES } from '../../../common/fields/field-values';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { geocodeOffline } from '../../platform/geo/gazetteer';
import { storageColumns } from '../../platform/records/field-types';
import type { RecordService } from '../../platform/records/records.service';
import type { FieldDef, ObjectDef } from '../../platform/records/types';

type Sql = RawBuilder<unknown>;
export type Address = Record<string, unknown>;

/** The address parts a place is read from: a change to one of them moves the address. */
export const PLACE_PARTS = ['street', 'city', 'region', 'postalCode', 'country'] as const;

export const systemActor = (workspaceId: string): Actor => ({
  kind: 'user',
  userId: null,
  workspaceId,
  role: 'system',
  scopes: [],
});

/**
 * The built-in address fields of an object that are geocoded (custom address fields are not
 * yet). Not a sensitive one (a staff member's home address): its value is withheld from events,
 * and it is neither sent to a geocoder nor put on a map.
 */
export const addressFields = (def: ObjectDef): FieldDef[] =>
  def.fields.filter((f) => f.type === 'address' && !f.sensitive);

const filled = (v: unknown) => typeof v === 'string' && v.length > 0;
/** A city, or a postal code in a country (placed when the postal-code file holds it). */
const hasPlace = (a: Address) => filled(a.city) || (filled(a.postalCode) && filled(a.country));

/** Whether the geocoder may (re)place this address's coordinates: none yet, or its own. */
export const geocoderOwns = (a: Address) => a.latitude == null || AUTO_GEO_SOURCES.includes(String(a.geoSource));

const moved = (from: Address | null | undefined, to: Address) =>
  PLACE_PARTS.some((p) => (from?.[p] ?? null) !== (to[p] ?? null));

/**
 * Whether a written address needs geocoding: it names a city (or a postal code in a
 * country) and has no coordinates, or
 * its place changed while its coordinates are the geocoder's (now stale). Coordinates a
 * person or an import set are never replaced.
 */
export function needsGeocoding(to: Address | null | undefined, from?: Address | null): boolean {
  if (!to) return false;
  if (to.latitude == null) return hasPlace(to);
  return from !== undefined && AUTO_GEO_SOURCES.includes(String(to.geoSource)) && moved(from, to);
}

/**
 * The condition that the stored address is still the one geocoded: the same place parts,
 * and coordinates that are absent or the geocoder's. A person's edit in between wins.
 */
function stillSame(field: FieldDef, a: Address): Sql {
  const cols = storageColumns(field);
  const col = (sub: string) => sql.ref(`t.${cols.find((c) => c.sub === sub)?.column}`);
  const same = PLACE_PARTS.map((p) => sql`${col(p)} is not distinct from ${(a[p] as string | null) ?? null}::text`);
  return sql`(${sql.join(same, sql` and `)}) and (${col('latitude')} is null or ${col('geoSource')} in ('gazetteer', 'geocoder'))`;
}

export type GeocodeOutcome = 'geocoded' | 'cleared' | 'unresolved' | 'unchanged';

/**
 * Geocodes one address of one record from the gazetteer and writes it through the record
 * engine (systemWrite: version, audit, `<object>.updated`), only if the address is still
 * the one read. An address whose place is unknown loses coordinates the geocoder had set
 * for its old place.
 */
export async function geocodeRecordField(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
  field: FieldDef,
  id: string,
  address: Address,
): Promise<GeocodeOutcome> {
  const hit = geocodeOffline(address as Parameters<typeof geocodeOffline>[0]);
  if (!hit && address.latitude == null) return 'unresolved';
  const next = hit
    ? { latitude: hit.lat, longitude: hit.lng, geoPrecision: hit.precision, geoSource: 'gazetteer' }
    : { latitude: null, longitude: null, geoPrecision: null, geoSource: null };
  if (
    hit &&
    address.latitude === next.latitude &&
    address.longitude === next.longitude &&
    address.geoSource === 'gazetteer'
  )
    return 'unchanged';
  const value = { ...pick(address), ...next };
  const written = await records.systemWrite(
    tx,
    actor,
    object,
    id,
    { [field.name]: value },
    {
      where: stillSame(field, address),
      detail: { geocoder: 'gazetteer' },
    },
  );
  if (!written) return 'unchanged';
  return hit ? 'geocoded' : 'cleared';
}

const pick = (a: Address) => Object.fromEntries(PLACE_PARTS.map((p) => [p, a[p] ?? null]));
