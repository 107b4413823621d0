import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

describe('knowledge base and public help centre', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let other: HttpClient;
  let rep: Member;
  let sales: Member;
  let analyst: Member;
  let helpPath: string;
  let otherHelpPath: string;
  let ip = 0;

  /** An anonymous visitor's request (each from its own address unless told, so limits stay per test). */
  const visit = (
    url: string,
    opts: { method?: 'GET' | 'POST'; payload?: string; headers?: Record<string, string>; from?: string } = {},
  ) =>
    t.app.inject({
      method: opts.method ?? 'GET',
      url,
      remoteAddress: opts.from ?? `10.0.${Math.floor(++ip / 250)}.${(ip % 250) + 1}`,
      headers: {
        ...(opts.payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...opts.headers,
      },
      ...(opts.payload ? { payload: opts.payload } : {}),
    });

  const article = (who: HttpClient, body: Record<string, unknown>) => who.create('/api/v1/articles', body);

  beforeAll(async () => {
    t = await createTestApp({ publicRateLimits: true });
    admin = await signUp(t.app, { name: 'Ada Admin', workspaceName: 'Café Société' });
    as = client(t, admin.cookie);
    const stranger = await signUp(t.app, { name: 'Olga Other', workspaceName: 'Other Shop' });
    other = client(t, stranger.cookie);
    rep = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Sam Service');
    sales = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Sid Sales');
    analyst = await memberWithRole(t, admin.workspaceId, 'data_analyst', 'Dana Data');
    const settings = await as.get('/api/v1/service/settings');
    expect(settings.statusCode, settings.body).toBe(200);
    const url = new URL(settings.json().data.helpCentreUrl);
    helpPath = url.pathname;
    otherHelpPath = new URL((await other.get('/api/v1/service/settings')).json().data.helpCentreUrl).pathname;
  }, 120_000);
  afterAll(async () => t?.stop());

  it('gives each workspace an absolute help centre address from its name', async () => {
    const res = await as.get('/api/v1/service/settings');
    expect(res.json().data).toEqual({
      helpCentreUrl: 'http://localhost:3000/help/cafe-societe',
      helpCentreSlug: 'cafe-societe',
      helpCentreTitle: 'Café Société help centre',
      helpCentreEnabled: true,
    });
    expect(otherHelpPath).toBe('/help/other-shop');
  });

  it('creates articles with the exact contract and shows a published public one in the help centre', async () => {
    const res = await as.post('/api/v1/articles', {
      title: 'Café opening hours',
      body: 'We open at **8 am** every weekday.',
      visibility: 'public',
      status: 'published',
    });
    expect(res.statusCode, res.body).toBe(201);
    const a = res.json().data;
    expect(a).toMatchObject({ slug: 'cafe-opening-hours', locale: 'en', publishedVersion: 1, latestVersion: 1 });
    const page = await visit(`${helpPath}/articles/cafe-opening-hours`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<title>Café opening hours – Café Société help centre</title>');
    expect(page.body).toContain('<strong>8 am</strong>');
    expect(page.body).toContain(
      '<link rel="canonical" href="http://localhost:3000/help/cafe-societe/articles/cafe-opening-hours">',
    );
    expect(page.body).toMatch(/<meta name="description" content="We open at 8 am every weekday.">/);
    expect(page.body).not.toContain('<script');
    const home = await visit(helpPath);
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Café opening hours');
  });

  it('never shows drafts, internal articles or another workspace’s articles', async () => {
    await article(as, {
      title: 'Secret refund policy',
      body: 'internal only',
      visibility: 'internal',
      status: 'published',
    });
    await article(as, { title: 'Unfinished draft guide', body: 'not yet', visibility: 'public', status: 'draft' });
    await article(other, { title: 'Other shop returns', body: 'theirs', visibility: 'public', status: 'published' });
    const pages = [
      await visit(helpPath),
      await visit(`${helpPath}/sitemap.xml`),
      await visit(`${helpPath}/search?q=secret`),
      await visit(`${helpPath}/search?q=draft`),
      await visit(`${helpPath}/search?q=returns`),
    ];
    for (const p of pages) {
      expect(p.statusCode).toBe(200);
      expect(p.body).not.toMatch(/Secret refund|Unfinished draft|Other shop returns/);
    }
    expect(pages[1]?.body).toContain('<loc>http://localhost:3000/help/cafe-societe/articles/cafe-opening-hours</loc>');
    for (const slug of ['secret-refund-policy', 'unfinished-draft-guide', 'other-shop-returns']) {
      const res = await visit(`${helpPath}/articles/${slug}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('Page not found');
    }
    // The other workspace's own help centre has it; an unknown help centre is the same 404 page.
    expect((await visit(`${otherHelpPath}/articles/other-shop-returns`)).statusCode).toBe(200);
    const unknown = await visit('/help/no-such-centre');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toBe((await visit(`${helpPath}/articles/secret-refund-policy`)).body);
  });

  it('searches accent- and typo-tolerantly, as HTML', async () => {
    for (const q of ['cafe', 'CAFÉ hours', 'cafe opning hours', 'openin']) {
      const res = await visit(`${helpPath}/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body, q).toContain('href="http://localhost:3000/help/cafe-societe/articles/cafe-opening-hours"');
    }
    const none = await visit(`${helpPath}/search?q=zzzqqq`);
    expect(none.body).toContain('No articles match your search');
  });

  it('neutralises scripts, javascript: links and event handlers in markdown', async () => {
    await article(as, {
      title: 'Hostile markdown',
      body: [
        '<script>alert("x")</script>',
        '[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)',
        '<img src="x" onerror="alert(2)"> <a href="#" onclick="alert(3)">a</a>',
        '![img](javascript:alert(4))',
        '[ok](https://example.com/help)',
      ].join('\n\n'),
      visibility: 'public',
      status: 'published',
    });
    const page = await visit(`${helpPath}/articles/hostile-markdown`);
    expect(page.statusCode).toBe(200);
    const html = page.body.slice(page.body.indexOf('<article'), page.body.indexOf('</article>'));
    expect(html).not.toMatch(/<script|<img[^>]*onerror|<a[^>]*onclick|href="javascript:|src="javascript:|href="data:/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<a href="https://example.com/help" rel="noopener noreferrer nofollow">ok</a>');
    const preview = await as.post('/api/v1/articles/preview', {
      body: '<b onclick="x()">hi</b> [x](javascript:void(0))',
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().data.html).not.toMatch(/<b|href="javascript/);
  });

  it('keeps every version; a draft edit of a published article waits for publishing', async () => {
    const a = await article(as, {
      title: 'Wi-Fi password',
      body: 'Ask at the counter.',
      visibility: 'public',
      status: 'published',
    });
    const edit = await as.patch(`/api/v1/articles/${a.id}`, { body: 'It is on the menu now.' });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(edit.json().data).toMatchObject({ latestVersion: 2, publishedVersion: 1, status: 'published' });
    let page = await visit(`${helpPath}/articles/wi-fi-password`);
    expect(page.body).toContain('Ask at the counter.');
    expect(page.body).not.toContain('on the menu');
    // A change of something else than title or body keeps no version.
    await as.patch(`/api/v1/articles/${a.id}`, { tags: ['wifi'] });
    const versions = await as.get(`/api/v1/articles/${a.id}/versions`);
    expect(versions.statusCode).toBe(200);
    expect(
      versions
        .json()
        .data.map((v: { version: number; published: boolean; body: string }) => [v.version, v.published, v.body]),
    ).toEqual([
      [2, false, 'It is on the menu now.'],
      [1, true, 'Ask at the counter.'],
    ]);
    expect(versions.json().data[0].savedBy).toBe(admin.userId);
    const published = await as.post(`/api/v1/articles/${a.id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json().data.publishedVersion).toBe(2);
    page = await visit(`${helpPath}/articles/wi-fi-password`);
    expect(page.body).toContain('It is on the menu now.');
    // Back to draft: off the help centre.
    await as.patch(`/api/v1/articles/${a.id}`, { status: 'draft' });
    expect((await visit(`${helpPath}/articles/wi-fi-password`)).statusCode).toBe(404);
    // Someone outside the workspace cannot read the history.
    expect((await other.get(`/api/v1/articles/${a.id}/versions`)).statusCode).toBe(404);
  });

  it('makes slugs unique per locale and refuses bad input naming the field', async () => {
    const one = await article(as, { title: 'Gift cards', body: 'x', visibility: 'public', status: 'published' });
    const two = await article(as, { title: 'Gift cards', body: 'y', visibility: 'public', status: 'draft' });
    const fr = await article(as, {
      title: 'Gift cards',
      body: 'z',
      visibility: 'public',
      status: 'draft',
      locale: 'fr',
    });
    expect([one.slug, two.slug, fr.slug]).toEqual(['gift-cards', 'gift-cards-2', 'gift-cards']);
    const taken = await as.post('/api/v1/articles', {
      title: 'A',
      slug: 'gift-cards',
      visibility: 'public',
      status: 'draft',
    });
    expect(taken.statusCode).toBe(422);
    expect(taken.json().errors[0].path).toBe('slug');
    const bad = await as.post('/api/v1/articles', { title: 'A', visibility: 'everyone', status: 'draft' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('visibility');
    const badLocale = await as.post('/api/v1/articles', { title: 'A', locale: 'english!!', status: 'draft' });
    expect(badLocale.statusCode).toBe(422);
    expect(badLocale.json().errors[0].path).toBe('locale');
  });

  it('counts one helpful vote per visitor, and rate-limits votes', async () => {
    const a = await article(as, {
      title: 'Table booking',
      body: 'Call us.',
      visibility: 'public',
      status: 'published',
    });
    const from = '10.9.9.9';
    const first = await visit(`${helpPath}/articles/table-booking/vote`, {
      method: 'POST',
      payload: `id=${a.id}&helpful=yes`,
      from,
    });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`${helpPath}/articles/table-booking?voted=1`);
    const cookie = String(first.headers['set-cookie']).split(';')[0] as string;
    expect(cookie).toMatch(/^rapport_hc_visitor=/);
    const again = await visit(`${helpPath}/articles/table-booking/vote`, {
      method: 'POST',
      payload: `id=${a.id}&helpful=yes`,
      from,
      headers: { cookie },
    });
    expect(again.statusCode).toBe(303);
    const no = await visit(`${helpPath}/articles/table-booking/vote`, {
      method: 'POST',
      payload: `id=${a.id}&helpful=no`,
    });
    expect(no.statusCode).toBe(303);
    const after = (await as.get(`/api/v1/articles/${a.id}`)).json().data;
    expect([after.helpfulCount, after.notHelpfulCount]).toEqual([1, 1]);
    expect((await visit(`${helpPath}/articles/table-booking?voted=1`)).body).toContain('Thank you for your feedback');
    // A vote for an article that is not public, or a broken form: nothing counted.
    const internal = await article(as, { title: 'Staff rota', body: 'x', visibility: 'internal', status: 'published' });
    expect(
      (
        await visit(`${helpPath}/articles/staff-rota/vote`, {
          method: 'POST',
          payload: `id=${internal.id}&helpful=yes`,
        })
      ).statusCode,
    ).toBe(404);
    const broken = await visit(`${helpPath}/articles/table-booking/vote`, {
      method: 'POST',
      payload: 'id=nope&helpful=maybe',
    });
    expect(broken.statusCode).toBe(422);
    // Ten votes a minute per address, then 429.
    const codes: number[] = [];
    for (let i = 0; i < 9; i++) {
      codes.push(
        (
          await visit(`${helpPath}/articles/table-booking/vote`, {
            method: 'POST',
            payload: `id=${a.id}&helpful=no`,
            from,
          })
        ).statusCode,
      );
    }
    expect(codes.slice(0, 8).every((c) => c === 303)).toBe(true);
    expect(codes[8]).toBe(429);
  });

  it('answers 304 to a page the client has (ETag)', async () => {
    const page = await visit(helpPath);
    const etag = page.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await visit(helpPath, { headers: { 'if-none-match': etag } })).statusCode).toBe(304);
  });

  it('lets administrators change the help centre, and no one else', async () => {
    const repRes = await client(t, rep.cookie).patch('/api/v1/service/settings', { helpCentreTitle: 'Mine' });
    expect(repRes.statusCode).toBe(403);
    expect((await client(t, analyst.cookie).get('/api/v1/service/settings')).statusCode).toBe(200);
    const taken = await as.patch('/api/v1/service/settings', { helpCentreSlug: 'other-shop' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().errors[0].path).toBe('helpCentreSlug');
    const bad = await as.patch('/api/v1/service/settings', { helpCentreSlug: 'Not A Slug' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('helpCentreSlug');
    const moved = await as.patch('/api/v1/service/settings', {
      helpCentreSlug: 'cafe-help',
      helpCentreTitle: 'Café help',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().data.helpCentreUrl).toBe('http://localhost:3000/help/cafe-help');
    expect((await visit('/help/cafe-societe')).statusCode).toBe(404);
    expect((await visit('/help/cafe-help')).body).toContain('<title>Café help</title>');
    await as.patch('/api/v1/service/settings', { helpCentreEnabled: false });
    expect((await visit('/help/cafe-help/articles/cafe-opening-hours')).statusCode).toBe(404);
    const back = await as.patch('/api/v1/service/settings', {
      helpCentreSlug: 'cafe-societe',
      helpCentreTitle: 'Café Société help centre',
      helpCentreEnabled: true,
    });
    expect(back.statusCode).toBe(200);
  });

  it('lets service reps and administrators write articles; others read, internal ones included', async () => {
    const repClient = client(t, rep.cookie);
    const mine = await article(repClient, {
      title: 'Allergens',
      body: 'Ask us.',
      visibility: 'internal',
      status: 'draft',
    });
    expect((await repClient.patch(`/api/v1/articles/${mine.id}`, { status: 'published' })).statusCode).toBe(200);
    for (const who of [sales, analyst]) {
      const c = client(t, who.cookie);
      expect(
        (await c.post('/api/v1/articles', { title: 'Nope', visibility: 'public', status: 'draft' })).statusCode,
      ).toBe(403);
      expect((await c.patch(`/api/v1/articles/${mine.id}`, { title: 'Changed' })).statusCode).toBe(403);
      const read = await c.get(`/api/v1/articles/${mine.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json().data.visibility).toBe('internal');
    }
  });

  it('suggests published articles for a subject, internal ones to agents, never drafts', async () => {
    await article(as, {
      title: 'Espresso machine cleaning',
      body: 'Descale weekly.',
      visibility: 'internal',
      status: 'published',
    });
    await article(as, { title: 'Espresso beans we sell', body: 'Arabica.', visibility: 'public', status: 'published' });
    await article(as, { title: 'Espresso draft notes', body: 'wip', visibility: 'public', status: 'draft' });
    const res = await client(t, rep.cookie).get('/api/v1/articles/suggest?q=espreso%20machine');
    expect(res.statusCode, res.body).toBe(200);
    const titles = res.json().data.map((s: { title: string }) => s.title);
    expect(titles).toContain('Espresso machine cleaning');
    expect(titles).not.toContain('Espresso draft notes');
    const all = (await client(t, rep.cookie).get('/api/v1/articles/suggest?q=espresso')).json().data;
    expect(all.map((s: { title: string }) => s.title).sort()).toEqual([
      'Espresso beans we sell',
      'Espresso machine cleaning',
    ]);
    const pub = all.find((s: { title: string }) => s.title === 'Espresso beans we sell');
    expect(pub.url).toBe('http://localhost:3000/help/cafe-societe/articles/espresso-beans-we-sell');
    expect(all.find((s: { title: string }) => s.title === 'Espresso machine cleaning').url).toBeNull();
    expect((await as.get('/api/v1/articles/suggest?q=')).statusCode).toBe(422);
    expect((await other.get('/api/v1/articles/suggest?q=espresso')).json().data).toEqual([]);
  });
});
