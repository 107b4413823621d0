import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { expectNoHorizontalScroll, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Ada writes and publishes an article in the knowledge base editor; a visitor on a phone,
// signed in nowhere, opens the public help centre, finds an article by searching without
// its accent and with a typo, reads it and votes it helpful.
let rapport: RunningRapport;
let ada: BrowserSession;
let visitor: BrowserSession;
let a: Page;
let v: Page;

beforeAll(async () => {
  rapport = sharedRapport();
  ada = await openBrowser({ viewport: { width: 1280, height: 900 } });
  visitor = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
  a = ada.page;
  v = visitor.page;
});

afterAll(async () => {
  await ada?.close();
  await visitor?.close();
  await rapport?.stop();
});

describe('the knowledge base and the public help centre in the browser', () => {
  it('an article published in the editor is found and voted on in the help centre', async () => {
    await signUpViaApi(a, rapport.url, { name: 'Ada Admin', email: uniqueEmail('ada'), workspace: 'Bean Co' });
    const category = await a.request.post(`${rapport.url}/api/v1/article_categories`, {
      data: { name: 'Visiting us', description: 'Where and when' },
    });
    expect(category.status(), await category.text()).toBe(201);
    const internal = await a.request.post(`${rapport.url}/api/v1/articles`, {
      data: { title: 'Till closing checklist', body: 'Count the float.', visibility: 'internal', status: 'published' },
    });
    expect(internal.status()).toBe(201);

    // The editor: write, preview, publish; the history shows the published version.
    await a.goto(`${rapport.url}/knowledge`);
    await until('knowledge base shown', () => a.getByRole('heading', { name: 'Knowledge base' }).isVisible());
    await until('articles listed', () => a.getByRole('link', { name: 'Till closing checklist' }).isVisible());
    await expectAccessible(a, 'knowledge base');
    await a.getByRole('link', { name: 'New article' }).click();
    await until('editor shown', () => a.getByRole('heading', { name: 'New article' }).isVisible());
    await field(a, 'Title').fill('Café opening hours');
    await field(a, 'Body (markdown)').fill('We open at **8 am**, Monday to Saturday.\n\n<script>alert(1)</script>');
    await a.getByRole('combobox', { name: 'Category' }).selectOption({ label: 'Visiting us' });
    await a.getByRole('tab', { name: 'Preview' }).click();
    const preview = a.getByTestId('article-preview');
    await until('preview rendered', async () => (await preview.locator('strong').count()) === 1);
    expect(await preview.locator('script').count()).toBe(0);
    expect(await preview.textContent()).toContain('<script>alert(1)</script>');
    await expectAccessible(a, 'article editor');
    await a.getByRole('button', { name: 'Publish' }).click();
    await until('published', () => a.getByText('Published · v1').isVisible());
    await until(
      'history shows v1',
      async () => (await a.getByRole('table').last().textContent())?.includes('v1') ?? false,
    );

    const settings = await a.request.get(`${rapport.url}/api/v1/service/settings`);
    const { helpCentreUrl } = (await settings.json()).data as { helpCentreUrl: string };
    expect(helpCentreUrl).toBe(`${rapport.url}/help/bean-co`);

    // The visitor: home, search without the accent and with a typo, the article, a vote.
    await v.goto(helpCentreUrl);
    await until('help centre shown', () =>
      v.getByRole('heading', { level: 1, name: 'Bean Co help centre' }).isVisible(),
    );
    expect(await v.content()).not.toContain('Till closing checklist');
    await expectAccessible(v, 'help centre home');
    await expectNoHorizontalScroll(v);
    await v.getByRole('searchbox', { name: 'Search the help centre' }).fill('cafe opning hours');
    await v.getByRole('button', { name: 'Search' }).click();
    await v.waitForURL(/\/search\?q=/);
    await until('result shown', () => v.getByRole('link', { name: 'Café opening hours' }).isVisible());
    await expectAccessible(v, 'help centre search');
    await v.getByRole('link', { name: 'Café opening hours' }).click();
    await until('article shown', () => v.getByRole('heading', { level: 1, name: 'Café opening hours' }).isVisible());
    expect(await v.title()).toBe('Café opening hours – Bean Co help centre');
    await expectAccessible(v, 'help centre article');
    await expectNoHorizontalScroll(v);
    await v.getByRole('button', { name: 'Yes' }).click();
    await until('thanked', () => v.getByText('Thank you for your feedback.').isVisible());

    const list = await a.request.get(
      `${rapport.url}/api/v1/articles?filter=${encodeURIComponent(
        JSON.stringify({ field: 'slug', op: 'eq', value: 'cafe-opening-hours' }),
      )}&fields=helpfulCount`,
    );
    expect((await list.json()).data[0].helpfulCount).toBe(1);
  });
});
