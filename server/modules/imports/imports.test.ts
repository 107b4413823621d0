import fs from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { parseVCards } from '../../platform/vcard/vcard';

const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures/imports');

/** A multipart/form-data body as a browser or curl sends it (built by the platform's own FormData). */
async function multipart(
  fields: Record<string, string>,
  file?: { name: string; content: string | Uint8Array; type?: string },
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([file.content], { type: file.type ?? 'text/csv' }), file.name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type') as string },
  };
}

type Row = Record<string, unknown>;

describe('imports: streamed CSV, XLSX and vCard into records, presets, dedupe, dry run, errors', () => {
  let t: TestApp;
  let admin: SignedUp;
  let owner: Member;
  let analyst: Member;
  let other: SignedUp;
  let hubspot: string;

  const upload = async (
    who: { cookie: string },
    fields: Record<string, string>,
    file?: { name: string; content: string | Uint8Array; type?: string },
    url = '/api/v1/imports',
  ) => {
    const body = await multipart(fields, file);
    return t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, ...body.headers },
      payload: body.payload,
    });
  };

  /** Runs the import's jobs until it has finished; returns GET /imports/{id}'s data. */
  const runToEnd = async (who: { cookie: string }, id: string) => {
    for (let i = 0; i < 50; i++) {
      await t.jobs.runDue({ queues: ['imports.run'] });
      const res = await client(t, who).get(`/api/v1/imports/${id}`);
      expect(res.statusCode, res.body).toBe(200);
      const data = res.json().data;
      if (data.status === 'completed' || data.status === 'failed') return data;
    }
    throw new Error('the import did not finish');
  };

  const importFile = async (
    who: { cookie: string },
    fields: Record<string, string>,
    file: { name: string; content: string | Uint8Array; type?: string },
  ) => {
    const res = await upload(who, fields, file);
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json().data;
    expect(typeof id).toBe('string');
    return { id, ...(await runToEnd(who, id)) };
  };

  const contactsByEmail = async (who: { cookie: string }) => {
    const res = await client(t, who).get('/api/v1/contacts?limit=200&include=account');
    return Object.fromEntries((res.json().data as Row[]).map((c) => [c.email ?? c.lastName, c]));
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Import Co' });
    owner = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Olive Owner');
    analyst = await memberWithRole(t, admin.workspaceId, 'data_analyst', 'Ana Lyst');
    other = await signUp(t.app, { workspaceName: 'Other Import Co' });
    hubspot = fs
      .readFileSync(path.join(FIXTURES, 'hubspot-contacts.csv'), 'utf8')
      .replace('OWNER_EMAIL', owner.email.toUpperCase());
    await buildAccount(client(t, admin), { name: 'Initech' });
  }, 120_000);
  afterAll(async () => t?.stop());

  it('imports a HubSpot contacts export with preset=hubspot and no mapping; Company Name links (and creates once) the account', async () => {
    const done = await importFile(
      admin,
      { object: 'contacts', preset: 'hubspot' },
      { name: 'hubspot.csv', content: hubspot },
    );
    expect(done.status).toBe('completed');
    expect(done.counts).toEqual({ read: 5, created: 4, updated: 0, failed: 1 });
    expect(done.accountsCreated).toBe(1);
    expect(done.mapping).toEqual(
      expect.arrayContaining([
        { column: 'Record ID', field: '@externalId' },
        { column: 'Company Name', field: 'accountId', by: 'name' },
        { column: 'Country/Region', field: 'address.country' },
      ]),
    );
    expect(done.ignoredColumns).toEqual(['Lead Status', 'Create Date']);

    const people = await contactsByEmail(admin);
    const ada = people['ada@globex.example'] as Row;
    const grace = people['grace@globex.example'] as Row;
    const alan = people['alan@initech.example'] as Row;
    expect(ada).toMatchObject({
      firstName: 'Ada',
      lifecycleStage: 'mql',
      title: 'Head of Analytics, EMEA',
      ownerId: owner.userId,
    });
    expect(ada.address).toMatchObject({ city: 'London', country: 'GB' });
    expect(grace).toMatchObject({ lifecycleStage: 'customer', title: '"Amazing" Grace', phone: '+33123456789' });
    expect((ada.account as Row).name).toBe('Globex Corporation');
    expect(grace.accountId).toBe(ada.accountId);
    expect((alan.account as Row).name).toBe('Initech');
    expect((people['edsger@example.nl'] as Row).title).toBe('Professor\r\nof Computing');
    const accounts = (await client(t, admin).get('/api/v1/accounts?limit=100')).json().data as Row[];
    expect(accounts.filter((a) => a.name === 'Globex Corporation')).toHaveLength(1);

    // The bad row: its number as a spreadsheet shows it, its column, a message for people.
    const errors = await client(t, admin).get(`/api/v1/imports/${done.id}/errors.csv`);
    expect(errors.statusCode).toBe(200);
    expect(errors.headers['content-type']).toContain('text/csv');
    expect(errors.body).toBe('row,column,message\r\n5,Email,must be a valid email address\r\n');
  });

  it('importing the same file again updates instead of duplicating (Record ID is the external id)', async () => {
    const before = (await client(t, admin).get('/api/v1/contacts?limit=1&count=true')).json().total;
    const edited = hubspot.replace('"Head of Analytics, EMEA"', '"Chief Analyst"');
    const done = await importFile(
      admin,
      { object: 'contacts', preset: 'hubspot' },
      { name: 'again.csv', content: edited },
    );
    expect(done.counts).toEqual({ read: 5, created: 0, updated: 4, failed: 1 });
    expect(done.accountsCreated).toBe(0);
    expect((await client(t, admin).get('/api/v1/contacts?limit=1&count=true')).json().total).toBe(before);
    const people = await contactsByEmail(admin);
    expect((people['ada@globex.example'] as Row).title).toBe('Chief Analyst');
    // Even when the email changed in the source system, the record id finds the contact.
    const moved = hubspot.replace('ada@globex.example', 'ada.lovelace@globex.example');
    const again = await importFile(
      admin,
      { object: 'contacts', preset: 'hubspot' },
      { name: 'moved.csv', content: moved },
    );
    expect(again.counts).toMatchObject({ created: 0, updated: 4 });
    const after = await contactsByEmail(admin);
    expect(after['ada.lovelace@globex.example']).toBeDefined();
    expect(after['ada@globex.example']).toBeUndefined();
  });

  it('keeps Salesforce ids: contacts link the accounts imported before by Account ID; an unknown owner is left out', async () => {
    // Salesforce report exports (field labels as headers).
    const accounts = [
      '"Account ID","Account Name","Website","Type","Billing City","Billing Country","Account Owner"',
      '"0015g00000AbCdEAAV","Umbrella Corp","https://umbrella.example","Customer - Direct","Raccoon City","United States","005000000000001"',
      '"0015g00000AbCdFAAV","Cyberdyne Systems","cyberdyne.example","Prospect","Sunnyvale","US",""',
    ].join('\r\n');
    const a = await importFile(
      admin,
      { object: 'accounts', preset: 'salesforce' },
      { name: 'accounts.csv', content: accounts },
    );
    expect(a.counts).toEqual({ read: 2, created: 2, updated: 0, failed: 0 });
    const contacts = [
      '"Contact ID","Account ID","Account Name","First Name","Last Name","Email","Mailing City","Mailing Zip/Postal Code","Mailing Country","Contact Owner"',
      // The account renamed since: its Salesforce id still finds it.
      '"0035g00000XyZaAAAV","0015g00000AbCdEAAV","Umbrella Corporation","Albert","Wesker","wesker@umbrella.example","Raccoon City","12345","US","Someone Unknown"',
      '"0035g00000XyZaBAAV","","Cyberdyne Systems","Miles","Dyson","miles@cyberdyne.example","Sunnyvale","94086","United States",""',
    ].join('\r\n');
    const c = await importFile(
      admin,
      { object: 'contacts', preset: 'salesforce' },
      { name: 'contacts.csv', content: contacts },
    );
    expect(c.counts).toEqual({ read: 2, created: 2, updated: 0, failed: 0 });
    expect(c.accountsCreated).toBe(0);
    const people = await contactsByEmail(admin);
    expect((people['wesker@umbrella.example'] as Row).account).toMatchObject({
      name: 'Umbrella Corp',
      type: 'customer',
    });
    expect((people['wesker@umbrella.example'] as Row).ownerId).toBe(admin.userId);
    expect((people['wesker@umbrella.example'] as Row).address).toMatchObject({
      city: 'Raccoon City',
      postalCode: '12345',
      country: 'US',
    });
    expect((people['miles@cyberdyne.example'] as Row).account).toMatchObject({
      name: 'Cyberdyne Systems',
      type: 'prospect',
    });
  });

  it('writes one audit entry and one summary event per import, not one per record', async () => {
    const { rows: events } = await sql<{ type: string; n: number }>`
      select type, count(*)::int as n from events where workspace_id = ${admin.workspaceId}::uuid
        and (type like 'import.%' or type like 'contact.%' or type like 'account.%') group by type order by type`.execute(
      t.database.db,
    );
    // (Initech was created through the API before: its one account.created is the only record event.)
    expect(events).toEqual([
      { type: 'account.created', n: 1 },
      { type: 'import.completed', n: 5 },
    ]);
    const { rows: audits } = await sql<{ action: string; n: number }>`
      select action, count(*)::int as n from audit_log where workspace_id = ${admin.workspaceId}::uuid
        and (action like 'import.%' or object = 'contacts') group by action`.execute(t.database.db);
    expect(audits).toEqual([{ action: 'import.completed', n: 5 }]);
  });

  it('imports a Salesforce opportunities export with preset=salesforce: account by name, amount and currency, close date, stage', async () => {
    const done = await importFile(
      admin,
      { object: 'opportunities', preset: 'salesforce' },
      {
        name: 'opportunities.csv',
        content: [
          'Opportunity ID,Opportunity Name,Account,Amount,Opportunity Currency,Close Date,Stage,Next Step',
          '006A1,Initech renewal,Initech,"12,000.00",EUR,2026-03-31,Negotiation,Send the contract',
          '006A2,Globex pilot,Globex Corp,$5000,,4/15/2026,Closed Won,',
          '006A3,Umbrella study,Initech,300,GBP,2026-06-30,Some Stage Rapport Lacks,',
        ].join('\n'),
      },
    );
    expect(done).toMatchObject({ status: 'completed', counts: { read: 3, created: 3, failed: 0 }, accountsCreated: 1 });
    expect(done.mapping).toEqual(
      expect.arrayContaining([
        { column: 'Opportunity ID', field: '@externalId' },
        { column: 'Opportunity Name', field: 'name' },
        { column: 'Account', field: 'accountId', by: 'name' },
        { column: 'Amount', field: 'amount' },
        { column: 'Close Date', field: 'expectedCloseDate' },
        { column: 'Stage', field: 'stageId' },
      ]),
    );
    // The currency column is read with the amount, not ignored.
    expect(done.ignoredColumns).toEqual([]);
    const stages = (
      (await client(t, admin).get('/api/v1/pipelines')).json().data as { stages: { id: string; name: string }[] }[]
    ).flatMap((p) => p.stages);
    const stage = (name: string) => stages.find((s) => s.name === name)?.id;
    const opps = Object.fromEntries(
      ((await client(t, admin).get('/api/v1/opportunities?limit=50&include=account')).json().data as Row[]).map((o) => [
        o.name,
        o,
      ]),
    );
    const renewal = opps['Initech renewal'] as Row;
    expect(renewal).toMatchObject({ expectedCloseDate: '2026-03-31', stageId: stage('Negotiation'), status: 'open' });
    expect(renewal.amount).toMatchObject({ currency: 'EUR' });
    expect(Number((renewal.amount as { amount: string }).amount)).toBe(12000);
    expect((renewal.account as Row).name).toBe('Initech');
    const pilot = opps['Globex pilot'] as Row;
    expect(pilot).toMatchObject({ expectedCloseDate: '2026-04-15', stageId: stage('Closed Won'), status: 'won' });
    expect(pilot.amount).toMatchObject({ currency: 'USD' });
    expect((pilot.account as Row).name).toBe('Globex Corp');
    // A stage Rapport does not have is left to the pipeline's first stage, not a failed row.
    expect(opps['Umbrella study']).toMatchObject({ stageId: stage('Qualified'), amount: { currency: 'GBP' } });

    // HubSpot deals: their column names map the same way.
    const preview = await upload(
      admin,
      { object: 'opportunities', preset: 'hubspot' },
      {
        name: 'deals.csv',
        content:
          'Record ID,Deal Name,Amount,Close Date,Deal Stage,Associated Company\n1,A,10 EUR,2026-01-01,Closed Won,Initech\n',
      },
      '/api/v1/imports/preview',
    );
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().data.mapping).toEqual([
      { column: 'Record ID', field: '@externalId' },
      { column: 'Deal Name', field: 'name' },
      { column: 'Amount', field: 'amount' },
      { column: 'Close Date', field: 'expectedCloseDate' },
      { column: 'Deal Stage', field: 'stageId' },
      { column: 'Associated Company', field: 'accountId', by: 'name' },
    ]);
  });

  it("the preview's mapping sent back with the preset (as the wizard does) keeps the preset's value translations", async () => {
    const file = { name: 'wizard.csv', content: hubspot };
    const preview = await upload(admin, { object: 'contacts', preset: 'hubspot' }, file, '/api/v1/imports/preview');
    expect(preview.statusCode, preview.body).toBe(200);
    const { header, mapping } = preview.json().data as {
      header: string[];
      mapping: { column: string; field: string; by?: string }[];
    };
    // Every column, the unmapped ones as null, each mapped one as { field, by? }.
    const sent = Object.fromEntries(header.map((h) => [h, null as unknown]));
    for (const m of mapping) sent[m.column] = { field: m.field, ...(m.by ? { by: m.by } : {}) };
    const done = await importFile(
      admin,
      { object: 'contacts', preset: 'hubspot', dryRun: 'true', mapping: JSON.stringify(sent) },
      file,
    );
    // "marketingqualifiedlead" and "salesqualifiedlead" still translate; only the bad email fails.
    expect(done.counts).toEqual({ read: 5, created: 0, updated: 4, failed: 1 });
    const errors = await client(t, admin).get(`/api/v1/imports/${done.id}/errors.csv`);
    expect(errors.body).toBe('row,column,message\r\n5,Email,must be a valid email address\r\n');
  });

  it('a dry run reports what would happen, with the errors, and writes nothing', async () => {
    const csv =
      'Email,First name,Last name,Company,Birthday\nnew1@dry.example,New,One,Dry Run Ltd,1990-01-31\nnew2@dry.example,New,Two,Dry Run Ltd,31st of never\n';
    const before = (await client(t, admin).get('/api/v1/contacts?limit=1&count=true')).json().total;
    const done = await importFile(admin, { object: 'contacts', dryRun: 'true' }, { name: 'dry.csv', content: csv });
    expect(done).toMatchObject({ status: 'completed', dryRun: true, accountsCreated: 1, estimatedRows: 2 });
    expect(done.counts).toEqual({ read: 2, created: 1, updated: 0, failed: 1 });
    expect(done.mapping).toEqual([
      { column: 'Email', field: 'email' },
      { column: 'First name', field: 'firstName' },
      { column: 'Last name', field: 'lastName' },
      { column: 'Company', field: 'accountId', by: 'name' },
      { column: 'Birthday', field: 'birthday' },
    ]);
    expect((await client(t, admin).get('/api/v1/contacts?limit=1&count=true')).json().total).toBe(before);
    const accounts = (await client(t, admin).get('/api/v1/accounts?limit=100')).json().data as Row[];
    expect(accounts.some((a) => a.name === 'Dry Run Ltd')).toBe(false);
    const errors = (await client(t, admin).get(`/api/v1/imports/${done.id}/errors.csv`)).body;
    expect(errors).toContain('3,Birthday,"""31st of never"" is not a date (YYYY-MM-DD)"');
  });

  it('reads semicolon-separated Windows-1252 CSV and XLSX workbooks; upsert by domain never duplicates', async () => {
    const latin = iconv.encode(
      'Name;Domain;Ville;Pays\r\n"Société Générale";societe.example;"Paris";France\r\nMüller GmbH;mueller.example;Köln;DE\r\n',
      'win1252',
    );
    const csv = await importFile(
      admin,
      {
        object: 'accounts',
        mapping: JSON.stringify({ Name: 'name', Domain: 'domain', Ville: 'address.city', Pays: 'address.country' }),
      },
      { name: 'accounts.csv', content: latin },
    );
    expect(csv.counts).toEqual({ read: 2, created: 2, updated: 0, failed: 0 });
    const shared = ['Name', 'Domain', 'Employees', 'Müller GmbH', 'www.mueller.example'];
    const sst = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">${shared.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`;
    const sheet = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
      <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
      <row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2"><v>250</v></c></row>
      <row r="3"><c r="A3" t="inlineStr"><is><t>Wayne Enterprises</t></is></c><c r="B3" t="inlineStr"><is><t>wayne.example</t></is></c><c r="C3"><v>12.5</v></c></row>
    </sheetData></worksheet>`;
    const xlsx = zipSync({
      '[Content_Types].xml': strToU8('<Types/>'),
      'xl/sharedStrings.xml': strToU8(sst),
      'xl/worksheets/sheet1.xml': strToU8(sheet),
    });
    const done = await importFile(
      admin,
      { object: 'accounts', mode: 'upsert' },
      { name: 'accounts.xlsx', content: xlsx, type: 'application/octet-stream' },
    );
    expect(done.format).toBe('xlsx');
    expect(done.estimatedRows).toBeNull();
    expect(done.matchOn).toBe('domain');
    expect(done.counts).toEqual({ read: 2, created: 0, updated: 1, failed: 1 });
    const accounts = (await client(t, admin).get('/api/v1/accounts?limit=100')).json().data as Row[];
    const mueller = accounts.filter((a) => a.domain === 'mueller.example');
    expect(mueller).toHaveLength(1);
    expect(mueller[0]).toMatchObject({
      name: 'Müller GmbH',
      employees: 250,
      address: expect.objectContaining({ city: 'Köln', country: 'DE' }),
    });
    expect(accounts.find((a) => a.domain === 'societe.example')?.name).toBe('Société Générale');
    const errors = (await client(t, admin).get(`/api/v1/imports/${done.id}/errors.csv`)).body;
    expect(errors).toBe('row,column,message\r\n3,Employees,"""12.5"" is not a whole number"\r\n');
  });

  it('imports a vCard file (2.1 and 3.0 cards) into contacts, linking ORG to an account', async () => {
    const vcf = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:card-1',
      'N:Curie;Marie;;;',
      'EMAIL;TYPE=INTERNET:marie@radium.example',
      'ORG:Initech',
      'TITLE:Physicist',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Sk=C5=82odowska;Bronis=C5=82awa',
      'TEL;CELL:+48 22 123 45 67',
      'END:VCARD',
      '',
    ].join('\r\n');
    const done = await importFile(
      admin,
      { object: 'contacts' },
      { name: 'phone.vcf', content: vcf, type: 'text/vcard' },
    );
    expect(done.format).toBe('vcard');
    expect(done.counts).toEqual({ read: 2, created: 2, updated: 0, failed: 0 });
    const people = await contactsByEmail(admin);
    expect((people['marie@radium.example'] as Row).account).toMatchObject({ name: 'Initech' });
    expect(people.Skłodowska).toMatchObject({ firstName: 'Bronisława', phone: '+48221234567' });
    const again = await importFile(
      admin,
      { object: 'contacts' },
      { name: 'phone.vcf', content: vcf, type: 'text/vcard' },
    );
    expect(again.counts).toMatchObject({ created: 0, updated: 2 });
  });

  it('GET /contacts/{id}/vcard answers text/vcard 4.0 (3.0 on request) that reads back', async () => {
    const c = await buildContact(client(t, admin), {
      firstName: 'Vera',
      lastName: 'Card',
      email: 'vera@card.example',
      phone: '+33 1 23 45 67 89',
      title: 'Buyer',
    });
    const res = await client(t, admin).get(`/api/v1/contacts/${c.id}/vcard`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/vcard/);
    const [card] = parseVCards(res.body);
    expect(card).toMatchObject({ version: '4.0', uid: c.id, fn: 'Vera Card', title: 'Buyer' });
    expect(card?.emails[0]?.value).toBe('vera@card.example');
    expect(card?.phones[0]?.value).toBe('+33123456789');
    const v3 = await client(t, admin).get(`/api/v1/contacts/${c.id}/vcard?version=3.0`);
    expect(parseVCards(v3.body)[0]?.version).toBe('3.0');
    const jcard = await client(t, admin).get(`/api/v1/contacts/${c.id}/vcard?format=jcard`);
    expect(jcard.headers['content-type']).toMatch(/^application\/vcard\+json/);
    expect(jcard.json()[1]).toContainEqual(['email', { pref: '1' }, 'text', 'vera@card.example']);
    const many = await client(t, admin).get(`/api/v1/contacts/vcard?ids=${c.id}`);
    expect(many.statusCode).toBe(200);
    expect(parseVCards(many.body)).toHaveLength(1);
    expect((await client(t, other).get(`/api/v1/contacts/${c.id}/vcard`)).statusCode).toBe(404);
    expect((await client(t, admin).get('/api/v1/contacts/vcard?ids=nope')).statusCode).toBe(422);
  });

  it('previews a file: header, first rows and the mapping the import would use', async () => {
    const res = await upload(
      admin,
      { object: 'contacts', preset: 'hubspot' },
      { name: 'hubspot.csv', content: hubspot },
      '/api/v1/imports/preview',
    );
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data;
    expect(data.header[0]).toBe('Record ID');
    expect(data.rows).toHaveLength(5);
    expect(data.rows[0]['First Name']).toBe('Ada');
    expect(data.mapping).toContainEqual({ column: 'Lifecycle Stage', field: 'lifecycleStage' });
    // No preset, headers that name nothing: the values' shapes suggest the fields.
    const shapes = await upload(
      admin,
      { object: 'contacts' },
      {
        name: 's.csv',
        content: 'Surname,Reach me at,Call\nDoe,jane@doe.example,+33 1 23 45 67 89\nRoe,rick@roe.example,\n',
      },
      '/api/v1/imports/preview',
    );
    expect(shapes.statusCode, shapes.body).toBe(200);
    expect(shapes.json().data.mapping).toEqual([
      { column: 'Surname', field: 'lastName' },
      { column: 'Reach me at', field: 'email' },
      { column: 'Call', field: 'phone' },
    ]);
  });

  it('bad input gets a 4xx naming the field, and nothing is stored', async () => {
    const problem = (
      res: { statusCode: number; headers: Record<string, unknown>; json: () => Row },
      status: number,
      field: string,
    ) => {
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.json().errors ?? [])).toContain(field);
    };
    const csv = { name: 'x.csv', content: 'Email\nx@example.com\n' };
    problem(await upload(admin, { object: 'contacts' }), 422, 'file');
    problem(await upload(admin, { object: 'contacts', preset: 'pipedrive' }, csv), 422, 'preset');
    problem(await upload(admin, { object: 'contacts', mode: 'merge' }, csv), 422, 'mode');
    problem(await upload(admin, { object: 'contacts', mapping: '{"Email": "shoeSize"}' }, csv), 422, 'mapping.Email');
    problem(await upload(admin, { object: 'contacts', mapping: '{"Nope": "email"}' }, csv), 422, 'mapping.Nope');
    problem(await upload(admin, { object: 'contacts', mapping: 'not json' }, csv), 422, 'mapping');
    problem(await upload(admin, { object: 'contacts', matchOn: 'firstName', mode: 'upsert' }, csv), 422, 'matchOn');
    problem(await upload(admin, { object: 'contacts' }, { name: 'e.csv', content: '' }), 422, 'file');
    problem(
      await upload(
        admin,
        { object: 'contacts' },
        { name: 'x.xlsx', content: new Uint8Array([0x50, 0x4b, 3, 4, 1, 2]) },
      ),
      422,
      'file',
    );
    problem(await upload(admin, { object: 'contacts' }, { name: 'x.csv', content: 'Colour\nblue\n' }), 422, 'mapping');
    expect((await upload(admin, { object: 'nothing' }, csv)).statusCode).toBe(404);
    expect((await client(t, admin).post('/api/v1/imports', { object: 'contacts' })).statusCode).toBe(415);
    // A role that may not create contacts cannot import them.
    expect((await upload(analyst, { object: 'contacts' }, csv)).statusCode).toBe(403);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from imports
      where workspace_id = ${admin.workspaceId}::uuid and status <> 'completed'`.execute(t.database.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('an import is its starter’s (and administrators’): other members and workspaces get 404', async () => {
    const done = await importFile(
      owner,
      { object: 'contacts' },
      { name: 'o.csv', content: 'Email,Last name\nrep@owner.example,Rep\n' },
    );
    expect(done.counts.created).toBe(1);
    expect((await client(t, admin).get(`/api/v1/imports/${done.id}`)).statusCode).toBe(200);
    expect((await client(t, analyst).get(`/api/v1/imports/${done.id}`)).statusCode).toBe(404);
    expect((await client(t, other).get(`/api/v1/imports/${done.id}`)).statusCode).toBe(404);
    expect((await client(t, other).get(`/api/v1/imports/${done.id}/errors.csv`)).statusCode).toBe(404);
    const mine = (await client(t, owner).get('/api/v1/imports')).json().data as Row[];
    expect(mine.map((i) => i.id)).toEqual([done.id]);
  });
});
