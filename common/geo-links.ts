/**
 * Links to a place for GPS and map apps (issue 19, point 7), shared by the server's
 * exports and the web app (address values, "near me", the phone's quick actions): a
 * `geo:` URI (RFC 5870, latitude first; phones open their maps app on it) and one
 * directions link, on OpenStreetMap (no key, works in any browser).
 */

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** The parts of an address value the links read. */
export interface AddressParts {
  street?: string | null;
  city?: string | null;
  region?: string | null;
  postalCode?: string | null;
  country?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  geoPrecision?: string | null;
}

/** `geo:45.764,4.8357` */
export const geoUri = (lat: number, lng: number): string => `geo:${round(lat)},${round(lng)}`;

/** An address as one line: "2 Hive Lane, EC1 2AB London, GB". */
export function addressText(a: AddressParts): string {
  const cityLine = [a.postalCode, a.city].filter(Boolean).join(' ');
  return [a.street, cityLine, a.region, a.country].filter(Boolean).join(', ');
}

/** The point of an address value, when it has coordinates. */
export function addressPoint(value: unknown): { lat: number; lng: number } | null {
  if (!value || typeof value !== 'object') return null;
  const a = value as { latitude?: unknown; longitude?: unknown };
  return typeof a.latitude === 'number' && typeof a.longitude === 'number'
    ? { lat: a.latitude, lng: a.longitude }
    : null;
}

/**
 * Directions to an address value: to its coordinates when they are the place itself
 * (street level, or set by hand); to its text when the coordinates are only a city's or a
 * postal code's centre and the text names a street (the geocoder's point would lead to
 * the town hall), or when there are no coordinates. Null for an empty address.
 */
export function directionsUrl(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const a = value as AddressParts;
  const point = addressPoint(a);
  const coarse = (a.geoPrecision === 'city' || a.geoPrecision === 'postal') && !!a.street;
  if (point && !coarse) {
    const [lat, lng] = [round(point.lat), round(point.lng)];
    return `https://www.openstreetmap.org/directions?route=%3B${lat}%2C${lng}#map=14/${lat}/${lng}`;
  }
  const text = addressText(a);
  return text ? `https://www.openstreetmap.org/directions?to=${encodeURIComponent(text)}` : null;
}
