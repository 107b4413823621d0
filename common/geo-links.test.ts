import { describe, expect, it } from 'vitest';
import { addressText, directionsUrl, geoUri } from './geo-links';

describe('geo links', () => {
  const street = { street: '2 Hive Lane', postalCode: 'EC1 2AB', city: 'London', country: 'GB' };

  it('directs to the coordinates when they are the place itself (street level, or set by hand)', () => {
    for (const geoPrecision of ['street', 'manual', null]) {
      const url = directionsUrl({ ...street, latitude: 51.5234567891, longitude: -0.1, geoPrecision });
      expect(url).toBe('https://www.openstreetmap.org/directions?route=%3B51.523457%2C-0.1#map=14/51.523457/-0.1');
    }
  });

  it("directs to the street address when the coordinates are only a city's or postal code's centre", () => {
    for (const geoPrecision of ['city', 'postal']) {
      const url = directionsUrl({ ...street, latitude: 51.5, longitude: -0.12, geoPrecision });
      expect(url).toBe(
        `https://www.openstreetmap.org/directions?to=${encodeURIComponent('2 Hive Lane, EC1 2AB London, GB')}`,
      );
    }
    // A city alone: its centre is as good as the text.
    const city = directionsUrl({ city: 'Lyon', country: 'FR', latitude: 45.76, longitude: 4.84, geoPrecision: 'city' });
    expect(city).toContain('route=%3B45.76%2C4.84');
  });

  it('directs to the text without coordinates, and to nothing for an empty address', () => {
    expect(directionsUrl(street)).toContain(`to=${encodeURIComponent('2 Hive Lane')}`);
    expect(directionsUrl({})).toBeNull();
    expect(directionsUrl(null)).toBeNull();
    expect(addressText({ city: 'Lyon', country: 'FR' })).toBe('Lyon, FR');
    expect(geoUri(45.7640001, 4.8357)).toBe('geo:45.764,4.8357');
  });
});
