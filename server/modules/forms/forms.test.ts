import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';

const FORM = {
  name: 'Contact us',
  object: 'leads',
  fields: [
    { name: 'first', field: 'firstName' },
    { name: 'last', field: 'lastName', required: true },
    { name: 'mail', field: 'email', required: true },
    { name: 'org', field: 'company' },
  ],
  consents: [{ purpose: 'marketing_email', label: 'Email me your newsletter. I can unsubscribe at any time.' }],
};

const urlencoded = (values: Record<string, string>) => new URLSearchParams(values).toString();
const FORM_POST = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

/** What a test app holds about submissions of `formId`. */
async function stored(t: TestApp, formId: string) {
  const { rows } = await sql<{
    n: string;
  }>`select count(*) as n from form_submissions where form_id = ${formId}::uuid`.execute(t.database.db);
  return Number(rows[0]?.n ?? 0);
}

async function leadsWithEmail(as: HttpClient, email: string) {
  const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: email }));
  return (await as.get(`/api/v1/leads?filter=${filter}&fields=id,firstName,lastName,email,company,source`)).json().data;
}

describe('web forms, through HTTP', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let anon: HttpClient;
  let formId: string;

  const post = (values: Record<string, string>, headers: Record<string, string> = FORM_POST, id = formId) =>
    anon.post(`/f/${id}`, urlencoded(values), headers);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app);
    as = client(t, admin);
    anon = client(t, null);
    const res = await as.post('/api/v1/forms', FORM);
    expect(res.statusCode).toBe(201);
    formId = res.json().data.id;
  });
  afterAll(() => t?.stop());

  it('POST /api/v1/forms → 201 { data: { id, url } } with the absolute hosted page URL', async () => {
    const res = await as.post('/api/v1/forms', { ...FORM, name: 'Another' });
    expect(res.statusCode).toBe(201);
    const { data } = res.json();
    expect(Object.keys(data).sort()).toEqual(['id', 'url']);
    expect(data.url).toBe(`http://localhost:3000/f/${data.id}`);
    const got = (await as.get(`/api/v1/forms/${data.id}`)).json().data;
    expect(got).toMatchObject({ name: 'Another', object: 'leads', version: 1, doubleOptIn: false });
    expect(got.fields[1]).toEqual({ name: 'last', field: 'lastName', required: true });
  });

  it('a field that is not a field of the object gets 422 naming fields.N.field; custom fields are fine', async () => {
    const bad = await as.post('/api/v1/forms', { ...FORM, fields: [{ name: 'x', field: 'shoeSize' }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors[0]).toMatchObject({ path: 'fields.0.field' });
    const readOnly = await as.post('/api/v1/forms', { ...FORM, fields: [{ name: 'x', field: 'score' }] });
    expect(readOnly.json().errors[0]).toMatchObject({ path: 'fields.0.field' });
    const purpose = await as.post('/api/v1/forms', { ...FORM, consents: [{ purpose: 'pigeons', label: 'x' }] });
    expect(purpose.json().errors[0]).toMatchObject({ path: 'consents.0.purpose' });

    expect(
      (await as.post('/api/v1/objects/leads/fields', { name: 'budget', type: 'integer', label: 'Budget' })).statusCode,
    ).toBe(201);
    const custom = await as.post('/api/v1/forms', {
      ...FORM,
      name: 'With budget',
      fields: [...FORM.fields, { name: 'budget', field: 'budget' }],
    });
    expect(custom.statusCode).toBe(201);
    const id = custom.json().data.id;
    const res = await post({ last: 'Budgeted', mail: 'budget@example.com', budget: '5000' }, FORM_POST, id);
    expect(res.statusCode).toBe(200);
    const lead = (await leadsWithEmail(as, 'budget@example.com'))[0];
    expect((await as.get(`/api/v1/leads/${lead.id}`)).json().data.budget).toBe(5000);
    const notANumber = await anon.post(`/f/${id}`, { last: 'X', mail: 'nan@example.com', budget: 'lots' });
    expect(notANumber.statusCode).toBe(422);
    expect(notANumber.json().errors[0]).toMatchObject({ path: 'budget' });
  });

  it('GET /f/{id} is an accessible HTML form: an input per field named by name, consent wording, honeypot, stamp', async () => {
    const res = await anon.get(`/f/${formId}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const page = res.body;
    expect(page).toMatch(new RegExp(`<form method="post" action="/f/${formId}"`));
    for (const name of ['first', 'last', 'mail', 'org']) {
      expect(page).toMatch(new RegExp(`<label for="f-${name}">`));
      expect(page).toMatch(new RegExp(`<input [^>]*id="f-${name}" name="${name}"`));
    }
    expect(page).toContain('type="email" id="f-mail" name="mail"');
    expect(page).toContain('name="_consent_marketing_email"');
    expect(page).toContain('Email me your newsletter. I can unsubscribe at any time.');
    expect(page).toMatch(/<div class="hp" aria-hidden="true">.*name="_website" tabindex="-1"/s);
    expect(page).toMatch(/name="_ts" value="\d+\.[\w-]+"/);
    expect((await anon.get('/f/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('a submission creates a lead, keeps the submission, records the consent with proof, emits form.submitted on its timeline', async () => {
    const res = await post(
      { first: 'Ada', last: 'Lovelace', mail: 'Ada@Example.com', org: 'Engines Ltd', _consent_marketing_email: 'yes' },
      { ...FORM_POST, referer: 'https://www.example.com/contact', cookie: 'rapport_vid=visitor-1234abcd' },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you');
    const leads = await leadsWithEmail(as, 'ada@example.com');
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Engines Ltd',
      source: 'website',
    });
    const leadId = leads[0].id;

    const subs = (await as.get(`/api/v1/forms/${formId}/submissions`)).json().data;
    const sub = subs.find((s: { recordId: string }) => s.recordId === leadId);
    expect(sub).toMatchObject({
      formVersion: 1,
      object: 'leads',
      referrer: 'https://www.example.com/contact',
      pageUrl: 'https://www.example.com/contact',
      visitorId: 'visitor-1234abcd',
      data: {
        first: 'Ada',
        last: 'Lovelace',
        mail: 'ada@example.com',
        org: 'Engines Ltd',
        _consent_marketing_email: true,
      },
    });
    const { rows } = await sql<{
      ip_hash: string;
    }>`select ip_hash from form_submissions where id = ${sub.id}::uuid`.execute(t.database.db);
    expect(rows[0]?.ip_hash).toMatch(/^[\w-]{40,}$/);
    expect(rows[0]?.ip_hash).not.toContain('127.0.0.1');

    const ledger = (await as.get(`/api/v1/leads/${leadId}/consents`)).json();
    expect(ledger.data).toHaveLength(1);
    expect(ledger.data[0]).toMatchObject({
      purpose: 'marketing_email',
      status: 'granted',
      source: 'form',
      sourceRef: `${formId}@1`,
      wording: FORM.consents[0]?.label,
      proof: { formId, formVersion: 1, submissionId: sub.id },
    });

    const timeline = (await as.get(`/api/v1/leads/${leadId}/timeline`)).json().data;
    const entry = timeline.find((i: { type?: string }) => i.type === 'form.submitted');
    expect(entry).toBeTruthy();
    const { rows: events } = await sql<{ data: Record<string, unknown> }>`
      select data from events where type = 'form.submitted' and record_id = ${leadId}::uuid`.execute(t.database.db);
    expect(events[0]?.data).toMatchObject({
      formId,
      formVersion: 1,
      submissionId: sub.id,
      visitorId: 'visitor-1234abcd',
    });
  });

  it('a second submission with the same email updates that lead: never a duplicate', async () => {
    await post({ first: 'Grace', last: 'Hopper', mail: 'grace@example.com' });
    const res = await post({ last: 'Hopper', mail: 'GRACE@example.com', org: 'Navy' });
    expect(res.statusCode).toBe(200);
    const leads = await leadsWithEmail(as, 'grace@example.com');
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ firstName: 'Grace', company: 'Navy' });
  });

  it('posts with one new email at the same time still make one lead', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => anon.post(`/f/${formId}`, { last: `Racer ${n}`, mail: 'racer@example.com' })),
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(await leadsWithEmail(as, 'racer@example.com')).toHaveLength(1);
  });

  it('an existing contact with that email is updated instead, and no lead is created', async () => {
    const contact = await buildContact(as, { firstName: 'Old', lastName: 'Contact', email: 'known@example.com' });
    const res = await post({
      first: 'Kate',
      last: 'Known',
      mail: 'known@example.com',
      _consent_marketing_email: 'yes',
    });
    expect(res.statusCode).toBe(200);
    expect(await leadsWithEmail(as, 'known@example.com')).toEqual([]);
    const after = (await as.get(`/api/v1/contacts/${contact.id}`)).json().data;
    expect(after).toMatchObject({ firstName: 'Kate', lastName: 'Known' });
    const ledger = (await as.get(`/api/v1/contacts/${contact.id}/consents`)).json();
    expect(ledger.current.find((c: { purpose: string }) => c.purpose === 'marketing_email').status).toBe('granted');
  });

  it('the answer is the same whether the email existed or not', async () => {
    const fresh = await post({ last: 'Fresh', mail: 'fresh-one@example.com' });
    const again = await post({ last: 'Fresh', mail: 'fresh-one@example.com' });
    expect(again.statusCode).toBe(fresh.statusCode);
    expect(again.body).toBe(fresh.body);
  });

  it('a filled honeypot or a too-fast post gets the thank-you page and stores nothing', async () => {
    const before = await stored(t, formId);
    const honey = await post({ last: 'Bot', mail: 'bot1@example.com', _website: 'http://spam.example' });
    expect(honey.statusCode).toBe(200);
    expect(honey.body).toContain('Thank you');
    const page = (await anon.get(`/f/${formId}`)).body;
    const stamp = /name="_ts" value="([^"]+)"/.exec(page)?.[1] as string;
    const fast = await post({ last: 'Bot', mail: 'bot2@example.com', _ts: stamp });
    expect(fast.statusCode).toBe(200);
    expect(fast.body).toContain('Thank you');
    const forged = await post({
      last: 'Bot',
      mail: 'bot3@example.com',
      _ts: `${Date.now() - 60_000}.forgedforgedforgedforged`,
    });
    expect(forged.statusCode).toBe(200);
    expect(await stored(t, formId)).toBe(before);
    for (const mail of ['bot1@example.com', 'bot2@example.com', 'bot3@example.com'])
      expect(await leadsWithEmail(as, mail)).toEqual([]);
  });

  it('an invalid email gets 422 naming the field (JSON: problem+json; page: next to the field) and stores nothing', async () => {
    const before = await stored(t, formId);
    const json = await anon.post(`/f/${formId}`, { last: 'Typo', mail: 'not-an-email' });
    expect(json.statusCode).toBe(422);
    expect(json.headers['content-type']).toContain('application/problem+json');
    expect(json.json().errors).toEqual([{ path: 'mail', message: 'must be a valid email address' }]);
    const missing = await anon.post(`/f/${formId}`, { mail: 'nolast@example.com' });
    expect(missing.json().errors).toEqual([{ path: 'last', message: 'is required' }]);

    const page = await post({ last: 'Typo', mail: 'not-an-email' });
    expect(page.statusCode).toBe(422);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toMatch(
      /id="f-mail" name="mail" value="not-an-email"[^>]*aria-invalid="true" aria-describedby="f-mail-error"><p class="error" id="f-mail-error">must be a valid email address<\/p>/,
    );
    expect(await stored(t, formId)).toBe(before);
    expect(await leadsWithEmail(as, 'nolast@example.com')).toEqual([]);
  });

  it('every edit is a new version; submissions keep the version they were made with; a redirect answers 303', async () => {
    const created = await as.create('/api/v1/forms', FORM);
    await anon.post(`/f/${created.id}`, { last: 'Version one', mail: 'v1@example.com' });
    const edited = await as.put(`/api/v1/forms/${created.id}`, {
      ...FORM,
      fields: FORM.fields.filter((f) => f.name !== 'org'),
      redirectUrl: 'https://www.example.com/thanks',
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().data.version).toBe(2);
    const res = await post({ last: 'Version two', mail: 'v2@example.com' }, FORM_POST, created.id);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('https://www.example.com/thanks');
    const subs = (await as.get(`/api/v1/forms/${created.id}/submissions`)).json().data;
    expect(subs.map((s: { formVersion: number }) => s.formVersion)).toEqual([2, 1]);
    expect((await as.del(`/api/v1/forms/${created.id}`)).statusCode).toBe(204);
    expect((await anon.get(`/f/${created.id}`)).statusCode).toBe(404);
  });

  it('CORS: only the form’s allowed origins may post from a script', async () => {
    const created = await as.create('/api/v1/forms', { ...FORM, allowedOrigins: ['https://shop.example.com'] });
    const preflight = (origin: string) =>
      anon.call('OPTIONS', `/f/${created.id}`, undefined, {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      });
    const ok = await preflight('https://shop.example.com');
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    const other = await preflight('https://evil.example.net');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const posted = await anon.post(
      `/f/${created.id}`,
      { last: 'Shopper', mail: 'shopper@example.com' },
      { origin: 'https://shop.example.com' },
    );
    expect(posted.statusCode).toBe(201);
    expect(posted.headers['access-control-allow-origin']).toBe('https://shop.example.com');
  });

  it('only administrators and marketing managers manage forms', async () => {
    const rep = client(t, await memberWithRole(t, admin.workspaceId, 'sales_rep'));
    expect((await rep.post('/api/v1/forms', FORM)).statusCode).toBe(403);
    expect((await rep.get('/api/v1/forms')).statusCode).toBe(403);
    const manager = client(t, await memberWithRole(t, admin.workspaceId, 'marketing_manager'));
    expect((await manager.post('/api/v1/forms', FORM)).statusCode).toBe(201);
    expect((await manager.get('/api/v1/forms')).json().data.length).toBeGreaterThan(1);
  });
});

describe('web forms: rate limits and double opt-in', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let as: HttpClient;
  let anon: HttpClient;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({ publicRateLimits: true, smtpUrl: sink.url });
    const admin = await signUp(t.app);
    as = client(t, admin);
    anon = client(t, null);
  });
  afterAll(async () => {
    await t?.stop();
    await sink?.close();
  });

  it('double opt-in: the consent waits for the emailed link and is granted on click (real SMTP)', async () => {
    const form = await as.create('/api/v1/forms', { ...FORM, doubleOptIn: true });
    const res = await anon.post(
      `/f/${form.id}`,
      urlencoded({ last: 'Careful', mail: 'careful@example.com', _consent_marketing_email: 'yes' }),
      FORM_POST,
    );
    expect(res.statusCode).toBe(200);
    const lead = (await leadsWithEmail(as, 'careful@example.com'))[0];
    const before = (await as.get(`/api/v1/leads/${lead.id}/consents`)).json();
    expect(before.data[0]).toMatchObject({ status: 'unknown', proof: { awaitingConfirmation: true } });

    await t.mail.runOnce();
    const mail = await sink.waitForMail((m) => m.subject === 'Please confirm: Contact us');
    expect((mail.to as { text: string }).text).toBe('careful@example.com');
    const link = /http:\/\/localhost:3000(\/f\/confirm\/\S+)/.exec(mail.text ?? '')?.[1] as string;
    expect(link).toBeTruthy();
    const tampered = await anon.get(`${link.slice(0, -3)}abc`);
    expect(tampered.statusCode).toBe(404);

    const click = await anon.get(link);
    expect(click.statusCode).toBe(200);
    const after = (await as.get(`/api/v1/leads/${lead.id}/consents`)).json();
    expect(after.data.map((c: { status: string }) => c.status)).toEqual(['granted', 'unknown']);
    expect(after.data[0].proof).toMatchObject({ doubleOptIn: true, formId: form.id });
    expect((await anon.get(link)).statusCode).toBe(200); // a second click changes nothing
    expect((await as.get(`/api/v1/leads/${lead.id}/consents`)).json().data).toHaveLength(2);
  });

  it('per address: the 21st post within a minute gets 429 with Retry-After', async () => {
    const form = await as.create('/api/v1/forms', FORM);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      // Bot posts (honeypot filled) are cheap and count like any other.
      const res = await anon.post(
        `/f/${form.id}`,
        urlencoded({ last: 'Flood', mail: `f${i}@example.com`, _website: 'x' }),
        {
          ...FORM_POST,
          'x-forwarded-for': '198.51.100.7',
        },
      );
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 19).every((s) => s === 200 || s === 201)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
