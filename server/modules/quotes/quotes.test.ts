import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildOpportunity, buildProduct, buildQuote } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { pdfText } from '../../../test/helpers/pdf-text';

describe('products, price books and quotes', () => {
  let t: TestApp;
  let admin: SignedUp;
  let standardBook: string;
  let product: { id: string };
  let cheap: { id: string };
  let opportunity: { id: string };
  let account: { id: string };
  let wonStage: string;
  const newQuote = (body: Record<string, unknown> = {}) =>
    buildQuote(client(t, admin), { name: 'Licences', opportunityId: opportunity.id, ...body });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Quote Co' });
    const books = (await client(t, admin).get('/api/v1/price-books')).json().data;
    standardBook = books.find((b: { isStandard: boolean }) => b.isStandard).id;
    product = await buildProduct(client(t, admin), { name: 'Seat licence', sku: 'seat-01', taxRate: 7.7 });
    cheap = await buildProduct(client(t, admin), { name: 'Sticker', sku: 'STK' });
    const prices = await client(t, admin).put(`/api/v1/price-books/${standardBook}/entries`, {
      entries: [
        { productId: product.id, currency: 'CHF', unitPrice: '0.10' },
        { productId: product.id, currency: 'EUR', unitPrice: '49.90' },
        { productId: cheap.id, currency: 'CHF', unitPrice: '2' },
      ],
    });
    expect(prices.statusCode, prices.body).toBe(200);
    account = await buildAccount(client(t, admin), { name: 'Helvetia AG' });
    opportunity = await buildOpportunity(client(t, admin), {
      name: 'Helvetia seats',
      accountId: account.id,
      amount: { amount: '100', currency: 'CHF' },
    });
    const pipelines = (await client(t, admin).get('/api/v1/pipelines')).json().data;
    wonStage = pipelines[0].stages.find((s: { kind: string }) => s.kind === 'won').id;
  });
  afterAll(() => t.stop());

  it('products: SKU normalised and unique, active by default; prices per currency', async () => {
    expect(product).toMatchObject({ sku: 'SEAT-01', active: true, taxRate: 7.7 });
    const dup = await client(t, admin).post('/api/v1/products', { name: 'Other', sku: 'Seat-01' });
    expect(dup.statusCode).toBe(409);
    const prices = (await client(t, admin).get(`/api/v1/products/${product.id}/prices`)).json().data;
    expect(prices.map((p: { currency: string; unitPrice: string }) => [p.currency, p.unitPrice])).toEqual([
      ['CHF', '0.1'],
      ['EUR', '49.9'],
    ]);
    const bad = await client(t, admin).put(`/api/v1/price-books/${standardBook}/entries`, {
      entries: [
        { productId: product.id, currency: 'XXQ', unitPrice: '1.5' },
        { productId: product.id, currency: 'EUR', unitPrice: '-1' },
      ],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'entries.0.currency',
      'entries.1.unitPrice',
    ]);
  });

  it('other price books: created, priced, listed as quote price book options', async () => {
    const res = await client(t, admin).post('/api/v1/price-books', { name: 'Partners' });
    expect(res.statusCode, res.body).toBe(201);
    const partners = res.json().data;
    await client(t, admin).put(`/api/v1/price-books/${partners.id}/entries`, {
      entries: [{ productId: product.id, currency: 'CHF', unitPrice: '0.08' }],
    });
    const meta = (await client(t, admin).get('/api/v1/objects/quotes')).json().data;
    const options = meta.fields.find((f: { name: string }) => f.name === 'priceBookId').options;
    expect(options.map((o: { label: string }) => o.label)).toEqual(['Standard', 'Partners']);
    const q = await newQuote({ priceBookId: partners.id });
    const lines = await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, {
      lines: [{ productId: product.id, quantity: '10' }],
    });
    expect(lines.json().data.lines[0]).toMatchObject({ unitPrice: '0.08', gross: '0.80' });
    expect((await client(t, admin).del(`/api/v1/price-books/${standardBook}`)).statusCode).toBe(409);
  });

  it('a new quote is a draft with the opportunity’s currency and account, the standard price book and zero totals', async () => {
    const q = await newQuote();
    expect(q).toMatchObject({
      status: 'draft',
      currency: 'CHF',
      accountId: account.id,
      priceBookId: standardBook,
      subtotal: { amount: '0', currency: 'CHF' },
      total: { amount: '0', currency: 'CHF' },
    });
    expect(typeof q.number).toBe('number');
  });

  it('lines: prices from the price book, tax from the product, totals exact (3 × 0.10 at 7.7 % = 0.32)', async () => {
    const q = await newQuote();
    const res = await client(t, admin).put(
      `/api/v1/quotes/${q.id}/lines`,
      {
        lines: [
          { productId: product.id, quantity: '3' },
          { name: 'Setup', quantity: '1', unitPrice: '150', discountPercent: '10' },
        ],
      },
      { 'if-match': `"${q.version}"` },
    );
    expect(res.statusCode, res.body).toBe(200);
    const { quote, lines } = res.json().data;
    expect(lines).toMatchObject([
      {
        name: 'Seat licence',
        quantity: '3',
        unitPrice: '0.1',
        taxRate: '7.7',
        gross: '0.30',
        tax: '0.02',
        total: '0.32',
      },
      {
        name: 'Setup',
        unitPrice: '150',
        discountPercent: '10',
        taxRate: '0',
        gross: '150.00',
        discount: '15.00',
        total: '135.00',
      },
    ]);
    expect(quote).toMatchObject({
      subtotal: { amount: '150.3', currency: 'CHF' },
      discountTotal: { amount: '15', currency: 'CHF' },
      taxTotal: { amount: '0.02', currency: 'CHF' },
      total: { amount: '135.32', currency: 'CHF' },
      version: q.version + 1,
    });
    expect(res.headers.etag).toBe(`"${q.version + 1}"`);
    const stale = await client(t, admin).put(
      `/api/v1/quotes/${q.id}/lines`,
      { lines: [] },
      { 'if-match': `"${q.version}"` },
    );
    expect(stale.statusCode).toBe(412);
  });

  it('totals are the server’s: read-only to clients, recomputed on every write', async () => {
    const q = await newQuote();
    await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, { lines: [{ productId: cheap.id, quantity: '2' }] });
    const forged = await client(t, admin).patch(`/api/v1/quotes/${q.id}`, { total: { amount: '1', currency: 'CHF' } });
    expect(forged.statusCode).toBe(422);
    expect(forged.json().errors).toEqual([{ path: 'total', message: 'is read-only' }]);
    // Someone edits a line row behind the API's back: the next write of the quote puts the totals right.
    await t.database.tenant(admin.workspaceId, (tx) =>
      sql`update quotes set total_amount = 999 where id = ${q.id}::uuid`.execute(tx),
    );
    const renamed = await client(t, admin).patch(`/api/v1/quotes/${q.id}`, { name: 'Stickers' });
    expect(renamed.json().data.total).toEqual({ amount: '4', currency: 'CHF' });
    const batch = await client(t, admin).post('/api/v1/quotes/batch', {
      mode: 'update',
      records: [{ id: q.id, name: 'Stickers 2' }],
    });
    expect(batch.json().data[0].status).toBe('updated');
  });

  it('line errors name the line and the field; nothing is written', async () => {
    const q = await newQuote();
    const res = await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, {
      lines: [
        { productId: product.id, quantity: '0' },
        { quantity: '1' },
        { productId: '00000000-0000-4000-8000-000000000000', quantity: '1' },
        { productId: cheap.id, quantity: '1', discountPercent: '120' },
        { productId: product.id, quantity: 'lots' },
      ],
    });
    expect(res.statusCode).toBe(422);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['lines.4.quantity']));
    const second = await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, {
      lines: [
        { productId: product.id, quantity: '0' },
        { quantity: '1' },
        { productId: '00000000-0000-4000-8000-000000000000', quantity: '1' },
        { productId: cheap.id, quantity: '1', discountPercent: '120' },
      ],
    });
    expect(second.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'lines.0.quantity',
      'lines.1.name',
      'lines.1.unitPrice',
      'lines.2.productId',
      'lines.3.discountPercent',
    ]);
    expect((await client(t, admin).get(`/api/v1/quotes/${q.id}/lines`)).json().data).toEqual([]);
    const eur = await newQuote({ currency: 'USD' });
    const noPrice = await client(t, admin).put(`/api/v1/quotes/${eur.id}/lines`, {
      lines: [{ productId: product.id, quantity: '1' }],
    });
    expect(noPrice.json().errors[0]).toEqual({
      path: 'lines.0.unitPrice',
      message: "is required: the product has no USD price in the quote's price book",
    });
  });

  it('numbers are sequential without gaps, also for concurrent creates and after a rollback', async () => {
    const before = (await newQuote()).number as number;
    const concurrent = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        client(t, admin).post('/api/v1/quotes', { name: `Parallel ${i}`, opportunityId: opportunity.id }),
      ),
    );
    for (const r of concurrent) expect(r.statusCode, r.body).toBe(201);
    const numbers = concurrent.map((r) => r.json().data.number as number).sort((a, b) => a - b);
    expect(numbers).toEqual([before + 1, before + 2, before + 3, before + 4, before + 5]);
    // A transaction that created a quote and then failed gives its number back.
    await expect(
      t.database.tenant(admin.workspaceId, async (tx) => {
        const actor = {
          kind: 'user' as const,
          userId: admin.userId,
          workspaceId: admin.workspaceId,
          role: 'administrator',
          scopes: [],
        };
        await t.records.create(tx, actor, 'quotes', { name: 'Doomed', opportunityId: opportunity.id });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await newQuote()).number).toBe(before + 6);
    // The batch path numbers too.
    const batch = await client(t, admin).post('/api/v1/quotes/batch', {
      mode: 'create',
      records: [
        { name: 'B1', opportunityId: opportunity.id },
        { name: 'B2', opportunityId: '00000000-0000-4000-8000-000000000000' },
        { name: 'B3', opportunityId: opportunity.id },
      ],
    });
    const ids = batch
      .json()
      .data.filter((r: { status: string }) => r.status === 'created')
      .map((r: { id: string }) => r.id);
    const got = await Promise.all(
      ids.map(async (id: string) => (await client(t, admin).get(`/api/v1/quotes/${id}`)).json().data.number),
    );
    expect(got).toEqual([before + 7, before + 8]);
  });

  it('the PDF is a real PDF holding the number, the lines and the totals', async () => {
    const q = await newQuote({ terms: 'Payable within 30 days.' });
    await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, {
      lines: [
        { productId: product.id, quantity: '3' },
        { name: 'Training day', quantity: '2', unitPrice: '1250.5' },
      ],
    });
    const res = await client(t, admin).get(`/api/v1/quotes/${q.id}/pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF/);
    const text = pdfText(pdf);
    expect(text).toContain(`Quote ${q.number}`);
    expect(text).toContain('Helvetia AG');
    expect(text).toContain('Seat licence');
    expect(text).toContain('Training day');
    expect(text).toContain('2,501.00');
    expect(text).toContain('CHF 2,501.32');
    expect(text).toContain('Payable within 30 days.');
  });

  it('accepting closes the opportunity as won with the quote’s total; an accepted quote is final', async () => {
    const opp = await buildOpportunity(client(t, admin), { name: 'To win', amount: { amount: '1', currency: 'EUR' } });
    const q = await buildQuote(client(t, admin), { name: 'Final offer', opportunityId: opp.id, status: 'sent' });
    expect(q.sentAt).not.toBeNull();
    await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, { lines: [{ productId: product.id, quantity: '2' }] });
    // Lines change only on drafts.
    expect((await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, { lines: [] })).statusCode).toBe(409);
    await client(t, admin).patch(`/api/v1/quotes/${q.id}`, { status: 'draft' });
    const lines = await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, {
      lines: [{ productId: product.id, quantity: '2' }],
    });
    expect(lines.json().data.quote.total).toEqual({ amount: '107.48', currency: 'EUR' });
    const res = await client(t, admin).post(`/api/v1/quotes/${q.id}/accept`, {});
    expect(res.statusCode, res.body).toBe(200);
    const { quote, opportunity: closed } = res.json().data;
    expect(quote.status).toBe('accepted');
    expect(quote.acceptedAt).not.toBeNull();
    expect(closed).toMatchObject({ status: 'won', stageId: wonStage, amount: { amount: '107.48', currency: 'EUR' } });
    const change = await client(t, admin).patch(`/api/v1/quotes/${q.id}`, {
      status: 'draft',
      validUntil: '2030-01-01',
    });
    expect(change.statusCode).toBe(422);
    expect(change.json().errors.map((e: { path: string }) => e.path)).toEqual(['status', 'validUntil']);
    expect((await client(t, admin).patch(`/api/v1/quotes/${q.id}`, { tags: ['signed'] })).statusCode).toBe(200);
    expect((await client(t, admin).post(`/api/v1/quotes/${q.id}/accept`, {})).statusCode).toBe(422);
    const { rows } = await t.database.tenant(admin.workspaceId, (tx) =>
      sql<{ type: string; record_id: string; data: Record<string, unknown> }>`select type, record_id, data from events
        where type in ('quote.accepted', 'opportunity.stage_changed') and record_id in (${q.id}::uuid, ${opp.id}::uuid)
        order by seq`.execute(tx),
    );
    expect(rows.map((r) => r.type)).toEqual(['quote.accepted', 'opportunity.stage_changed']);
    expect(rows[0]?.data).toMatchObject({
      quoteId: q.id,
      opportunityId: opp.id,
      total: { amount: '107.48', currency: 'EUR' },
    });
  });

  it('accepting without closing; expired and rejected quotes cannot be accepted', async () => {
    const q = await newQuote();
    const res = await client(t, admin).post(`/api/v1/quotes/${q.id}/accept`, { closeOpportunity: false });
    expect(res.json().data.opportunity).toBeNull();
    expect((await client(t, admin).get(`/api/v1/opportunities/${opportunity.id}`)).json().data.status).toBe('open');
    const old = await newQuote({ validUntil: '2020-01-31' });
    const expired = await client(t, admin).post(`/api/v1/quotes/${old.id}/accept`, {});
    expect(expired.statusCode).toBe(422);
    expect(expired.json().errors[0]).toEqual({ path: 'status', message: 'the quote expired on 2020-01-31' });
    const rejected = await newQuote();
    await client(t, admin).patch(`/api/v1/quotes/${rejected.id}`, { status: 'rejected' });
    expect((await client(t, admin).post(`/api/v1/quotes/${rejected.id}/accept`, {})).json().errors[0].message).toBe(
      'a rejected quote cannot be accepted',
    );
    const created = await client(t, admin).post('/api/v1/quotes', {
      name: 'x',
      opportunityId: opportunity.id,
      status: 'accepted',
    });
    expect(created.statusCode).toBe(422);
  });

  it('purging a product keeps the quote lines that used it; purging an opportunity takes its quotes', async () => {
    const temp = await buildProduct(client(t, admin), { name: 'Temporary', sku: 'TMP' });
    const opp = await buildOpportunity(client(t, admin), {
      name: 'Doomed deal',
      amount: { amount: '5', currency: 'EUR' },
    });
    const q = await buildQuote(client(t, admin), { name: 'Doomed quote', opportunityId: opp.id });
    await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, {
      lines: [{ productId: temp.id, quantity: '1', unitPrice: '5' }],
    });
    expect((await client(t, admin).del(`/api/v1/products/${temp.id}?permanent=true`)).statusCode).toBe(204);
    expect((await client(t, admin).get(`/api/v1/quotes/${q.id}/lines`)).json().data).toMatchObject([
      { productId: null, name: 'Temporary', total: '5.00' },
    ]);
    expect((await client(t, admin).del(`/api/v1/opportunities/${opp.id}?permanent=true`)).statusCode).toBe(204);
    expect((await client(t, admin).get(`/api/v1/quotes/${q.id}`)).statusCode).toBe(404);
  });

  it('a quote needs a currency when its opportunity has no amount', async () => {
    const bare = await buildOpportunity(client(t, admin), { name: 'No amount' });
    const res = await client(t, admin).post('/api/v1/quotes', { name: 'x', opportunityId: bare.id });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('currency');
    const bad = await client(t, admin).post('/api/v1/quotes', { name: 'x', opportunityId: bare.id, currency: 'ABC' });
    expect(bad.json().errors[0]).toEqual({ path: 'currency', message: 'must be an ISO 4217 currency code, e.g. EUR' });
    const q = await newQuote();
    await client(t, admin).put(`/api/v1/quotes/${q.id}/lines`, { lines: [{ productId: cheap.id, quantity: '1' }] });
    const switched = await client(t, admin).patch(`/api/v1/quotes/${q.id}`, { currency: 'EUR' });
    expect(switched.json().errors[0]).toEqual({
      path: 'currency',
      message: 'remove the line items before changing the currency',
    });
  });
});
