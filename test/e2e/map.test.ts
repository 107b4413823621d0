import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { createViaApi, expectTapTargets, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// Issue 19: the map of a list (bundled country shapes, no tile server; clustered markers;
// the list's filter applies; a marker opens its record) and "near me" on a phone.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

const mapCount = async () => (await page.getByTestId('map-count').textContent())?.trim() ?? '';

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('the map and near me in the browser', () => {
  it('maps the geocoded contacts, applies the list filter, opens a record from its marker', async () => {
    await signUpInBrowser(page, rapport.url, {
      name: 'Gina Geo',
      email: uniqueEmail('map'),
      workspace: 'Geo Ltd',
    });
    // City and country only: the server's gazetteer places them within seconds.
    const ids = await createViaApi(page, rapport.url, 'contacts', [
      { lastName: 'Lyon', address: { city: 'Lyon', country: 'FR' } },
      { lastName: 'Villeurbanne', address: { city: 'Villeurbanne', country: 'FR' } },
      { lastName: 'Paris', address: { city: 'Paris', country: 'FR' } },
      { lastName: 'Berlin', address: { city: 'Berlin', country: 'DE' } },
    ]);
    await until('contacts geocoded', async () => {
      const res = await page.request.get(
        `${rapport.url}/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'address.latitude', op: 'isNotEmpty' }))}&count=true&limit=1`,
      );
      return ((await res.json()) as { total: number }).total === 4;
    });

    await page.goto(`${rapport.url}/map?object=contacts`);
    await until('all four on the map', async () => (await mapCount()).startsWith('4 contacts on the map'));
    const berlin = page.getByRole('button', { name: 'Open Berlin', exact: true });
    await until('Berlin has its marker', () => berlin.isVisible());
    // The map is drawn (a WebGL canvas over the bundled country shapes).
    expect(await page.locator('canvas.maplibregl-canvas').count()).toBe(1);
    expect(browser.problems).toEqual([]);
    await expectAccessible(page, 'the map');

    // The list's filter applies: within 50 km of Lyon.
    const near = { field: 'address', op: 'near', value: { place: 'Lyon, FR', radiusKm: 50 } };
    await page.goto(`${rapport.url}/map?object=contacts&filter=${encodeURIComponent(JSON.stringify(near))}`);
    await until('two near Lyon', async () => (await mapCount()).startsWith('2 contacts on the map'));
    await until('Berlin gone', async () => (await page.getByRole('button', { name: 'Open Berlin' }).count()) === 0);

    // A marker opens its record (a cluster first zooms in until the record's own marker shows).
    await page.goto(`${rapport.url}/map?object=contacts`);
    await until('Berlin has its marker', () => berlin.isVisible());
    await berlin.click();
    await page.waitForURL(new RegExp(`/contacts/${ids[3]}$`));
  });

  it('draws territories, and filters the list by an area or a circle drawn on the map', async () => {
    // A territory drawn around Lyon: on the map, and in its legend.
    const d = 0.5;
    const square = [
      [4.84 - d, 45.76 - d],
      [4.84 + d, 45.76 - d],
      [4.84 + d, 45.76 + d],
      [4.84 - d, 45.76 + d],
      [4.84 - d, 45.76 - d],
    ];
    const territory = await page.request.post(`${rapport.url}/api/v1/territories`, {
      data: { name: 'Rhône valley', area: { polygon: { type: 'Polygon', coordinates: [square] } } },
    });
    expect(territory.status(), await territory.text()).toBe(201);
    await page.goto(`${rapport.url}/map?object=contacts`);
    await until('all four on the map', async () => (await mapCount()).startsWith('4 contacts on the map'));
    const legend = page.getByTestId('map-territories');
    await until(
      'the territory in the legend',
      async () => (await legend.textContent())?.includes('Rhône valley') ?? false,
    );
    expect(await legend.textContent()).toContain('drawn on the map');

    // Draw a square around Berlin's marker: only Berlin stays, and the list shows the same.
    const berlin = page.getByRole('button', { name: 'Open Berlin', exact: true });
    await until('Berlin has its marker', () => berlin.isVisible());
    const at = async () => {
      const box = await berlin.boundingBox();
      if (!box) throw new Error('no marker for Berlin');
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    };
    const c = await at();
    await page.getByRole('button', { name: 'Draw an area' }).click();
    for (const [dx, dy] of [
      [-35, -35],
      [35, -35],
      [35, 35],
      [-35, 35],
    ] as const) {
      await page.mouse.click(c.x + dx, c.y + dy);
    }
    await until(
      'four corners',
      async () => (await page.getByTestId('map-draw').textContent())?.includes('4 so far') ?? false,
    );
    await page.getByRole('button', { name: 'Finish the area' }).click();
    await until('only Berlin in the area', async () => (await mapCount()).startsWith('1 contacts on the map'));
    expect(decodeURIComponent(page.url())).toContain('"op":"within"');
    expect(await page.getByRole('button', { name: 'Open Paris' }).count()).toBe(0);
    // The drawn area kept as a territory: named, saved, then in the legend and the API.
    await page.getByLabel('Territory name').fill('Berlin area');
    await page.getByRole('button', { name: 'Save as territory' }).click();
    await until(
      'the drawn territory in the legend',
      async () => (await legend.textContent())?.includes('Berlin area') ?? false,
    );
    const saved = await page.request.get(
      `${rapport.url}/api/v1/territories?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'Berlin area' }))}&fields=name,area`,
    );
    const savedArea = (await saved.json()).data[0]?.area as { polygon?: { coordinates: number[][][] } } | undefined;
    expect(savedArea?.polygon?.coordinates[0]).toHaveLength(5);
    await page.getByRole('button', { name: 'Show as list' }).click();
    await page.waitForURL(/\/contacts\?/);
    await until('the list shows Berlin', () => page.getByRole('link', { name: 'Berlin' }).first().isVisible());
    expect(await page.getByRole('link', { name: 'Paris', exact: true }).count()).toBe(0);

    // A circle: its centre beside Berlin, its edge further out; the filter is `near` that point.
    await page.goto(`${rapport.url}/map?object=contacts`);
    await until('all four again', async () => (await mapCount()).startsWith('4 contacts on the map'));
    await until('Berlin has its marker', () => berlin.isVisible());
    const c2 = await at();
    await page.getByRole('button', { name: 'Draw a circle' }).click();
    await page.mouse.click(c2.x + 25, c2.y);
    await until(
      'centre set',
      async () => (await page.getByTestId('map-draw').textContent())?.includes('edge') ?? false,
    );
    await page.mouse.click(c2.x + 90, c2.y);
    await until('only Berlin in the circle', async () => (await mapCount()).startsWith('1 contacts on the map'));
    expect(decodeURIComponent(page.url())).toContain('"op":"near"');
    expect(browser.problems).toEqual([]);
    await expectAccessible(page, 'the map with a drawn circle');
    await page.getByRole('button', { name: 'Clear the drawn area' }).click();
    await until('all four once cleared', async () => (await mapCount()).startsWith('4 contacts on the map'));
  });

  it('near me on a phone: within a radius, nearest first, with geo: and directions links', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.context.grantPermissions(['geolocation'], { origin: rapport.url });
    await browser.context.setGeolocation({ latitude: 45.764, longitude: 4.8357 }); // Lyon
    await page.goto(`${rapport.url}/near-me`);
    // A segmented radio group: its label takes the click.
    await page
      .getByRole('radiogroup')
      .first()
      .locator('label', { hasText: /^Contacts$/ })
      .click();
    await until('contacts chosen', () => page.getByRole('radio', { name: 'Contacts' }).isChecked());
    await page.getByRole('button', { name: 'Use my position' }).click();
    await until('listed', async () => (await page.getByTestId('near-count').count()) === 1);
    expect(await page.getByTestId('near-count').textContent()).toContain('2 contacts within 25 km, nearest first');
    const items = page.getByRole('listitem');
    expect(await items.count()).toBe(2);
    expect(await items.nth(0).getByRole('link').first().textContent()).toBe('Lyon');
    const geo = await items.nth(0).getByRole('link', { name: 'Open in maps' }).getAttribute('href');
    expect(geo).toMatch(/^geo:45\.\d+,4\.\d+$/);
    const directions = await items.nth(0).getByRole('link', { name: 'Directions' }).getAttribute('href');
    expect(directions).toContain('openstreetmap.org/directions');
    await expectTapTargets(page.getByRole('list'));
    await expectAccessible(page, 'near me on a phone');
  });
});
