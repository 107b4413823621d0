import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact, buildOpportunity } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

type Group = { value: string | null; label: string; count: number; sum: { currency: string; amount: string }[] };

/** Issue 14 item 8: lists people expect — sort by tags, sales by rep and per account, a spreadsheet-friendly CSV. */
describe('lists people expect', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: Member;
  let acme: { id: string };
  let globex: { id: string };
  const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Lists Co', name: 'Ada Admin' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    const api = client(t, admin);
    acme = await buildAccount(api, { name: 'Acme', tags: ['vip', 'customer'] });
    globex = await buildAccount(api, { name: 'Globex', tags: ['partner'] });
    await buildAccount(api, { name: 'Initech' });
    await buildAccount(api, { name: 'Hooli', tags: ['customer'] });
    const eur = (amount: string) => ({ amount, currency: 'EUR' });
    await buildOpportunity(api, { name: 'Acme 1', accountId: acme.id, amount: eur('100') });
    await buildOpportunity(api, { name: 'Acme 2', accountId: acme.id, amount: eur('250.5'), ownerId: rep.userId });
    await buildOpportunity(api, { name: 'Globex 1', accountId: globex.id, amount: eur('40'), ownerId: rep.userId });
    await buildOpportunity(api, { name: 'Nobody', amount: eur('1') });
  });
  afterAll(() => t.stop());

  it('sorts by tags (their alphabetical list; untagged last), page by page with the cursor', async () => {
    const api = client(t, admin);
    const names = async (sort: string, limit = 50) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api.get(
          `/api/v1/accounts?sort=${sort}&limit=${limit}&fields=name,tags${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.statusCode, res.body).toBe(200);
        out.push(...res.json().data.map((r: { name: string }) => r.name));
        cursor = res.json().page.nextCursor;
      } while (cursor);
      return out;
    };
    // "customer" < "customer,vip" < "partner", then no tags.
    expect(await names('tags')).toEqual(['Hooli', 'Acme', 'Globex', 'Initech']);
    expect(await names('tags', 1)).toEqual(['Hooli', 'Acme', 'Globex', 'Initech']);
    expect(await names('-tags,name', 1)).toEqual(['Initech', 'Globex', 'Acme', 'Hooli']);
    const meta = (await api.get('/api/v1/objects/accounts')).json().data;
    expect(meta.fields.find((f: { name: string }) => f.name === 'tags').sortable).toBe(true);
  });

  it('groups and totals by owner (sales by rep) and by a relation (per account), by name', async () => {
    const api = client(t, admin);
    const byRep = await api.get('/api/v1/opportunities/aggregate?groupBy=ownerId&sum=amount');
    expect(byRep.statusCode, byRep.body).toBe(200);
    const reps = byRep.json().data.groups as Group[];
    expect(reps.map((g) => [g.label, g.count, g.sum])).toEqual([
      ['Ada Admin', 2, [{ currency: 'EUR', amount: '101' }]],
      ['Rita Rep', 2, [{ currency: 'EUR', amount: '290.5' }]],
      ['No owner', 0, []],
    ]);
    expect(reps[0]?.value).toBe(admin.userId);

    const byAccount = await api.get(
      `/api/v1/opportunities/aggregate?groupBy=accountId&sum=amount&filter=${q({ field: 'amount', op: 'gt', value: 10 })}`,
    );
    expect(byAccount.statusCode, byAccount.body).toBe(200);
    expect((byAccount.json().data.groups as Group[]).map((g) => [g.value, g.label, g.count])).toEqual([
      [acme.id, 'Acme', 2],
      [globex.id, 'Globex', 1],
      [null, 'No account', 0],
    ]);

    // A to-many relation or a text field cannot make groups.
    for (const groupBy of ['name', 'attendeeContactIds']) {
      const object = groupBy === 'name' ? 'opportunities' : 'meetings';
      const res = await api.get(`/api/v1/${object}/aggregate?groupBy=${groupBy}`);
      expect(res.statusCode, groupBy).toBe(422);
      expect(res.json().errors[0].path).toBe('groupBy');
    }
  });

  it('a related record the caller may not read is grouped but not named', async () => {
    // The sales rep sees their own records only: Acme is the administrator's.
    const mine = await buildAccount(client(t, rep), { name: 'Rita Co' });
    await buildContact(client(t, rep), { lastName: 'Visible', accountId: mine.id });
    await buildContact(client(t, admin), { lastName: 'Theirs', accountId: acme.id, ownerId: rep.userId });
    const res = await client(t, rep).get('/api/v1/contacts/aggregate?groupBy=accountId');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain('Acme');
    expect((res.json().data.groups as Group[]).map((g) => [g.label, g.count])).toEqual([
      ['A restricted account', 1],
      ['Rita Co', 1],
      ['No account', 0],
    ]);
  });

  it('exports CSV for spreadsheets: labels, names for owner and account, tags as a comma list, ids at the end', async () => {
    const api = client(t, admin);
    const contact = await buildContact(api, {
      firstName: 'Jane',
      lastName: 'Doe',
      email: 'jane@acme.example',
      accountId: acme.id,
      ownerId: rep.userId,
      tags: ['vip', 'newsletter'],
      lifecycleStage: 'customer',
    });
    const res = await api.get(`/api/v1/contacts/export?filter=${q({ field: 'id', op: 'eq', value: contact.id })}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const [head = '', row = ''] = res.body.slice(1).split('\r\n');
    const cells = parseCsvLine(row);
    const header = parseCsvLine(head);
    const cell = (h: string) => cells[header.indexOf(h)];
    expect(header[0]).toBe('ID');
    expect(header).not.toContain('Version');
    expect(cell('ID')).toBe(contact.id);
    expect(cell('First name')).toBe('Jane');
    expect(cell('Owner')).toBe('Rita Rep');
    expect(cell('Account')).toBe('Acme');
    expect(cell('Tags')).toBe('vip, newsletter');
    expect(cell('Lifecycle stage')).toBe('Customer');
    // The ids follow in extra columns, after every field.
    expect(cell('Owner ID')).toBe(rep.userId);
    expect(cell('Account ID')).toBe(acme.id);
    expect(header.indexOf('Owner ID')).toBeGreaterThan(header.indexOf('Tags'));
    expect(header.indexOf('Account ID')).toBeGreaterThan(header.indexOf('Lifecycle stage'));

    const money = await api.get(
      `/api/v1/opportunities/export?filter=${q({ field: 'name', op: 'eq', value: 'Acme 2' })}`,
    );
    const [mHead = '', mRow = ''] = money.body.slice(1).split('\r\n');
    const mh = parseCsvLine(mHead);
    const mc = parseCsvLine(mRow);
    expect(mc[mh.indexOf('Amount')]).toBe('250.5');
    expect(mc[mh.indexOf('Amount currency')]).toBe('EUR');
    expect(mc[mh.indexOf('Account')]).toBe('Acme');
  });
});

/** One CSV line into cells (quotes doubled inside quoted cells). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
