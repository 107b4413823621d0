import { faker } from '@faker-js/faker';
import { geocodeOffline } from '../../platform/geo/gazetteer';
import { INDUSTRIES } from '../accounts';

/** Real cities with coordinates, so the demo's addresses are plausible and mappable. */
export const CITIES = [
  {
    city: 'Lyon',
    region: 'Auvergne-Rhône-Alpes',
    country: 'FR',
    latitude: 45.764,
    longitude: 4.8357,
    phone: '+33 4 72 10 30 30',
  },
  {
    city: 'Paris',
    region: 'Île-de-France',
    country: 'FR',
    latitude: 48.8566,
    longitude: 2.3522,
    phone: '+33 1 42 76 40 40',
  },
  { city: 'Berlin', region: 'Berlin', country: 'DE', latitude: 52.52, longitude: 13.405, phone: '+49 30 901820' },
  { city: 'München', region: 'Bayern', country: 'DE', latitude: 48.1351, longitude: 11.582, phone: '+49 89 23300' },
  {
    city: 'London',
    region: 'England',
    country: 'GB',
    latitude: 51.5072,
    longitude: -0.1276,
    phone: '+44 20 7946 0958',
  },
  {
    city: 'Madrid',
    region: 'Comunidad de Madrid',
    country: 'ES',
    latitude: 40.4168,
    longitude: -3.7038,
    phone: '+34 915 88 10 00',
  },
  { city: 'Milano', region: 'Lombardia', country: 'IT', latitude: 45.4642, longitude: 9.19, phone: '+39 02 8845 0000' },
  {
    city: 'Amsterdam',
    region: 'Noord-Holland',
    country: 'NL',
    latitude: 52.3676,
    longitude: 4.9041,
    phone: '+31 20 624 1111',
  },
  { city: 'New York', region: 'NY', country: 'US', latitude: 40.7128, longitude: -74.006, phone: '+1 212 639 9675' },
  {
    city: 'San Francisco',
    region: 'CA',
    country: 'US',
    latitude: 37.7749,
    longitude: -122.4194,
    phone: '+1 415 701 2311',
  },
  { city: 'Toronto', region: 'ON', country: 'CA', latitude: 43.6532, longitude: -79.3832, phone: '+1 416 392 2489' },
  {
    city: 'São Paulo',
    region: 'SP',
    country: 'BR',
    latitude: -23.5505,
    longitude: -46.6333,
    phone: '+55 11 3113 9000',
  },
];

const pick = <T>(list: readonly T[]): T => list[faker.number.int({ min: 0, max: list.length - 1 })] as T;

/** Deterministic sample accounts and contacts (API bodies), `accounts` × ~5 contacts. */
export function sampleRecords(accounts: number, seed = 2026) {
  faker.seed(seed);
  const accountBodies = Array.from({ length: accounts }, (_, i) => {
    const name = faker.company.name();
    const slug = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const place = pick(CITIES);
    return {
      name,
      domain: `${slug}-${i}.example.com`,
      website: `https://www.${slug}-${i}.example.com`,
      industry: pick(INDUSTRIES),
      type: pick(['prospect', 'prospect', 'customer', 'customer', 'partner', 'supplier']),
      employees: faker.number.int({ min: 5, max: 20_000 }),
      annualRevenue: {
        amount: `${faker.number.int({ min: 100, max: 500_000 })}000.00`,
        currency: place.country === 'US' || place.country === 'CA' ? 'USD' : place.country === 'GB' ? 'GBP' : 'EUR',
      },
      phone: place.phone,
      address: {
        street: faker.location.streetAddress(),
        city: place.city,
        region: place.region,
        postalCode: faker.location.zipCode('#####'),
        country: place.country,
        latitude: place.latitude + faker.number.float({ min: -0.05, max: 0.05 }),
        longitude: place.longitude + faker.number.float({ min: -0.05, max: 0.05 }),
      },
      tags: faker.helpers.arrayElements(['key account', 'renewal 2027', 'partner program', 'eu', 'strategic'], {
        min: 0,
        max: 2,
      }),
      description: faker.company.catchPhrase(),
    };
  });
  const contactsFor = (accountIds: string[]) =>
    accountIds.flatMap((accountId, i) =>
      Array.from({ length: faker.number.int({ min: 2, max: 8 }) }, (_, j) => {
        const firstName = faker.person.firstName();
        const lastName = faker.person.lastName();
        const domain = accountBodies[i]?.domain ?? 'example.com';
        return {
          firstName,
          lastName,
          email: `${firstName}.${lastName}.${i}${j}@${domain}`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
          title: faker.person.jobTitle(),
          department: pick(['Sales', 'Marketing', 'Finance', 'IT', 'Operations', 'Executive']),
          accountId,
          lifecycleStage: pick(['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer']),
          phone: accountBodies[i]?.phone,
          // Their account's city, placed by the bundled gazetteer as the geocoder would (no write per contact later).
          address: accountBodies[i]
            ? cityAddress(accountBodies[i].address.city, accountBodies[i].address.country)
            : undefined,
          tags: faker.helpers.arrayElements(['decision maker', 'champion', 'newsletter', 'event 2026'], {
            min: 0,
            max: 2,
          }),
        };
      }),
    );
  return { accountBodies, contactsFor };
}

/** A city-level address with the gazetteer's coordinates (as the geo module's geocoder stores them). */
function cityAddress(city: string, country: string) {
  const hit = geocodeOffline({ city, country });
  return hit
    ? { city, country, latitude: hit.lat, longitude: hit.lng, geoPrecision: hit.precision, geoSource: 'gazetteer' }
    : { city, country };
}
