import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database';
import { PermanentJobError, RetryJobError } from '../../platform/jobs/job-queue';
import { storageColumns } from '../../platform/records/field-types';
import type { RecordService } from '../../platform/records/records.service';
import { type Address, geocoderOwns, PLACE_PARTS, systemActor } from './geocode';

/**
 * The optional online geocoder (RAPPORT_GEOCODER_URL): a Nominatim-compatible `/search`
 * that refines an address with a street to street level. Off by default. Nominatim's
 * usage policy: at most one request a second, a User-Agent naming the application, no
 * bulk geocoding; so requests go through one queue (concurrency 1) and a process-wide
 * pause of at least a second between them, and only addresses written after start-up are
 * sent (the run over existing records uses the gazetteer only).
 */

export const REFINE_QUEUE = 'geo.refine';
export const MIN_INTERVAL_MS = 1000;

export interface RefinePayload {
  object: string;
  field: string;
  id: string;
  address: Address;
}

const moved = (from: Address | null | undefined, to: Address) =>
  PLACE_PARTS.some((p) => (from?.[p] ?? null) !== (to[p] ?? null));

/** Whether a written address should be refined online: it has a street and coordinates that are not a person's. */
export function wantsRefinement(to: Address | null | undefined, from?: Address | null): boolean {
  if (!to || typeof to.street !== 'string' || !to.street || !geocoderOwns(to)) return false;
  return to.geoSource !== 'geocoder' || moved(from, to);
}

/** The job key: one refinement per record, field and place text while the job row lives. */
export function refineKey(object: string, id: string, field: string, a: Address): string {
  const place = createHash('sha256')
    .update(JSON.stringify(PLACE_PARTS.map((p) => a[p] ?? null)))
    .digest('base64url')
    .slice(0, 16);
  return `refine:${object}:${id}:${field}:${place}`;
}

let last = 0;
let chain: Promise<void> = Promise.resolve();

/** Waits for this process's turn: at least MIN_INTERVAL_MS after the previous request was answered. */
function turn(): Promise<void> {
  const mine = chain.then(async () => {
    const wait = last + MIN_INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    last = Date.now();
  });
  chain = mine.catch(() => undefined);
  return mine;
}

/** Asks the geocoder for an address; null when it knows no such place. */
export async function searchOnline(
  baseUrl: string,
  userAgent: string,
  a: Address,
): Promise<{ lat: number; lng: number } | null> {
  const url = new URL('search', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const params: Record<string, unknown> = {
    street: a.street,
    city: a.city,
    state: a.region,
    postalcode: a.postalCode,
    countrycodes: typeof a.country === 'string' ? a.country.toLowerCase() : undefined,
  };
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string' && v) url.searchParams.set(k, v);
  url.searchParams.set('format', 'jsonv2');
  url.searchParams.set('limit', '1');
  await turn();
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { 'user-agent': userAgent, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new RetryJobError(`geocoder unreachable: ${(err as Error).message}`, 60);
  } finally {
    // The pause counts from the answer, so the geocoder never sees two requests closer than a second.
    last = Date.now();
  }
  if (res.status === 429 || res.status >= 500) {
    const after = Number(res.headers.get('retry-after'));
    throw new RetryJobError(`geocoder answered ${res.status}`, Number.isFinite(after) && after > 0 ? after : 60);
  }
  if (!res.ok) throw new PermanentJobError(`geocoder answered ${res.status}`);
  const body = (await res.json()) as { lat?: string; lon?: string }[];
  const hit = Array.isArray(body) ? body[0] : undefined;
  const lat = Number(hit?.lat);
  const lng = Number(hit?.lon);
  if (!hit || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return { lat, lng };
}

/** The refinement job: ask the geocoder, then write street-level coordinates if the address is still the one asked about. */
export async function refineAddress(
  database: Database,
  records: RecordService,
  opts: { url: string; userAgent: string },
  workspaceId: string,
  p: RefinePayload,
): Promise<void> {
  const def = records.registry.get(p.object);
  const field = def?.fields.find((f) => f.name === p.field && f.type === 'address');
  if (!def || !field) return;
  const hit = await searchOnline(opts.url, opts.userAgent, p.address);
  if (!hit) return;
  const cols = storageColumns(field);
  const col = (sub: string) => sql.ref(`t.${cols.find((c) => c.sub === sub)?.column}`);
  const same = PLACE_PARTS.map(
    (x) => sql`${col(x)} is not distinct from ${(p.address[x] as string | null) ?? null}::text`,
  );
  const place = Object.fromEntries(PLACE_PARTS.map((x) => [x, p.address[x] ?? null]));
  await database.tenant(workspaceId, (tx) =>
    records.systemWrite(
      tx,
      systemActor(workspaceId),
      p.object,
      p.id,
      { [p.field]: { ...place, latitude: hit.lat, longitude: hit.lng, geoPrecision: 'street', geoSource: 'geocoder' } },
      {
        where: sql`(${sql.join(same, sql` and `)}) and (${col('latitude')} is null or ${col('geoSource')} in ('gazetteer', 'geocoder'))`,
        detail: { geocoder: 'online' },
      },
    ),
  );
}
