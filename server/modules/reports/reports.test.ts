import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

interface Stage {
  id: string;
  name: string;
}
type Row = Record<string, unknown>;

describe('reports: the report builder, files, saved reports, dashboards and the forecast', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: Member;
  let other: SignedUp;
  let stages: Record<string, string>;

  const eur = (amount: string) => ({ amount, currency: 'EUR' });
  const run = async (who: { cookie: string }, body: unknown, status = 200) => {
    const res = await client(t, who).post('/api/v1/reports/run', body);
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  const byKey = (rows: Row[], key: string) => Object.fromEntries(rows.map((r) => [String(r[key]), r]));

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Reports Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    other = await signUp(t.app, { workspaceName: 'Other Reports Co' });
    const pipelines = await client(t, admin).get('/api/v1/pipelines');
    stages = Object.fromEntries(pipelines.json().data[0].stages.map((s: Stage) => [s.name, s.id]));
    // Default stage probabilities: Qualified 20, Proposal 50, Negotiation 75, Won 100, Lost 0.
    const records = [
      { name: 'O1', stageId: stages.Qualified, amount: eur('1000'), expectedCloseDate: '2026-01-10' },
      {
        name: 'O2',
        stageId: stages.Proposal,
        amount: eur('2000'),
        expectedCloseDate: '2026-01-20',
        forecastCategory: 'best_case',
      },
      {
        name: 'O3',
        stageId: stages.Negotiation,
        amount: eur('4000'),
        expectedCloseDate: '2026-02-05',
        forecastCategory: 'commit',
      },
      { name: 'O4', stageId: stages['Closed Won'], amount: eur('3000'), expectedCloseDate: '2026-02-15' },
      {
        name: 'O5',
        stageId: stages['Closed Lost'],
        amount: eur('500'),
        expectedCloseDate: '2026-01-25',
        lostReason: 'price',
      },
      { name: 'O6 later', stageId: stages.Qualified, amount: eur('9999'), expectedCloseDate: '2026-06-01' },
      {
        name: '=SUM(A1)',
        stageId: stages.Qualified,
        amount: { amount: '100', currency: 'USD' },
        expectedCloseDate: '2026-01-05',
      },
      {
        name: 'R1',
        ownerId: rep.userId,
        stageId: stages.Proposal,
        amount: eur('1500.50'),
        expectedCloseDate: '2026-01-15',
      },
      {
        name: 'R2',
        ownerId: rep.userId,
        stageId: stages['Closed Won'],
        amount: eur('250.25'),
        expectedCloseDate: '2026-03-31',
      },
    ];
    const res = await client(t, admin).post('/api/v1/opportunities/batch', { mode: 'create', atomic: true, records });
    expect(res.statusCode, res.body).toBe(200);
    // A trashed opportunity never counts.
    const gone = await client(t, admin).create('/api/v1/opportunities', {
      name: 'Gone',
      amount: eur('77777'),
      expectedCloseDate: '2026-01-02',
    });
    expect((await client(t, admin).del(`/api/v1/opportunities/${gone.id}`)).statusCode).toBe(204);
  });
  afterAll(() => t.stop());

  it('groups by a select with count, exact money per currency and averages; columns describe the rows', async () => {
    const { data } = await run(admin, {
      object: 'opportunities',
      groupBy: [{ field: 'stageId' }],
      measures: [
        { op: 'count', as: 'deals' },
        { op: 'sum', field: 'amount', as: 'total' },
        { op: 'avg', field: 'probability', as: 'avgProbability' },
        { op: 'max', field: 'expectedCloseDate', as: 'lastClose' },
      ],
    });
    const rows = byKey(data.rows, 'stageId');
    expect(rows[stages.Proposal as string]).toEqual({
      stageId: stages.Proposal,
      deals: 2,
      total: eur('3500.5'), // 2000 + 1500.50, exactly
      avgProbability: '50',
      lastClose: '2026-01-20',
    });
    // Qualified mixes currencies: one amount per currency.
    expect(rows[stages.Qualified as string]).toMatchObject({
      deals: 3,
      total: [eur('10999'), { amount: '100', currency: 'USD' }],
      lastClose: '2026-06-01',
    });
    expect(rows[stages['Closed Won'] as string]).toMatchObject({ deals: 2, total: eur('3250.25') });
    expect(data.columns.map((c: Row) => [c.name, c.role, c.type])).toEqual([
      ['stageId', 'group', 'select'],
      ['deals', 'measure', 'number'],
      ['total', 'measure', 'money'],
      ['avgProbability', 'measure', 'decimal'],
      ['lastClose', 'measure', 'date'],
    ]);
    expect(data.columns[0].labels[stages.Proposal as string]).toBe('Proposal');
    expect(data.truncated).toBe(false);
  });

  it('buckets dates by month, week, quarter and year; two groups; sort and limit', async () => {
    const month = await run(admin, {
      object: 'opportunities',
      groupBy: [{ field: 'expectedCloseDate', bucket: 'month' }],
      measures: [{ op: 'count', as: 'n' }],
    });
    expect(month.data.rows).toEqual([
      { expectedCloseDate: '2026-01-01', n: 5 },
      { expectedCloseDate: '2026-02-01', n: 2 },
      { expectedCloseDate: '2026-03-01', n: 1 },
      { expectedCloseDate: '2026-06-01', n: 1 },
    ]);
    const week = await run(admin, {
      object: 'opportunities',
      filter: { field: 'name', op: 'eq', value: 'O1' },
      groupBy: [{ field: 'expectedCloseDate', bucket: 'week' }],
      measures: [{ op: 'count', as: 'n' }],
    });
    // 2026-01-10 is a Saturday: its week starts on Monday 2026-01-05.
    expect(week.data.rows).toEqual([{ expectedCloseDate: '2026-01-05', n: 1 }]);
    const quarter = await run(admin, {
      object: 'opportunities',
      groupBy: [{ field: 'expectedCloseDate', bucket: 'quarter' }],
      measures: [{ op: 'count', as: 'n' }],
    });
    expect(quarter.data.rows).toEqual([
      { expectedCloseDate: '2026-01-01', n: 8 },
      { expectedCloseDate: '2026-04-01', n: 1 },
    ]);
    const two = await run(admin, {
      object: 'opportunities',
      groupBy: [{ field: 'ownerId' }, { field: 'expectedCloseDate', bucket: 'year' }],
      measures: [
        { op: 'count', as: 'n' },
        { op: 'sum', field: 'amount', as: 'total' },
      ],
      sort: [{ by: 'n', dir: 'desc' }],
      limit: 1,
    });
    expect(two.data.rows).toEqual([
      {
        ownerId: admin.userId,
        expectedCloseDate: '2026-01-01',
        n: 7,
        total: [eur('20499'), { amount: '100', currency: 'USD' }],
      },
    ]);
    expect(two.data.truncated).toBe(true);
    expect(two.data.columns[0].labels[admin.userId]).toBeTruthy();
  });

  it('buckets date-times in the asked time zone; distinct counts, min and max; relation filters one hop', async () => {
    const zone = 'Pacific/Kiritimati'; // UTC+14: often already tomorrow
    const body = (timeZone?: string) => ({
      object: 'opportunities',
      groupBy: [{ field: 'createdAt', bucket: 'day' }],
      measures: [{ op: 'count', as: 'n' }],
      ...(timeZone ? { timeZone } : {}),
    });
    const utc = await run(admin, body());
    const local = await run(admin, body(zone));
    const created = (await client(t, admin).get('/api/v1/opportunities?limit=1&fields=createdAt')).json().data[0]
      .createdAt;
    const dayIn = (tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date(created));
    expect(utc.data.rows).toEqual([{ createdAt: dayIn('UTC'), n: 9 }]);
    expect(local.data.rows).toEqual([{ createdAt: dayIn(zone), n: 9 }]);

    const stats = await run(admin, {
      object: 'opportunities',
      measures: [
        { op: 'countDistinct', field: 'stageId', as: 'stages' },
        { op: 'countDistinct', field: 'ownerId', as: 'owners' },
        { op: 'min', field: 'amount', as: 'smallest' },
        { op: 'max', field: 'probability', as: 'surest' },
        { op: 'count', field: 'lostReason', as: 'withReason' },
      ],
    });
    expect(stats.data.rows).toEqual([
      {
        stages: 5,
        owners: 2,
        smallest: [eur('250.25'), { amount: '100', currency: 'USD' }],
        surest: '100',
        withReason: 1,
      },
    ]);

    const account = await client(t, admin).create('/api/v1/accounts', { name: 'Bank', industry: 'banking' });
    const banked = await client(t, admin).create('/api/v1/opportunities', {
      name: 'Banked',
      accountId: account.id,
      amount: eur('42'),
      expectedCloseDate: '2027-01-01',
    });
    const banks = await run(admin, {
      object: 'opportunities',
      filter: { field: 'account.industry', op: 'eq', value: 'banking' },
      groupBy: [{ field: 'accountId' }],
      measures: [{ op: 'sum', field: 'amount', as: 'total' }],
    });
    expect(banks.data.rows).toEqual([{ accountId: account.id, total: eur('42') }]);
    expect(banks.data.columns[0].labels).toEqual({ [account.id]: 'Bank' });
    // The rep reads neither the account nor the opportunity: nothing.
    const repBanks = await run(rep, {
      object: 'opportunities',
      filter: { field: 'account.industry', op: 'eq', value: 'banking' },
      measures: [{ op: 'count', as: 'n' }],
    });
    expect(repBanks.data.rows).toEqual([{ n: 0 }]);
    // Trashed again: the figures of the other tests stay as computed.
    expect((await client(t, admin).del(`/api/v1/opportunities/${banked.id}`)).statusCode).toBe(204);
  });

  it('a sales rep’s report counts only what the rep may read; another workspace sees nothing', async () => {
    const body = {
      object: 'opportunities',
      groupBy: [{ field: 'stageId' }],
      measures: [
        { op: 'count', as: 'n' },
        { op: 'sum', field: 'amount', as: 'total' },
      ],
    };
    const mine = await run(rep, body);
    expect(mine.data.rows).toEqual(
      [
        { stageId: stages.Proposal, n: 1, total: eur('1500.5') },
        { stageId: stages['Closed Won'], n: 1, total: eur('250.25') },
      ].sort((a, b) => String(a.stageId).localeCompare(String(b.stageId))),
    );
    const all = await run(admin, { object: 'opportunities', measures: [{ op: 'count', as: 'n' }] });
    expect(all.data.rows).toEqual([{ n: 9 }]);
    const reps = await run(rep, { object: 'opportunities', measures: [{ op: 'count', as: 'n' }] });
    expect(reps.data.rows).toEqual([{ n: 2 }]);
    const outsider = await run(other, { object: 'opportunities', measures: [{ op: 'count', as: 'n' }] });
    expect(outsider.data.rows).toEqual([{ n: 0 }]);
  });

  it('hidden fields can be neither grouped, measured nor filtered on (422 naming the field)', async () => {
    const role = await client(t, admin).post('/api/v1/roles', {
      key: 'amount_blind',
      name: 'Amount blind',
      permissions: {
        objects: {
          '*': { read: true, scope: 'all' },
          opportunities: { fields: { amount: 'hidden', forecastCategory: 'hidden' } },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const blind = await memberWithRole(t, admin.workspaceId, 'amount_blind');
    const cases: [unknown, string][] = [
      [
        { object: 'opportunities', groupBy: [{ field: 'forecastCategory' }], measures: [{ op: 'count', as: 'n' }] },
        'groupBy.0.field',
      ],
      [{ object: 'opportunities', measures: [{ op: 'sum', field: 'amount', as: 's' }] }, 'measures.0.field'],
      [
        {
          object: 'opportunities',
          filter: { field: 'amount', op: 'gt', value: 1 },
          measures: [{ op: 'count', as: 'n' }],
        },
        'filter.field',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await client(t, blind).post('/api/v1/reports/run', body);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    // The same report works for the blind role without the hidden fields.
    const ok = await run(blind, { object: 'opportunities', measures: [{ op: 'count', as: 'n' }] });
    expect(ok.data.rows).toEqual([{ n: 9 }]);
  });

  it('bad input gets a 422 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ object: 'nope', measures: [{ op: 'count', as: 'n' }] }, 'object'],
      [{ object: 'opportunities', measures: [{ op: 'sum', field: 'name', as: 's' }] }, 'measures.0.field'],
      [{ object: 'opportunities', measures: [{ op: 'avg', field: 'nope', as: 's' }] }, 'measures.0.field'],
      [{ object: 'opportunities', measures: [{ op: 'sum', as: 's' }] }, 'measures.0.field'],
      [{ object: 'opportunities', measures: [{ op: 'median', field: 'amount', as: 's' }] }, 'measures.0.op'],
      [
        {
          object: 'opportunities',
          groupBy: [{ field: 'stageId', bucket: 'month' }],
          measures: [{ op: 'count', as: 'n' }],
        },
        'groupBy.0.bucket',
      ],
      [
        {
          object: 'opportunities',
          groupBy: [{ field: 'expectedCloseDate', bucket: 'decade' }],
          measures: [{ op: 'count', as: 'n' }],
        },
        'groupBy.0.bucket',
      ],
      [
        {
          object: 'opportunities',
          groupBy: [{ field: 'stageId' }, { field: 'ownerId' }, { field: 'status' }],
          measures: [{ op: 'count', as: 'n' }],
        },
        'groupBy',
      ],
      [
        { object: 'opportunities', groupBy: [{ field: 'description' }], measures: [{ op: 'count', as: 'n' }] },
        'groupBy.0.field',
      ],
      [
        {
          object: 'opportunities',
          measures: [
            { op: 'count', as: 'n' },
            { op: 'count', as: 'n' },
          ],
        },
        'measures.1.as',
      ],
      [{ object: 'opportunities', measures: [{ op: 'count', as: 'n' }], sort: [{ by: 'x', dir: 'asc' }] }, 'sort.0.by'],
      [{ object: 'opportunities', measures: [{ op: 'count', as: 'n' }], timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ object: 'opportunities', measures: [{ op: 'count', as: 'n' }], limit: 0 }, 'limit'],
      [{ object: 'opportunities', measures: [] }, 'measures'],
      [{ object: 'opportunities', measures: [{ op: 'count', as: '1bad name' }] }, 'measures.0.as'],
      [
        {
          object: 'opportunities',
          filter: { field: 'amount', op: 'contains', value: 'x' },
          measures: [{ op: 'count', as: 'n' }],
        },
        'filter.op',
      ],
      [
        {
          object: 'opportunities',
          measures: [
            { op: 'sum', field: 'amount', as: 'a' },
            { op: 'sum', field: 'probability', as: 'p' },
            { op: 'countDistinct', field: 'amount', as: 'd' },
          ],
        },
        'measures.2.field',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await client(t, admin).post('/api/v1/reports/run', body);
      expect(res.statusCode, `${JSON.stringify(body)} ${res.body}`).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('sorts by a money measure and groups by yes/no and text fields; junk never gets a 5xx', async () => {
    const top = await run(admin, {
      object: 'opportunities',
      groupBy: [{ field: 'name' }],
      measures: [{ op: 'sum', field: 'amount', as: 'total' }],
      sort: [{ by: 'total', dir: 'desc' }],
      limit: 2,
    });
    expect(top.data.rows).toEqual([
      { name: 'O6 later', total: eur('9999') },
      { name: 'O3', total: eur('4000') },
    ]);
    await client(t, admin).create('/api/v1/contacts', { lastName: 'Quiet', doNotContact: true });
    await client(t, admin).create('/api/v1/contacts', { lastName: 'Chatty', doNotContact: false });
    const contacts = await run(admin, {
      object: 'contacts',
      groupBy: [{ field: 'doNotContact' }],
      measures: [{ op: 'count', as: 'n' }],
    });
    expect(contacts.data.rows).toEqual([
      { doNotContact: false, n: 1 },
      { doNotContact: true, n: 1 },
    ]);
    expect(contacts.data.columns[0].labels).toEqual({ true: 'Yes', false: 'No' });
    const junk: unknown[] = [
      null,
      [],
      'x',
      { object: 'opportunities' },
      { object: 'opportunities', measures: [{ op: 'count' }] },
      { object: 'opportunities', measures: [{ op: 'count', as: 'n' }], groupBy: 'stageId' },
      { object: 'opportunities', measures: [{ op: 'count', as: 'n' }], groupBy: [{ field: '' }] },
      { object: 'opportunities', measures: [{ op: 'count', as: 'n' }], groupBy: [{ field: 'amount.amount' }] },
      { object: 'opportunities', measures: [{ op: 'max', field: 'amount.currency', as: 'n' }] },
      {
        object: 'opportunities',
        measures: [{ op: 'count', as: 'n' }],
        filter: { field: 'stageId', op: 'eq', value: [1] },
      },
      { object: 'opportunities', measures: [{ op: 'count', as: 'n' }], sort: [{ by: 'n' }] },
      { object: 'opportunities', measures: [{ op: 'count', as: 'n' }], timeZone: "UTC'; drop table x; --" },
    ];
    for (const body of junk) {
      const res = await client(t, admin).post('/api/v1/reports/run', body);
      expect(res.statusCode, `${JSON.stringify(body)} ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${JSON.stringify(body)} ${res.body}`).toBeLessThan(500);
    }
  });

  it('returns the same report as CSV (formulas neutralised) and XLSX (number and date cells); export permission applies', async () => {
    const body = {
      object: 'opportunities',
      filter: { field: 'expectedCloseDate', op: 'lte', value: '2026-01-31' },
      groupBy: [{ field: 'name' }],
      measures: [{ op: 'sum', field: 'amount', as: 'total' }],
    };
    const csv = await client(t, admin).post('/api/v1/reports/run?format=csv', body);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('.csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Name,Sum of amount,Sum of amount currency');
    expect(lines).toContain(`"'=SUM(A1)",100,USD`);
    expect(lines).toContain('R1,1500.5,EUR');

    const xlsx = await client(t, admin).call('POST', '/api/v1/reports/run?format=xlsx', {
      object: 'opportunities',
      groupBy: [{ field: 'expectedCloseDate', bucket: 'month' }],
      measures: [
        { op: 'count', as: 'n' },
        { op: 'sum', field: 'amount', as: 'total' },
      ],
      filter: { field: 'amount.currency', op: 'eq', value: 'EUR' },
    });
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const files = unzipSync(new Uint8Array(xlsx.rawPayload));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml'] as Uint8Array);
    // 2026-02-01 is day 46054 of the spreadsheet calendar; 4000 + 3000 = 7000 in February.
    expect(sheet).toContain('<c r="A3" s="1"><v>46054</v></c><c r="B3"><v>2</v></c><c r="C3"><v>7000</v></c>');
    expect(sheet).toContain('<t xml:space="preserve">Expected close</t>');
    expect(files['xl/workbook.xml']).toBeDefined();

    // A sales rep has no export permission: no file.
    const denied = await client(t, rep).post('/api/v1/reports/run?format=csv', body);
    expect(denied.statusCode, denied.body).toBe(403);
  });

  it('saved reports are private or shared, always run with the viewer’s permissions; dashboards hold them', async () => {
    const definition = {
      object: 'opportunities',
      groupBy: [{ field: 'status' }],
      measures: [{ op: 'count', as: 'n' }],
    };
    const shared = await client(t, admin).create('/api/v1/reports', {
      name: 'Deals by status',
      visibility: 'workspace',
      definition,
      chart: { type: 'bar', measure: 'n' },
    });
    const secret = await client(t, admin).create('/api/v1/reports', { name: 'Private', definition });
    expect(secret.visibility).toBe('private');

    const list = await client(t, rep).get('/api/v1/reports');
    expect(list.json().data.map((r: Row) => r.name)).toEqual(['Deals by status']);
    expect((await client(t, rep).get(`/api/v1/reports/${secret.id}`)).statusCode).toBe(404);

    const asAdmin = await client(t, admin).post(`/api/v1/reports/${shared.id}/run`);
    expect(byKey(asAdmin.json().data.rows, 'status')).toMatchObject({ open: { n: 6 }, won: { n: 2 }, lost: { n: 1 } });
    const asRep = await client(t, rep).post(`/api/v1/reports/${shared.id}/run`);
    expect(asRep.json().data.rows).toEqual([
      { status: 'open', n: 1 },
      { status: 'won', n: 1 },
    ]);

    expect((await client(t, rep).patch(`/api/v1/reports/${shared.id}`, { name: 'Mine now' })).statusCode).toBe(403);
    const bad = await client(t, admin).post('/api/v1/reports', {
      name: 'Bad',
      definition: { object: 'opportunities', measures: [{ op: 'sum', field: 'name', as: 's' }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('definition.measures.0.field');

    const dash = await client(t, admin).create('/api/v1/dashboards', {
      name: 'Sales',
      visibility: 'workspace',
      widgets: [{ reportId: shared.id, width: 6 }],
    });
    expect((await client(t, rep).get(`/api/v1/dashboards/${dash.id}`)).json().data.widgets).toEqual([
      { reportId: shared.id, width: 6 },
    ]);
    const missing = await client(t, admin).post('/api/v1/dashboards', {
      name: 'Broken',
      widgets: [{ reportId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0].path).toBe('widgets.0.reportId');
    expect((await client(t, admin).del(`/api/v1/reports/${secret.id}`)).statusCode).toBe(204);
    expect((await client(t, admin).get(`/api/v1/reports/${secret.id}`)).statusCode).toBe(404);
  });

  it('forecasts closed, commit, best case, pipeline and weighted by hand-computed figures, per owner and per reader', async () => {
    // Quotas: Q1 for the rep and the administrator; a Q2 quota stays out of a Q1 forecast.
    const quota = (userId: string, from: string, to: string, amount: string) =>
      client(t, admin).put('/api/v1/quotas', { userId, from, to, amount: { amount, currency: 'EUR' } });
    expect((await quota(rep.userId, '2026-01-01', '2026-03-31', '4000')).statusCode).toBe(200);
    const set = await quota(rep.userId, '2026-01-01', '2026-03-31', '5000'); // replaces the 4000
    expect(set.json().data).toMatchObject({
      userId: rep.userId,
      from: '2026-01-01',
      to: '2026-03-31',
      amount: eur('5000'),
    });
    expect((await quota(admin.userId, '2026-01-01', '2026-03-31', '10000')).statusCode).toBe(200);
    expect((await quota(rep.userId, '2026-04-01', '2026-06-30', '9000')).statusCode).toBe(200);
    expect((await client(t, admin).get('/api/v1/quotas?from=2026-01-01&to=2026-03-31')).json().data).toHaveLength(2);
    expect((await client(t, rep).get('/api/v1/quotas')).json().data.map((q: Row) => q.userId)).toEqual([
      rep.userId,
      rep.userId,
    ]);
    const repSets = await client(t, rep).put('/api/v1/quotas', {
      userId: rep.userId,
      from: '2026-01-01',
      to: '2026-03-31',
      amount: eur('1'),
    });
    expect(repSets.statusCode).toBe(403);
    for (const [body, path] of [
      [{ userId: rep.userId, from: '2026-02-01', to: '2026-01-01', amount: eur('1') }, 'to'],
      [{ userId: other.userId, from: '2026-01-01', to: '2026-01-31', amount: eur('1') }, 'userId'],
      [{ userId: rep.userId, from: '2026-01-01', to: '2026-01-31', amount: eur('-5') }, 'amount.amount'],
    ] as const) {
      const bad = await client(t, admin).put('/api/v1/quotas', body);
      expect(bad.statusCode, bad.body).toBe(422);
      expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }

    const res = await client(t, admin).get('/api/v1/forecast?from=2026-01-01&to=2026-03-31');
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json().data;
    // In range (EUR): O1 pipeline Qualified 1000 · O2 best case Proposal 2000 · O3 commit Negotiation 4000 ·
    // O4 closed Won 3000 · O5 omitted Lost 500 · R1 pipeline Proposal 1500.50 · R2 closed Won 250.25; and 100 USD.
    expect(f).toMatchObject({
      currency: 'EUR',
      count: 8,
      closed: eur('3250.25'), // 3000 + 250.25
      commit: eur('7250.25'), // closed + 4000
      bestCase: eur('9250.25'), // commit + 2000
      pipeline: eur('8500.5'), // 4000 + 2000 + 1000 + 1500.50
      weighted: eur('8200.5'), // 1000×.2 + 2000×.5 + 4000×.75 + 3000×1 + 500×0 + 1500.5×.5 + 250.25×1
      otherCurrencies: [{ amount: '100', currency: 'USD' }],
      quota: eur('15000'),
      attainment: '21.7', // 3250.25 ÷ 15000
    });
    expect(f.owners.find((o: Row) => o.ownerId === admin.userId)).toMatchObject({
      quota: eur('10000'),
      attainment: '30.0',
    });
    expect(f.categories).toMatchObject({ omitted: eur('500'), pipeline: eur('2500.5') });
    const repRow = f.owners.find((o: Row) => o.ownerId === rep.userId);
    expect(repRow).toMatchObject({
      name: 'Rita Rep',
      count: 2,
      closed: eur('250.25'),
      commit: eur('250.25'),
      bestCase: eur('250.25'),
      pipeline: eur('1500.5'),
      weighted: eur('1000.5'), // 1500.5×.5 + 250.25
      quota: eur('5000'),
      attainment: '5.0', // 250.25 ÷ 5000 = 5.005 %
    });

    const mine = await client(t, rep).get('/api/v1/forecast?from=2026-01-01&to=2026-03-31');
    expect(mine.json().data).toMatchObject({
      count: 2,
      closed: eur('250.25'),
      weighted: eur('1000.5'),
      otherCurrencies: [],
    });
    expect(mine.json().data.owners).toHaveLength(1);

    const usd = await client(t, admin).get('/api/v1/forecast?from=2026-01-01&to=2026-01-31&currency=USD');
    expect(usd.json().data).toMatchObject({
      currency: 'USD',
      pipeline: { amount: '100', currency: 'USD' },
      weighted: { amount: '20', currency: 'USD' },
    });

    // Without a range: the current calendar quarter.
    const quarter = (await client(t, admin).get('/api/v1/forecast')).json().data;
    expect(quarter.from).toMatch(/^\d{4}-(01|04|07|10)-01$/);
    expect(quarter.to).toMatch(/^\d{4}-(03-31|06-30|09-30|12-31)$/);

    for (const [q, path] of [
      ['from=2026-02-01&to=2026-01-01', 'to'],
      ['from=2026-13-01&to=2026-12-31', 'from'],
      ['from=2026-01-01&to=soon', 'to'],
    ] as const) {
      const bad = await client(t, admin).get(`/api/v1/forecast?${q}`);
      expect(bad.statusCode, bad.body).toBe(422);
      expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });
});
