import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { until } from '../../../test/helpers/chat-sockets';
import { buildContact, buildMeeting, buildTask } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

const q = (f: unknown) => encodeURIComponent(JSON.stringify(f));
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

const PROPFIND_ALL = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop><d:current-user-principal/><card:addressbook-home-set/><c:calendar-home-set/><d:resourcetype/><d:getetag/><d:sync-token/><cs:getctag/><d:displayname/></d:prop>
</d:propfind>`;

const card = (uid: string, extra = '') =>
  [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${uid}`,
    'FN:Ada Lovelace',
    'N:Lovelace;Ada;;;',
    'EMAIL;TYPE=INTERNET:ada@example.org',
    'TEL;TYPE=CELL:+44 20 7946 0958',
    'TEL;TYPE=HOME:0123 local',
    'X-PHONETIC-FIRST-NAME:Ay-da',
    extra,
    'END:VCARD',
    '',
  ]
    .filter((l, i, a) => l !== '' || i === a.length - 1)
    .join('\r\n');

describe('app passwords and the CardDAV / CalDAV server', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: Member;
  let creds: { username: string; password: string };
  let repCreds: { username: string; password: string };

  const dav = (method: string, url: string, body?: string, headers: Record<string, string> = {}, who = creds) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: {
        authorization: basic(who.username, who.password),
        ...(body !== undefined ? { 'content-type': 'application/xml; charset=utf-8' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: body } : {}),
    });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Alice Admin', workspaceName: 'Dav Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rob Rep');
    const res = await client(t, admin.cookie).post('/api/v1/me/app-passwords', { name: 'Alice’s phone' });
    expect(res.statusCode, res.body).toBe(201);
    creds = res.json().data;
    repCreds = (await client(t, rep.cookie).post('/api/v1/me/app-passwords', { name: 'Rob’s phone' })).json().data;
  });
  afterAll(() => t.stop());

  it('creates an app password shown once, lists it without secrets, audits, and revokes it', async () => {
    const as = client(t, admin.cookie);
    const res = await as.post('/api/v1/me/app-passwords', { name: 'Laptop' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.json().data;
    expect(created).toMatchObject({ name: 'Laptop', username: expect.stringMatching(/^rapport-[a-z0-9]{10}$/) });
    expect(created.password).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){4}$/);
    expect(created.urls.carddav).toBe('http://localhost:3000/.well-known/carddav');
    const { rows } = await sql<{ password_hash: string }>`
      select password_hash from app_passwords where id = ${created.id}`.execute(t.database.db);
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    const list = (await as.get('/api/v1/me/app-passwords')).json().data;
    expect(list.map((p: { name: string }) => p.name)).toEqual(['Laptop', 'Alice’s phone']);
    expect(JSON.stringify(list)).not.toContain(created.password);
    // Another member sees only their own.
    const robs = (await client(t, rep.cookie).get('/api/v1/me/app-passwords')).json().data;
    expect(robs.map((p: { name: string }) => p.name)).toEqual(['Rob’s phone']);
    expect((await client(t, rep.cookie).del(`/api/v1/me/app-passwords/${created.id}`)).statusCode).toBe(404);

    expect((await dav('PROPFIND', '/dav/', PROPFIND_ALL, {}, created)).statusCode).toBe(207);
    const revoked = await as.del(`/api/v1/me/app-passwords/${created.id}`);
    expect(revoked.json().data.revokedAt).toEqual(expect.any(String));
    const after = await dav('PROPFIND', '/dav/', PROPFIND_ALL, {}, created);
    expect(after.statusCode).toBe(401);
    expect(after.headers['www-authenticate']).toMatch(/^Basic realm="Rapport"/);
    const audit = await sql<{ action: string }>`
      select action from audit_log where workspace_id = ${admin.workspaceId} and action like 'app_password.%'
      order by id`.execute(t.database.db);
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'app_password.created',
        'app_password.used',
        'app_password.revoked',
        'app_password.failed',
      ]),
    );
  });

  it('refuses bad names, API keys and missing or wrong credentials', async () => {
    const as = client(t, admin.cookie);
    const key = (await as.create('/api/v1/api-keys', { name: 'k' })).key;
    const byKey = await client(t, key).post('/api/v1/me/app-passwords', { name: 'From a key' });
    expect(byKey.statusCode).toBe(403);
    const bad = await as.post('/api/v1/me/app-passwords', { name: '' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('name');
    const none = await t.app.inject({ method: 'PROPFIND', url: '/dav/' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Basic');
    const wrong = await dav('PROPFIND', '/dav/', PROPFIND_ALL, {}, { username: creds.username, password: 'nope' });
    expect(wrong.statusCode).toBe(401);
    // The account password is not an app password.
    const account = await dav('PROPFIND', '/dav/', PROPFIND_ALL, {}, { username: admin.email, password: 'x' });
    expect(account.statusCode).toBe(401);
  });

  it('throttles failed sign-ins per username, even with the right password afterwards', async () => {
    const fresh = (await client(t, rep.cookie).post('/api/v1/me/app-passwords', { name: 'Target' })).json().data;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await dav(
        'PROPFIND',
        '/dav/',
        undefined,
        { 'x-forwarded-for': `10.0.0.${i}` },
        {
          username: fresh.username,
          password: `guess-${i}`,
        },
      );
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const right = await dav('PROPFIND', '/dav/', undefined, {}, fresh);
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('discovers the principal and homes from /.well-known', async () => {
    for (const which of ['carddav', 'caldav']) {
      const res = await dav('PROPFIND', `/.well-known/${which}`, PROPFIND_ALL);
      expect(res.statusCode).toBe(301);
      expect(res.headers.location).toBe('/dav/');
    }
    const root = await dav('PROPFIND', '/dav/', PROPFIND_ALL, { depth: '0' });
    expect(root.statusCode).toBe(207);
    expect(root.body).toContain(`<d:current-user-principal><d:href>/dav/principals/${admin.userId}/</d:href>`);
    const principal = await dav('PROPFIND', `/dav/principals/${admin.userId}/`, PROPFIND_ALL, { depth: '0' });
    expect(principal.body).toContain(`<card:addressbook-home-set><d:href>/dav/addressbooks/${admin.userId}/</d:href>`);
    expect(principal.body).toContain(`<cal:calendar-home-set><d:href>/dav/calendars/${admin.userId}/</d:href>`);
    const home = await dav('PROPFIND', `/dav/addressbooks/${admin.userId}/`, PROPFIND_ALL, { depth: '1' });
    expect(home.body).toContain(`/dav/addressbooks/${admin.userId}/contacts/`);
    expect(home.body).toContain('<card:addressbook/>');
    const cals = await dav('PROPFIND', `/dav/calendars/${admin.userId}/`, PROPFIND_ALL, { depth: '1' });
    expect(cals.body).toContain(`/dav/calendars/${admin.userId}/meetings/`);
    expect(cals.body).toContain('<cal:calendar/>');
    expect(cals.body).toMatch(/<d:sync-token>urn:rapport:sync:\d+-\d+<\/d:sync-token>/);
  });

  it('refuses bad XML, another member’s tree and foreign hrefs with 4xx, changing nothing', async () => {
    const broken = await dav('PROPFIND', '/dav/', '<d:propfind xmlns:d="DAV:"><d:prop>');
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    const undeclared = await dav('PROPFIND', '/dav/', '<x:propfind><x:prop/></x:propfind>');
    expect(undeclared.statusCode).toBe(400);
    const entity = await dav('PROPFIND', '/dav/', '<!DOCTYPE d [<!ENTITY x "y">]><d:propfind xmlns:d="DAV:"/>');
    expect(entity.statusCode).toBe(400);
    const other = await dav('PROPFIND', `/dav/addressbooks/${rep.userId}/contacts/`, PROPFIND_ALL, { depth: '1' });
    expect(other.statusCode).toBe(403);
    const before = await sql`select count(*)::int as n from contacts`.execute(t.database.db);
    const foreign = await dav(
      'REPORT',
      `/dav/addressbooks/${admin.userId}/contacts/`,
      `<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop>
       <d:href>/dav/addressbooks/${rep.userId}/contacts/x.vcf</d:href></card:addressbook-multiget>`,
    );
    expect(foreign.statusCode).toBe(403);
    const elsewhere = await dav(
      'REPORT',
      `/dav/addressbooks/${admin.userId}/contacts/`,
      `<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop>
       <d:href>/api/v1/contacts</d:href></card:addressbook-multiget>`,
    );
    expect(elsewhere.statusCode).toBe(400);
    const badCard = await dav('PUT', `/dav/addressbooks/${admin.userId}/contacts/bad.vcf`, undefined, {
      'content-type': 'text/vcard',
    });
    expect(badCard.statusCode).toBeGreaterThanOrEqual(400);
    const notACard = await t.app.inject({
      method: 'PUT',
      url: `/dav/addressbooks/${admin.userId}/contacts/bad.vcf`,
      headers: { authorization: basic(creds.username, creds.password), 'content-type': 'text/vcard' },
      payload: 'BEGIN:VCARD\r\nFN:No version\r\nEND:VCARD\r\n',
    });
    expect(notACard.statusCode).toBe(422);
    const badEmail = await t.app.inject({
      method: 'PUT',
      url: `/dav/addressbooks/${admin.userId}/contacts/bad.vcf`,
      headers: { authorization: basic(creds.username, creds.password), 'content-type': 'text/vcard' },
      payload: 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nEMAIL:not-an-email\r\nEND:VCARD\r\n',
    });
    expect(badEmail.statusCode).toBe(422);
    expect(badEmail.json().errors.map((e: { path: string }) => e.path)).toContain('email');
    const after = await sql`select count(*)::int as n from contacts`.execute(t.database.db);
    expect(after.rows).toEqual(before.rows);
    const names = await sql`select count(*)::int as n from dav_resources where name = 'bad.vcf'`.execute(t.database.db);
    expect(names.rows).toEqual([{ n: 0 }]);
  });

  it('creates, reads, updates and deletes a contact through CardDAV with ETags, keeping unknown properties', async () => {
    const book = `/dav/addressbooks/${admin.userId}/contacts/`;
    const put = await dav('PUT', `${book}ada.vcf`, undefined, { 'content-type': 'text/vcard', 'if-none-match': '*' });
    expect(put.statusCode).toBe(422); // no body
    const created = await t.app.inject({
      method: 'PUT',
      url: `${book}ada.vcf`,
      headers: {
        authorization: basic(creds.username, creds.password),
        'content-type': 'text/vcard',
        'if-none-match': '*',
      },
      payload: card('ada-uid-1'),
    });
    expect(created.statusCode, created.body).toBe(201);
    const again = await t.app.inject({
      method: 'PUT',
      url: `${book}ada.vcf`,
      headers: {
        authorization: basic(creds.username, creds.password),
        'content-type': 'text/vcard',
        'if-none-match': '*',
      },
      payload: card('ada-uid-1'),
    });
    expect(again.statusCode).toBe(412);
    // The record, through the API: mapped fields; the local number stays in the card only.
    const api = client(t, admin.cookie);
    const found = (
      await api.get(`/api/v1/contacts?filter=${q({ field: 'email', op: 'eq', value: 'ada@example.org' })}`)
    ).json().data;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', phone: '+442079460958' });
    const id = found[0].id;

    const get = await dav('GET', `${book}ada.vcf`);
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toContain('text/vcard');
    expect(get.body).toContain('VERSION:3.0'); // the client's version
    expect(get.body).toContain('UID:ada-uid-1');
    expect(get.body).toContain('X-PHONETIC-FIRST-NAME:Ay-da');
    expect(get.body).toContain('TEL;TYPE=HOME:0123 local');
    const etag = String(get.headers.etag);
    const v4 = await dav('GET', `${book}ada.vcf`, undefined, { accept: 'text/vcard; version=4.0' });
    expect(v4.body).toContain('VERSION:4.0');
    expect(v4.body).toContain('TEL;VALUE=uri;TYPE=voice;PREF=1:tel:+442079460958');

    // An edit in Rapport changes the ETag; a stale If-Match is refused.
    await api.patch(`/api/v1/contacts/${id}`, { title: 'Analyst' });
    const edited = await dav('GET', `${book}ada.vcf`);
    expect(edited.body).toContain('TITLE:Analyst');
    expect(edited.headers.etag).not.toBe(etag);
    const stale = await t.app.inject({
      method: 'PUT',
      url: `${book}ada.vcf`,
      headers: { authorization: basic(creds.username, creds.password), 'content-type': 'text/vcard', 'if-match': etag },
      payload: card('ada-uid-1'),
    });
    expect(stale.statusCode).toBe(412);
    const update = await t.app.inject({
      method: 'PUT',
      url: `${book}ada.vcf`,
      headers: {
        authorization: basic(creds.username, creds.password),
        'content-type': 'text/vcard',
        'if-match': String(edited.headers.etag),
      },
      payload: card('ada-uid-1', 'TITLE:Countess').replace('TEL;TYPE=CELL:+44 20 7946 0958\r\n', ''),
    });
    expect(update.statusCode, update.body).toBe(204);
    const record = (await api.get(`/api/v1/contacts/${id}`)).json().data;
    expect(record).toMatchObject({ title: 'Countess', phone: null });

    // Multiget and PROPFIND list it with the same ETag as GET.
    const now = await dav('GET', `${book}ada.vcf`);
    const multi = await dav(
      'REPORT',
      book,
      `<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">
        <d:prop><d:getetag/><card:address-data/></d:prop><d:href>${book}ada.vcf</d:href><d:href>${book}missing.vcf</d:href>
      </card:addressbook-multiget>`,
    );
    expect(multi.statusCode).toBe(207);
    expect(multi.body).toContain(`<d:getetag>${String(now.headers.etag).replace(/"/g, '&#34;')}</d:getetag>`);
    expect(multi.body).toContain('X-PHONETIC-FIRST-NAME:Ay-da');
    expect(multi.body).toMatch(/missing\.vcf<\/d:href><d:status>HTTP\/1\.1 404/);
    const listing = await dav('PROPFIND', book, PROPFIND_ALL, { depth: '1' });
    expect(listing.body).toContain(`${book}ada.vcf`);

    // Delete with a stale ETag: refused; with the current one: trashed.
    expect((await dav('DELETE', `${book}ada.vcf`, undefined, { 'if-match': etag })).statusCode).toBe(412);
    expect(
      (await dav('DELETE', `${book}ada.vcf`, undefined, { 'if-match': String(now.headers.etag) })).statusCode,
    ).toBe(204);
    expect((await api.get(`/api/v1/contacts/${id}`)).statusCode).toBe(404);
    expect((await dav('GET', `${book}ada.vcf`)).statusCode).toBe(404);
  });

  it('reports changes since a sync token, including deletions and records leaving the collection', async () => {
    const book = `/dav/addressbooks/${admin.userId}/contacts/`;
    const sync = (token: string) =>
      dav(
        'REPORT',
        book,
        `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
      );
    const api = client(t, admin.cookie);
    const keep = await buildContact(api, { firstName: 'Kept', lastName: 'Same' });
    const gone = await buildContact(api, { firstName: 'Soon', lastName: 'Gone' });
    const first = await sync('');
    expect(first.statusCode).toBe(207);
    expect(first.body).toContain(`${keep.id}.vcf`);
    const tokenOf = (body: string) => /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(body)?.[1] as string;
    let token = tokenOf(first.body);
    expect(token).toMatch(/^urn:rapport:sync:\d+-\d+$/);
    // A token covers the changes of transactions older than the oldest one still writing on the
    // server (another database's included): follow it until it is past the last setup change.
    const { rows } = await sql<{ tx: string; seq: string }>`
      select tx::text as tx, seq::text as seq from events where record_id = ${gone.id} order by tx desc, seq desc limit 1`.execute(
      t.database.db,
    );
    const setup = rows[0] as { tx: string; seq: string };
    const covers = (tok: string) => {
      const [, tx = '0', seq = '0'] = /(\d+)-(\d+)$/.exec(tok) ?? [];
      return BigInt(tx) > BigInt(setup.tx) || (BigInt(tx) === BigInt(setup.tx) && BigInt(seq) >= BigInt(setup.seq));
    };
    await until(
      async () => {
        if (covers(token)) return true;
        token = tokenOf((await sync(token)).body);
        return covers(token);
      },
      120_000,
      'the sync token to pass the setup',
    );

    const fresh = await buildContact(api, { firstName: 'New', lastName: 'Comer' });
    await api.del(`/api/v1/contacts/${gone.id}`);
    let delta = first;
    await until(
      async () => {
        delta = await sync(token);
        return delta.body.includes(`${fresh.id}.vcf`) && delta.body.includes(`${gone.id}.vcf`);
      },
      120_000,
      'the new and the deleted contact to be reported',
    );
    expect(delta.body).toContain(`${fresh.id}.vcf</d:href><d:propstat>`);
    expect(delta.body).toMatch(new RegExp(`${gone.id}\\.vcf</d:href><d:status>HTTP/1\\.1 404`));
    expect(delta.body).not.toContain(`${keep.id}.vcf`);
    const next = tokenOf(delta.body);
    expect(next).not.toBe(token);
    expect((await sync(next)).body).not.toContain('<d:response>');
    expect((await sync('urn:other:token')).statusCode).toBe(403);
  });

  it('acts with the member’s permissions: a sales rep’s address book holds what they may read, and nothing more', async () => {
    const api = client(t, admin.cookie);
    const theirs = await buildContact(client(t, rep.cookie), { firstName: 'Robs', lastName: 'Own' });
    const others = await buildContact(api, { firstName: 'Admins', lastName: 'Own' });
    const book = `/dav/addressbooks/${rep.userId}/contacts/`;
    const list = await dav('PROPFIND', book, PROPFIND_ALL, { depth: '1' }, repCreds);
    expect(list.statusCode).toBe(207);
    expect(list.body).toContain(`${theirs.id}.vcf`);
    // Visibility follows the role (the matrix decides whether a rep reads every contact).
    const canRead = (await client(t, rep.cookie).get(`/api/v1/contacts/${others.id}`)).statusCode === 200;
    expect(list.body.includes(`${others.id}.vcf`)).toBe(canRead);
    const mine = await dav('PROPFIND', `/dav/addressbooks/${rep.userId}/mine/`, PROPFIND_ALL, { depth: '1' }, repCreds);
    expect(mine.body).toContain(`${theirs.id}.vcf`);
    expect(mine.body).not.toContain(`${others.id}.vcf`);
  });

  it('offers an address book per saved contacts view, holding the view’s contacts; a private view of another member is not found', async () => {
    const api = client(t, admin.cookie);
    const inView = await buildContact(api, { firstName: 'In', lastName: 'Viewed' });
    const outside = await buildContact(api, { firstName: 'Not', lastName: 'Inside' });
    const view = await api.create('/api/v1/views', {
      object: 'contacts',
      name: 'Viewed people',
      filter: { field: 'lastName', op: 'eq', value: 'Viewed' },
    });
    const home = await dav('PROPFIND', `/dav/addressbooks/${admin.userId}/`, PROPFIND_ALL, { depth: '1' });
    expect(home.body).toContain(`/dav/addressbooks/${admin.userId}/view-${view.id}/`);
    expect(home.body).toContain('<d:displayname>Viewed people</d:displayname>');
    const book = `/dav/addressbooks/${admin.userId}/view-${view.id}/`;
    const list = await dav('PROPFIND', book, PROPFIND_ALL, { depth: '1' });
    expect(list.statusCode).toBe(207);
    expect(list.body).toContain(`${book}${inView.id}.vcf`);
    expect(list.body).not.toContain(`${outside.id}.vcf`);
    expect((await dav('GET', `${book}${outside.id}.vcf`)).statusCode).toBe(404);
    // Rob's private view is nobody else's address book.
    const robs = await client(t, rep.cookie).create('/api/v1/views', { object: 'contacts', name: 'Mine only' });
    const other = await dav('PROPFIND', `/dav/addressbooks/${admin.userId}/view-${robs.id}/`, PROPFIND_ALL, {
      depth: '1',
    });
    expect(other.statusCode).toBe(404);
  });

  it('serves meetings as VEVENT and tasks as VTODO, and maps writes back onto records', async () => {
    const api = client(t, admin.cookie);
    const meeting = await buildMeeting(api, {
      title: 'Kick-off',
      startAt: '2030-03-01T10:00:00Z',
      endAt: '2030-03-01T11:00:00Z',
    });
    const task = await buildTask(api, { title: 'Send proposal', dueAt: '2030-03-02T09:00:00Z' });
    const cal = `/dav/calendars/${admin.userId}/meetings/`;
    const todo = `/dav/calendars/${admin.userId}/tasks/`;
    const ev = await dav('GET', `${cal}${meeting.id}.ics`);
    expect(ev.statusCode).toBe(200);
    expect(ev.body).toContain('BEGIN:VEVENT');
    expect(ev.body).toContain('DTSTART:20300301T100000Z');
    const td = await dav('GET', `${todo}${task.id}.ics`);
    expect(td.body).toContain('BEGIN:VTODO');
    expect(td.body).toContain('DUE:20300302T090000Z');
    expect(td.body).toContain('STATUS:NEEDS-ACTION');

    const query = await dav(
      'REPORT',
      cal,
      `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
        <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20300301T000000Z" end="20300302T000000Z"/></c:comp-filter></c:comp-filter></c:filter>
      </c:calendar-query>`,
    );
    expect(query.statusCode).toBe(207);
    expect(query.body).toContain(`${meeting.id}.ics`);

    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VTODO',
      'UID:todo-from-phone',
      'SUMMARY:Buy stamps',
      'DUE:20300310T120000Z',
      'STATUS:COMPLETED',
      'PRIORITY:1',
      'CATEGORIES:Errands',
      'END:VTODO',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const put = await t.app.inject({
      method: 'PUT',
      url: `${todo}todo-from-phone.ics`,
      headers: { authorization: basic(creds.username, creds.password), 'content-type': 'text/calendar' },
      payload: ics,
    });
    expect(put.statusCode, put.body).toBe(201);
    const created = (
      await api.get(`/api/v1/tasks?filter=${q({ field: 'title', op: 'eq', value: 'Buy stamps' })}`)
    ).json().data[0];
    expect(created).toMatchObject({
      status: 'done',
      priority: 'urgent',
      assigneeId: admin.userId,
      dueAt: '2030-03-10T12:00:00.000Z',
    });
    const back = await dav('GET', `${todo}todo-from-phone.ics`);
    expect(back.body).toContain('UID:todo-from-phone');
    expect(back.body).toContain('CATEGORIES:Errands');
    // An event in the task list is the wrong component.
    const wrong = await t.app.inject({
      method: 'PUT',
      url: `${todo}event.ics`,
      headers: { authorization: basic(creds.username, creds.password), 'content-type': 'text/calendar' },
      payload: ics.replace(/VTODO/g, 'VEVENT'),
    });
    expect(wrong.statusCode).toBe(422);
  });

  it('finds nothing of another workspace: its record ids are not found', async () => {
    const other = await signUp(t.app, { name: 'Eve', workspaceName: 'Elsewhere' });
    const foreign = await buildContact(client(t, other.cookie), { firstName: 'Secret', lastName: 'Person' });
    const res = await dav('GET', `/dav/addressbooks/${admin.userId}/contacts/${foreign.id}.vcf`);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Secret');
    const del = await dav('DELETE', `/dav/addressbooks/${admin.userId}/contacts/${foreign.id}.vcf`);
    expect(del.statusCode).toBe(404);
    expect((await client(t, other.cookie).get(`/api/v1/contacts/${foreign.id}`)).statusCode).toBe(200);
  });
});
