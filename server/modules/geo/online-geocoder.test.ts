import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { MIN_INTERVAL_MS } from './online-geocoder';

// Nominatim's documented jsonv2 answer (test/fixtures/nominatim/README.md).
const ANSWER = readFileSync(new URL('../../../test/fixtures/nominatim/search-jsonv2.json', import.meta.url), 'utf8');

/** Issue 19: the optional online geocoder refines addresses with a street, one request a second, with a User-Agent. */
describe('the online geocoder (Nominatim-compatible)', () => {
  let t: TestApp;
  let admin: SignedUp;
  let server: http.Server;
  const seen: { at: number; url: URL; agent: string | undefined }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      seen.push({ at: Date.now(), url, agent: req.headers['user-agent'] });
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(url.searchParams.get('street')?.includes('Pilkington') ? ANSWER : '[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    t = await createTestApp({ geocoderUrl: `http://127.0.0.1:${port}/`, geocoderUserAgent: 'Rapport test suite' });
    admin = await signUp(t.app, { workspaceName: 'Online Geo', name: 'Ada Admin' });
  });
  afterAll(async () => {
    await t.stop();
    await new Promise((r) => server.close(r));
  });

  it('refines to street level after the gazetteer, never touches a person’s point, spaces its requests', async () => {
    const api = client(t, admin);
    const house = await buildContact(api, {
      lastName: 'Pilkington',
      address: { street: '135 Pilkington Avenue', city: 'Birmingham', postalCode: 'B72 1LH', country: 'GB' },
    });
    const unknown = await buildContact(api, {
      lastName: 'Nowhere',
      address: { street: '1 Imaginary Lane', city: 'Birmingham', country: 'GB' },
    });
    const manual = await buildContact(api, {
      lastName: 'Manual',
      address: { street: '135 Pilkington Avenue', city: 'Birmingham', country: 'GB', latitude: 1, longitude: 1 },
    });
    await t.events.drain(60_000);
    // The gazetteer placed both at the city first.
    const address = async (id: string) => (await api.get(`/api/v1/contacts/${id}`)).json().data.address;
    expect(await address(house.id)).toMatchObject({ geoPrecision: 'city', geoSource: 'gazetteer' });
    await t.jobs.runDue();
    await t.events.drain(60_000);
    await t.jobs.runDue(); // the gazetteer's own write queued nothing new
    expect(await address(house.id)).toMatchObject({
      latitude: 52.5487921,
      longitude: -1.8164308339635031,
      geoPrecision: 'street',
      geoSource: 'geocoder',
    });
    expect(await address(unknown.id)).toMatchObject({ geoPrecision: 'city', geoSource: 'gazetteer' });
    expect(await address(manual.id)).toMatchObject({ latitude: 1, longitude: 1, geoSource: 'user' });
    // One request per address with a street the geocoder may place; none for the person's point.
    expect(seen).toHaveLength(2);
    const first = seen.find((s) => s.url.searchParams.get('street') === '135 Pilkington Avenue');
    expect(first?.url.pathname).toBe('/search');
    expect(Object.fromEntries(first?.url.searchParams ?? [])).toMatchObject({
      city: 'Birmingham',
      postalcode: 'B72 1LH',
      countrycodes: 'gb',
      format: 'jsonv2',
      limit: '1',
    });
    expect(seen.every((s) => s.agent === 'Rapport test suite')).toBe(true);
    const [a, b] = seen;
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
  });
});
