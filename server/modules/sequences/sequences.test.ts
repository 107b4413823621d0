import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildInteraction, buildLead, buildMeeting } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';
import { WorkflowRunner } from '../workflows/workflow-runner';

const DAY = 86_400_000;

describe('nurture sequences: enrolment, durable steps as campaign email, exits, moves', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let smtp: SmtpSink;
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ smtpUrl: smtp.url, mailDomain: 'mail.example.test' }, { clock });
    admin = await signUp(t.app, { workspaceName: 'Nurture Co', name: 'Nora Nurture' });
    api = client(t, admin.cookie);
  });
  afterAll(async () => {
    await t.stop();
    await smtp.close();
  });

  /** Events delivered, due steps run and the outbox sent, until nothing moves. */
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await t.events.drain();
      await t.modules.workflows.runner.drain();
    }
    while ((await t.mail.runOnce(100)) > 0) {}
  };
  const mailTo = (address: string, subject?: string) =>
    smtp.messages.filter(
      (m) =>
        m.to &&
        JSON.stringify(m.to).includes(address) &&
        (subject === undefined || (m.subject ?? '').startsWith(subject)),
    );
  const grant = async (id: string, status: 'granted' | 'withdrawn' = 'granted') => {
    const res = await api.post(`/api/v1/leads/${id}/consents`, { purpose: 'marketing_email', status });
    expect(res.statusCode, res.body).toBe(201);
  };
  const template = async (name: string, subject: string) => {
    const res = await api.post('/api/v1/mail/templates', {
      name,
      subject,
      html: `<p>Hello {{ lead.firstName | default: "there" }}</p><p><a href="https://example.com/guide">The guide</a></p>`,
      text: 'Hello {{ lead.firstName | default: "there" }}',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data.id as string;
  };
  const enrolments = async (sequenceId: string) =>
    (await api.get(`/api/v1/sequences/${sequenceId}/enrolments`)).json().data as {
      id: string;
      recordId: string;
      status: string;
      via: string;
      exitReason: string | null;
      currentStep: { stepId: string; type: string } | null;
    }[];
  const enrolmentOf = async (sequenceId: string, recordId: string) =>
    (await enrolments(sequenceId)).find((e) => e.recordId === recordId);

  let welcomeTpl = '';
  let followTpl = '';
  let welcome: { id: string; campaignId: string; workflowId: string };

  it('creates a sequence (POST /api/v1/sequences) with its own email campaign; bad steps are a 422 naming the step', async () => {
    welcomeTpl = await template('Welcome', 'Welcome aboard');
    followTpl = await template('Follow-up', 'Still curious?');
    const steps = [
      { id: 'welcome', type: 'campaign_email', templateId: welcomeTpl },
      { id: 'pause', type: 'wait', amount: 2, unit: 'days' },
      {
        id: 'hot',
        type: 'branch',
        condition: { field: 'company', op: 'eq', value: 'Engaged Ltd' },
        yes: [{ id: 'call', type: 'create_task', title: 'Call {{ record.lastName }}', dueInDays: 1 }],
        no: [{ id: 'follow', type: 'campaign_email', templateId: followTpl }],
      },
    ];
    const bad = await api.post('/api/v1/sequences', {
      name: 'Broken',
      object: 'leads',
      steps: [{ id: 'x', type: 'campaign_email', templateId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('steps.0.templateId');
    const noSegment = await api.post('/api/v1/sequences', {
      name: 'No segment',
      object: 'leads',
      enrolment: { segmentId: '00000000-0000-4000-8000-000000000000' },
      steps,
    });
    expect(noSegment.statusCode).toBe(422);
    expect(noSegment.json().errors[0].path).toBe('enrolment.segmentId');
    // Nothing half-made: no campaign, workflow or sequence was left by the refused requests.
    expect((await api.get('/api/v1/sequences')).json().data).toEqual([]);

    const res = await api.post('/api/v1/sequences', {
      name: 'Welcome',
      object: 'leads',
      enrolment: { newRecords: true },
      steps,
      active: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    welcome = res.json().data;
    expect(res.json().data).toMatchObject({
      name: 'Welcome',
      object: 'leads',
      active: true,
      enrolment: { newRecords: true, segmentId: null },
      exitOn: ['replied', 'unsubscribed', 'meeting_booked', 'converted', 'left_segment'],
      counts: { active: 0, completed: 0, exited: 0 },
    });
    // Its emails belong to a new email campaign; its steps name that campaign.
    const campaign = await api.get(`/api/v1/campaigns/${welcome.campaignId}`);
    expect(campaign.json().data).toMatchObject({ name: 'Welcome (nurture)', type: 'email' });
    expect(res.json().data.steps[0]).toMatchObject({ type: 'campaign_email', campaignId: welcome.campaignId });
    // A sequence's workflow is not among the workspace's workflows.
    expect((await api.get('/api/v1/workflows')).json().data).toEqual([]);
  });

  const leads: Record<string, string> = {};

  it('enrols every new lead; the first email goes at once, exactly once, with one-click unsubscribe; no consent is a skip', async () => {
    const mk = async (key: string, fields: Record<string, unknown>, consent: boolean) => {
      leads[key] = (await buildLead(api, { lastName: key, email: `${key.toLowerCase()}@example.org`, ...fields })).id;
      if (consent) await grant(leads[key] as string);
    };
    await mk('Hot', { firstName: 'Hana', company: 'Engaged Ltd' }, true);
    await mk('Cold', { firstName: 'Carl', company: 'Quiet plc' }, true);
    await mk('Nope', { firstName: 'Nils' }, false);
    await settle();
    await settle(); // a second round changes nothing: every step ran once

    expect(mailTo('hot@example.org', 'Welcome aboard')).toHaveLength(1);
    expect(mailTo('cold@example.org', 'Welcome aboard')).toHaveLength(1);
    expect(mailTo('nope@example.org')).toHaveLength(0);
    const mail = mailTo('hot@example.org')[0];
    const line = mail?.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line ?? '';
    expect(line).toContain('List-Unsubscribe=One-Click');
    expect(mail?.messageId).toMatch(/@mail\.example\.test>$/);

    const list = await enrolments(welcome.id);
    expect(list.map((e) => [e.recordId, e.status, e.via]).sort()).toEqual(
      [
        [leads.Hot, 'active', 'new_record'],
        [leads.Cold, 'active', 'new_record'],
        [leads.Nope, 'active', 'new_record'],
      ].sort(),
    );
    for (const e of list) expect(e.currentStep).toMatchObject({ stepId: 'pause', type: 'wait' });
    // The skipped email says why, on the run's step log.
    const nope = list.find((e) => e.recordId === leads.Nope);
    const { rows } = await t.database.tenant(admin.workspaceId, (tx) =>
      sql<{ status: string; output: { reason?: string } }>`select s.status, s.output from workflow_run_steps s
        join sequence_enrolments e on e.run_id = s.run_id where e.id = ${nope?.id}::uuid and s.step_id = 'welcome'`.execute(
        tx,
      ),
    );
    expect(rows[0]).toMatchObject({ status: 'skipped', output: { reason: 'no_consent' } });
    // The campaign's results count the sequence's emails.
    const results = (await api.get(`/api/v1/campaigns/${welcome.campaignId}/results`)).json().data;
    expect(results.sent).toBe(2);
  });

  it('after the wait, branches on the record: a task for the hot lead, the follow-up for the others; then they finish', async () => {
    await settle();
    expect(mailTo('cold@example.org', 'Still curious?')).toHaveLength(0); // still waiting
    offsetMs += 2 * DAY + 60_000;
    await settle();
    expect(mailTo('cold@example.org', 'Still curious?')).toHaveLength(1);
    expect(mailTo('hot@example.org', 'Still curious?')).toHaveLength(0);
    const tasks = await api.get(
      `/api/v1/tasks?filter=${encodeURIComponent(JSON.stringify({ field: 'title', op: 'eq', value: 'Call Hot' }))}`,
    );
    expect(tasks.json().data).toHaveLength(1);
    const list = await enrolments(welcome.id);
    expect(list.every((e) => e.status === 'completed')).toBe(true);
    // A restarted server (a new runner over the same rows) finds nothing left to do.
    const before = smtp.messages.length;
    const restarted = new WorkflowRunner({
      database: t.database,
      records: t.records,
      log: t.app.log,
      webhooks: { send: async () => ({ status: 200, excerpt: null }) },
      now: clock,
    });
    await restarted.drain();
    while ((await t.mail.runOnce(100)) > 0) {}
    expect(smtp.messages.length).toBe(before);
  });

  it('takes people out when they unsubscribe, convert, book a meeting or reply — and nothing more is sent', async () => {
    const mk = async (key: string) => {
      leads[key] = (await buildLead(api, { lastName: key, email: `${key.toLowerCase()}@example.org` })).id;
      await grant(leads[key] as string);
    };
    for (const k of ['Unsub', 'Convert', 'Meet', 'Reply']) await mk(k);
    await settle();
    for (const k of ['Unsub', 'Convert', 'Meet', 'Reply'])
      expect(mailTo(`${k.toLowerCase()}@example.org`, 'Welcome aboard')).toHaveLength(1);

    await grant(leads.Unsub as string, 'withdrawn');
    const converted = await api.post(`/api/v1/leads/${leads.Convert}/convert`, {});
    expect(converted.statusCode, converted.body).toBeLessThan(300);
    await buildMeeting(api, {
      title: 'Demo',
      startAt: new Date(Date.now() + DAY).toISOString(),
      relatedObject: 'leads',
      relatedId: leads.Meet,
    });
    await buildInteraction(api, {
      channel: 'email',
      direction: 'inbound',
      topic: 'Re: Welcome aboard',
      relatedObject: 'leads',
      relatedId: leads.Reply,
    });
    await settle();
    const why = async (k: string) => {
      const e = await enrolmentOf(welcome.id, leads[k] as string);
      return [e?.status, e?.exitReason];
    };
    expect(await why('Unsub')).toEqual(['exited', 'unsubscribed from marketing email']);
    expect(await why('Convert')).toEqual(['exited', 'converted']);
    expect(await why('Meet')).toEqual(['exited', 'a meeting was booked']);
    expect(await why('Reply')).toEqual(['exited', 'replied by email']);
    offsetMs += 3 * DAY;
    await settle();
    for (const k of ['Unsub', 'Convert', 'Meet', 'Reply'])
      expect(mailTo(`${k.toLowerCase()}@example.org`, 'Still curious?')).toHaveLength(0);
  });

  let nurture: { id: string };

  it('enrols by hand (each person once), by a workflow step, and moves people to another sequence', async () => {
    const res = await api.post('/api/v1/sequences', {
      name: 'Long nurture',
      object: 'leads',
      steps: [{ id: 'n1', type: 'wait', amount: 30, unit: 'days' }],
      active: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    nurture = res.json().data;
    const lead = await buildLead(api, { lastName: 'ByHand' });
    await settle(); // the welcome sequence takes it in too (new lead)
    const enrol = await api.post(`/api/v1/sequences/${nurture.id}/enrolments`, { recordIds: [lead.id, lead.id] });
    expect(enrol.statusCode, enrol.body).toBe(200);
    expect(enrol.json().data).toEqual({ enrolled: 1, alreadyEnrolled: 0 });
    const again = await api.post(`/api/v1/sequences/${nurture.id}/enrolments`, { recordIds: [lead.id] });
    expect(again.json().data).toEqual({ enrolled: 0, alreadyEnrolled: 1 });
    const unknown = await api.post(`/api/v1/sequences/${nurture.id}/enrolments`, {
      recordIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].path).toBe('recordIds.0');

    // A sequence whose first step moves people on: they leave it, and nothing after runs.
    const mover = await api.post('/api/v1/sequences', {
      name: 'Mover',
      object: 'leads',
      steps: [
        { id: 'go', type: 'enroll_in_sequence', sequenceId: nurture.id, leaveCurrent: true },
        { id: 'never', type: 'create_task', title: 'Should not exist' },
      ],
      active: true,
    });
    expect(mover.statusCode, mover.body).toBe(201);
    const moved = await buildLead(api, { lastName: 'Moved' });
    expect(
      (await api.post(`/api/v1/sequences/${mover.json().data.id}/enrolments`, { recordIds: [moved.id] })).statusCode,
    ).toBe(200);
    await settle();
    expect(await enrolmentOf(mover.json().data.id, moved.id)).toMatchObject({
      status: 'exited',
      exitReason: 'moved to another sequence',
    });
    expect(await enrolmentOf(nurture.id, moved.id)).toMatchObject({ status: 'active', via: 'sequence' });
    const never = await api.get(
      `/api/v1/tasks?filter=${encodeURIComponent(JSON.stringify({ field: 'title', op: 'eq', value: 'Should not exist' }))}`,
    );
    expect(never.json().data).toEqual([]);

    // Enrolment by a workflow step.
    const flow = await api.post('/api/v1/workflows', {
      name: 'VIP leads into the long nurture',
      active: true,
      definition: {
        trigger: { type: 'record_created', object: 'leads' },
        conditions: { field: 'company', op: 'eq', value: 'VIP Inc' },
        steps: [{ id: 'enrol', type: 'enroll_in_sequence', sequenceId: nurture.id }],
      },
    });
    expect(flow.statusCode, flow.body).toBe(201);
    const vip = await buildLead(api, { lastName: 'Vip', company: 'VIP Inc' });
    await settle();
    expect(await enrolmentOf(nurture.id, vip.id)).toMatchObject({ status: 'active', via: 'workflow' });

    // Taken out by hand.
    const e = await enrolmentOf(nurture.id, vip.id);
    const out = await api.post(`/api/v1/sequences/${nurture.id}/enrolments/${e?.id}/exit`, {});
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json().data).toMatchObject({ status: 'exited', exitReason: 'removed by hand' });
    expect((await api.post(`/api/v1/sequences/${nurture.id}/enrolments/${e?.id}/exit`, {})).statusCode).toBe(409);
  });

  it('enrols a segment’s entrants and lets them go when they leave it', async () => {
    const seg = await api.post('/api/v1/segments', {
      name: 'Berlin leads',
      object: 'leads',
      filter: { field: 'company', op: 'eq', value: 'Berlin GmbH' },
    });
    expect(seg.statusCode, seg.body).toBe(201);
    // The segment's first look at who matches (its baseline) happens when its creation is consumed.
    await settle();
    const res = await api.post('/api/v1/sequences', {
      name: 'Berlin event',
      object: 'leads',
      enrolment: { segmentId: seg.json().data.id },
      steps: [{ id: 'w', type: 'wait', amount: 10, unit: 'days' }],
      active: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    const berlin = res.json().data.id;
    const lead = await buildLead(api, { lastName: 'Berliner', company: 'Berlin GmbH' });
    await settle();
    expect(await enrolmentOf(berlin, lead.id)).toMatchObject({ status: 'active', via: 'segment' });
    expect((await api.patch(`/api/v1/leads/${lead.id}`, { company: 'Hamburg AG' })).statusCode).toBe(200);
    await settle();
    expect(await enrolmentOf(berlin, lead.id)).toMatchObject({ status: 'exited', exitReason: 'left the segment' });
  });

  it('switching off stops new enrolments; only workflow managers see sequences', async () => {
    const off = await api.patch(`/api/v1/sequences/${welcome.id}`, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().data.active).toBe(false);
    const lead = await buildLead(api, { lastName: 'Late' });
    await settle();
    expect(await enrolmentOf(welcome.id, lead.id)).toBeUndefined();
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    const repApi = client(t, rep.cookie);
    expect((await repApi.get('/api/v1/sequences')).statusCode).toBe(403);
    expect((await repApi.post(`/api/v1/sequences/${welcome.id}/enrolments`, { recordIds: [lead.id] })).statusCode).toBe(
      403,
    );
  });
});
