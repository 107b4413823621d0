import { strFromU8, unzipSync } from 'fflate';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';

const toText = (m: ParsedMail) => (m.to && 'text' in m.to ? m.to.text : '');

describe('reports: weekly forecast snapshots and scheduled delivery by email', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let admin: SignedUp;
  let rep: Member;
  let stages: Record<string, string>;
  let repDeal: string;
  const eur = (amount: string) => ({ amount, currency: 'EUR' });

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ smtpUrl: smtp.url });
    admin = await signUp(t.app, { workspaceName: 'Delivery Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rory Rep');
    const pipelines = await client(t, admin).get('/api/v1/pipelines');
    stages = Object.fromEntries(
      pipelines.json().data[0].stages.map((s: { name: string; id: string }) => [s.name, s.id]),
    );
    const res = await client(t, admin).post('/api/v1/opportunities/batch', {
      mode: 'create',
      atomic: true,
      records: [
        { name: 'Admin deal', stageId: stages.Proposal, amount: eur('7000'), expectedCloseDate: '2026-11-10' },
        {
          name: 'Rep deal',
          stageId: stages.Proposal,
          amount: eur('1500'),
          expectedCloseDate: '2026-11-20',
          ownerId: rep.userId,
          forecastCategory: 'best_case',
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    repDeal = res.json().data[1].id;
  });
  afterAll(async () => {
    await t.stop();
    await smtp.close();
  });

  it('a weekly snapshot per owner shows how the forecast changed; a rep sees only their own', async () => {
    // Two Mondays in Q4 2026; between them the rep commits their deal.
    expect(await t.modules.reports.snapshot(new Date('2026-11-02T06:00:00Z'))).toBeGreaterThan(0);
    expect(
      (await client(t, rep).patch(`/api/v1/opportunities/${repDeal}`, { forecastCategory: 'commit' })).statusCode,
    ).toBe(200);
    await t.modules.reports.snapshot(new Date('2026-11-09T06:00:00Z'));
    await t.modules.reports.snapshot(new Date('2026-11-09T07:00:00Z')); // the same day again: replaces, not adds

    const q4 = '/api/v1/forecast/history?from=2026-10-01&to=2026-12-31';
    let res = await client(t, admin).get(q4);
    expect(res.statusCode, res.body).toBe(200);
    const points = res.json().data.points as Record<string, unknown>[];
    const of = (owner: string) => points.filter((p) => p.ownerId === owner);
    expect(of(rep.userId).map((p) => [p.takenOn, p.commit, p.bestCase, p.weighted])).toEqual([
      ['2026-11-02', eur('0'), eur('1500'), eur('750')],
      ['2026-11-09', eur('1500'), eur('1500'), eur('750')],
    ]);
    expect(of(admin.userId).map((p) => [p.takenOn, p.pipeline, p.name])).toEqual([
      ['2026-11-02', eur('7000'), 'Test User'],
      ['2026-11-09', eur('7000'), 'Test User'],
    ]);
    res = await client(t, rep).get(q4);
    expect(new Set(res.json().data.points.map((p: { ownerId: string }) => p.ownerId))).toEqual(new Set([rep.userId]));
    // Another quarter has its own snapshots (the next quarter's is taken too, empty here).
    res = await client(t, admin).get('/api/v1/forecast/history?from=2026-07-01&to=2026-09-30');
    expect(res.json().data.points).toEqual([]);
    res = await client(t, admin).get('/api/v1/forecast/history?from=2026-12-31&to=2026-10-01');
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('to');
  });

  it('mails a report weekly as its owner: the summary and the XLSX, to members only, through the job queue', async () => {
    const repApi = client(t, rep);
    const report = await repApi.create('/api/v1/reports', {
      name: 'My pipeline',
      definition: {
        object: 'opportunities',
        groupBy: [{ field: 'stageId' }],
        measures: [
          { op: 'count', as: 'deals' },
          { op: 'sum', field: 'amount', as: 'amount' },
        ],
      },
    });
    // Bad input: someone outside the workspace, a report the owner cannot read.
    const outsider = await signUp(t.app, { workspaceName: 'Elsewhere' });
    let res = await repApi.post('/api/v1/report-schedules', {
      name: 'Weekly',
      target: { kind: 'report', id: report.id },
      frequency: 'weekly',
      recipients: [rep.userId, outsider.userId],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('recipients.1');
    const adminPrivate = await client(t, admin).create('/api/v1/reports', {
      name: 'Admin only',
      definition: { object: 'opportunities', measures: [{ op: 'count', as: 'n' }] },
    });
    res = await repApi.post('/api/v1/report-schedules', {
      name: 'Sneaky',
      target: { kind: 'report', id: adminPrivate.id },
      frequency: 'daily',
      recipients: [rep.userId],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('target.id');
    res = await repApi.post('/api/v1/report-schedules', {
      name: 'Hourly',
      target: { kind: 'report', id: report.id },
      frequency: 'hourly',
      recipients: [rep.userId],
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('frequency');

    res = await repApi.post('/api/v1/report-schedules', {
      name: 'Weekly pipeline',
      target: { kind: 'report', id: report.id },
      frequency: 'weekly',
      recipients: [rep.userId, admin.userId],
    });
    expect(res.statusCode, res.body).toBe(201);
    const schedule = res.json().data;
    const next = new Date(schedule.nextRunAt);
    expect(next.getUTCDay()).toBe(1); // a Monday
    expect(next.getUTCHours()).toBe(7);

    // Not due yet: nothing; due: one delivery job, once however often the sweep runs.
    expect(await t.modules.reports.sweepSchedules(new Date(next.getTime() - 60_000))).toBe(0);
    const at = new Date(next.getTime() + 60_000);
    expect(await t.modules.reports.sweepSchedules(at)).toBe(1);
    expect(await t.modules.reports.sweepSchedules(at)).toBe(0);
    await t.jobs.runDue({ queues: ['reports.deliver'] });
    await t.mail.runOnce();

    // The admin receives what the rep's permissions show: the rep's deal only.
    const mail = await smtp.waitForMail(
      (m) => m.subject === 'My pipeline — weekly report' && toText(m).includes(admin.email),
    );
    expect(mail.html).toContain('Proposal');
    expect(mail.html).toContain('1500 EUR');
    expect(mail.html).not.toContain('7000');
    expect(mail.text).toContain('Proposal | 1 | 1500 EUR');
    const file = mail.attachments[0];
    expect(file?.filename).toMatch(/^My-pipeline-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(file?.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const sheet = strFromU8(
      unzipSync(new Uint8Array(file?.content as Buffer))['xl/worksheets/sheet1.xml'] as Uint8Array,
    );
    expect(sheet).toContain('<v>1500</v>'); // a number cell
    expect(sheet).not.toContain('7000');
    await smtp.waitForMail((m) => m.subject === 'My pipeline — weekly report' && toText(m).includes(rep.email));

    const list = (await repApi.get('/api/v1/report-schedules')).json().data;
    expect(list).toHaveLength(1);
    expect(list[0].lastRunAt).not.toBeNull();
    expect(Date.parse(list[0].nextRunAt)).toBeGreaterThan(at.getTime());
    // The admin sees it too, and can stop it; the outsider's workspace sees nothing.
    expect((await client(t, outsider).del(`/api/v1/report-schedules/${schedule.id}`)).statusCode).toBe(404);
    expect((await client(t, admin).del(`/api/v1/report-schedules/${schedule.id}`)).statusCode).toBe(204);
    expect((await repApi.get('/api/v1/report-schedules')).json().data).toEqual([]);
  });

  it('sends a standard dashboard now: numbers and panels in the mail, one sheet per panel', async () => {
    const api = client(t, admin);
    const res = await api.post('/api/v1/report-schedules', {
      name: 'Forecast monthly',
      target: { kind: 'standard', id: 'forecast' },
      frequency: 'monthly',
      recipients: [admin.userId],
    });
    expect(res.statusCode, res.body).toBe(201);
    const schedule = res.json().data;
    expect(new Date(schedule.nextRunAt).getUTCDate()).toBe(1);
    expect((await api.post(`/api/v1/report-schedules/${schedule.id}/send`, {})).statusCode).toBe(202);
    await t.jobs.runDue({ queues: ['reports.deliver'] });
    await t.mail.runOnce();
    const mail = await smtp.waitForMail((m) => m.subject === 'Forecast dashboard — monthly report');
    expect(mail.html).toContain('Weighted pipeline');
    expect(mail.html).toContain('Forecast by rep');
    const book = unzipSync(new Uint8Array(mail.attachments[0]?.content as Buffer));
    const workbook = strFromU8(book['xl/workbook.xml'] as Uint8Array);
    expect(workbook).toContain('name="Summary"');
    expect(workbook).toContain('name="Forecast by rep"');
    expect(Object.keys(book).filter((k) => k.startsWith('xl/worksheets/'))).toHaveLength(4);
  });
});
