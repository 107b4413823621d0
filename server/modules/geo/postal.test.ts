import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { setPostalCentroids } from '../../platform/geo/gazetteer';

const FILE = path.resolve(import.meta.dirname, '../../../test/fixtures/geo/postal-centroids.txt');

/** Issue 19: postal-code precision from a GeoNames postal-code file (RAPPORT_POSTAL_CENTROIDS). */
describe('geocoding to postal-code centroids', () => {
  let t: TestApp;
  let admin: SignedUp;

  beforeAll(async () => {
    t = await createTestApp({ postalCentroidsFile: FILE });
    admin = await signUp(t.app, { workspaceName: 'Postal Co', name: 'Ada Admin' });
  });
  afterAll(async () => {
    setPostalCentroids(undefined);
    await t.stop();
  });

  it('places an address at its postal code when the file holds it, else at its city, with the precision stored', async () => {
    const api = client(t, admin);
    const lyon = await buildContact(api, {
      lastName: 'Lyon3',
      address: { postalCode: '69003', city: 'Lyon', country: 'FR' },
    });
    const berlin = await buildContact(api, { lastName: 'Mitte', address: { postalCode: '10115', country: 'DE' } });
    const london = await buildContact(api, { lastName: 'City', address: { postalCode: 'ec1a1bb', country: 'GB' } });
    const other = await buildContact(api, {
      lastName: 'Lyon9',
      address: { postalCode: '69009', city: 'Lyon', country: 'FR' },
    });
    await t.events.drain(60_000);
    const address = async (id: string) => (await api.get(`/api/v1/contacts/${id}`)).json().data.address;
    expect(await address(lyon.id)).toMatchObject({
      latitude: 45.7597,
      longitude: 4.8422,
      geoPrecision: 'postal',
      geoSource: 'gazetteer',
    });
    // No city at all: the postal code alone places it (two places share 10115: their centroid).
    const b = await address(berlin.id);
    expect(b).toMatchObject({ geoPrecision: 'postal' });
    expect(b.latitude).toBeCloseTo(52.5333, 4);
    expect(b.longitude).toBeCloseTo(13.3856, 4);
    expect(await address(london.id)).toMatchObject({ latitude: 51.5202, geoPrecision: 'postal' });
    // A code the file does not hold: the city's centre, at city precision.
    const o = await address(other.id);
    expect(o).toMatchObject({ geoPrecision: 'city' });
    expect(o.latitude).toBeCloseTo(45.75, 1);
  });
});
