import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact, buildOpportunity, buildTicket } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { FakeTwilioCall, newAccountSid, postLikeTwilio, readTwiml } from '../../../test/helpers/twilio-fake';

// Not https: the test client's session cookie is the non-Secure one.
const BASE = 'http://crm.example.com';
type Num = { id: string; voiceUrl: string; statusCallbackUrl: string; phoneNumber: string };

/** Sets up a number answering with a new flow made of `nodes`. */
async function numberWithFlow(
  api: HttpClient,
  account: { sid: string; authToken: string },
  phone: string,
  nodes: unknown[],
) {
  const flow = await api.create('/api/v1/telephony/flows', {
    name: `Flow ${phone}`,
    definition: { start: (nodes[0] as { id: string }).id, nodes },
  });
  const num = await api.create('/api/v1/telephony/numbers', {
    provider: 'twilio',
    phoneNumber: phone,
    accountSid: account.sid,
    authToken: account.authToken,
    flowId: flow.id,
  });
  return { ...(num as Num), phoneNumber: phone };
}

const pathOf = (call: Record<string, any>) =>
  ((call.ivrPath ?? []) as { node: string; kind: string; digits?: string }[]).map((s) =>
    [s.node, s.kind, s.digits].filter(Boolean).join(':'),
  );

describe('IVR lookup: VIP callers straight to their account owner, else the queue', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let owner: { cookie: string; userId: string };
  let num: Num;
  const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    t = await createTestApp({ baseUrl: BASE });
    admin = await signUp(t.app, { workspaceName: 'VIP Co' });
    api = client(t, admin);
    owner = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Olivia Owner');
    num = await numberWithFlow(api, account, '+14155550171', [
      {
        id: 'lookup',
        kind: 'lookup',
        greeting: 'Hello {{name}}.',
        known: 'support',
        unknown: 'support',
        vipTag: 'VIP',
      },
      { id: 'support', kind: 'queue', queue: 'support' },
    ]);
  });
  afterAll(() => t.stop());

  const callFrom = async (from: string) => {
    const filter = encodeURIComponent(JSON.stringify({ field: 'from', op: 'eq', value: from }));
    return (await api.get(`/api/v1/calls?filter=${filter}&sort=-createdAt`)).json().data[0] as Record<string, any>;
  };
  const ownerStatus = async () =>
    ((await api.get('/api/v1/telephony/agents')).json().data as { userId: string; status: string }[]).find(
      (a) => a.userId === owner.userId,
    )?.status;

  it('greets by name and dials the owner of a VIP account; unavailable or unanswered, the queue', async () => {
    const vipAccount = await buildAccount(api, { name: 'Big Co', tags: ['vip'], ownerId: owner.userId });
    await buildContact(api, { firstName: 'Ada', lastName: 'Big', phone: '+12025550601', accountId: vipAccount.id });
    // Same owner, no tag: not a VIP.
    const plain = await buildAccount(api, { name: 'Small Co', ownerId: owner.userId });
    await buildContact(api, { firstName: 'Bob', lastName: 'Small', phone: '+12025550602', accountId: plain.id });
    // The owner takes sales calls only: a VIP reaches them anyway, the support queue does not.
    const ready = await client(t, owner).put('/api/v1/telephony/agents/me', {
      status: 'available',
      phone: '+12025550699',
      skills: ['sales'],
    });
    expect(ready.statusCode, ready.body).toBe(200);

    // 1. The VIP calls: their name, then the owner's phone, with Twilio's <Dial action> to come back to.
    const first = new FakeTwilioCall(t, num, account, '+12025550601');
    const rang = await first.ring();
    expect(rang.res.headers['content-type']).toMatch(/^text\/xml/);
    expect(rang.res.body).toMatch(
      /<Say>Hello Ada\.<\/Say><Dial action="[^"]+step=owner[^"]*" method="POST">\+12025550699<\/Dial>/,
    );
    expect(rang.response.Enqueue).toBeUndefined();
    const c1 = await callFrom('+12025550601');
    expect(c1).toMatchObject({ agentId: owner.userId, accountId: vipAccount.id });
    expect(pathOf(c1)).toEqual(['lookup:lookup', 'lookup:vip-owner']);
    expect(await ownerStatus()).toBe('busy');
    // The owner's desktop gets the screen-pop (the call is theirs).
    const pop = await client(t, owner).get(`/api/v1/calls/${c1.id}/screen-pop`);
    expect(pop.statusCode, pop.body).toBe(200);
    expect(pop.json().data.account).toMatchObject({ id: vipAccount.id, name: 'Big Co' });
    // They answered: when the <Dial> ends, so does the call.
    const action = rang.response.Dial['@_action'] as string;
    const done = await postLikeTwilio(t, account.authToken, action, {
      ...first.params,
      CallStatus: 'in-progress',
      DialCallStatus: 'completed',
      DialCallDuration: '118',
    });
    expect(readTwiml(done).response.Hangup).toBeDefined();
    await first.hangUp(120);
    expect(await ownerStatus()).toBe('wrap_up');

    // 2. The owner is wrapping up: the VIP is greeted and goes to the queue like anyone.
    const second = new FakeTwilioCall(t, num, account, '+12025550601');
    const queued = await second.ring();
    expect(queued.res.body).toContain('<Say>Hello Ada.</Say>');
    expect(queued.response.Enqueue['#text']).toBe('support');
    expect(queued.response.Dial).toBeUndefined();
    expect(pathOf(await callFrom('+12025550601'))).toEqual([
      'lookup:lookup',
      'lookup:vip-owner-unavailable',
      'support:queue',
    ]);

    // 3. Not a VIP (no tag), though the same owner is available: the queue, not the owner.
    await client(t, owner).put('/api/v1/telephony/agents/me', { status: 'available' });
    const bob = new FakeTwilioCall(t, num, account, '+12025550602');
    const bobAnswer = await bob.ring();
    expect(bobAnswer.res.body).toContain('<Say>Hello Bob.</Say>');
    expect(bobAnswer.response.Enqueue['#text']).toBe('support');
    expect(pathOf(await callFrom('+12025550602'))).toEqual(['lookup:lookup', 'support:queue']);

    // 4. The VIP again; the owner does not pick up: the queue, the call has no agent, the owner is offline.
    const third = new FakeTwilioCall(t, num, account, '+12025550601');
    const dialled = await third.ring();
    expect(dialled.response.Dial['#text']).toBe('+12025550699');
    const missed = await postLikeTwilio(t, account.authToken, dialled.response.Dial['@_action'], {
      ...third.params,
      CallStatus: 'in-progress',
      DialCallStatus: 'no-answer',
      DialCallDuration: '0',
    });
    expect(readTwiml(missed).response.Enqueue['#text']).toBe('support');
    const c3 = await callFrom('+12025550601');
    expect(c3.agentId).toBeNull();
    expect(c3.queue).toBe('support');
    expect(pathOf(c3)).toEqual(['lookup:lookup', 'lookup:vip-owner', 'lookup:owner-result:no-answer', 'support:queue']);
    expect(await ownerStatus()).toBe('offline');
  });

  it('the VIP tag is checked on save like the rest of the node', async () => {
    const res = await api.post('/api/v1/telephony/flows', {
      name: 'Bad VIP',
      definition: {
        start: 'l',
        nodes: [
          { id: 'l', kind: 'lookup', known: 'h', unknown: 'h', vipTag: '' },
          { id: 'h', kind: 'hangup' },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('definition.nodes.0.vipTag');
  });
});

describe('IVR self-service answers: a field of the caller’s record said with <Say>', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    t = await createTestApp({ baseUrl: BASE });
    admin = await signUp(t.app, { workspaceName: 'Orders Co' });
    api = client(t, admin);
  });
  afterAll(() => t.stop());

  const answer = (over: Record<string, unknown> = {}) => ({
    id: 'status',
    kind: 'answer',
    object: 'opportunities',
    field: 'stageId',
    filter: { field: 'status', op: 'eq', value: 'open' },
    say: 'Your order is at the {{value}} stage, {{name}}.',
    missing: 'We found no open order for your number.',
    next: 'bye',
    ...over,
  });

  it('says the newest open opportunity’s stage and its date; a ticket’s status label; the missing text otherwise', async () => {
    const pipelines = (await api.get('/api/v1/pipelines')).json().data as {
      stages: { id: string; name: string }[];
    }[];
    const stages = Object.fromEntries((pipelines[0]?.stages ?? []).map((s) => [s.name, s.id]));
    const acme = await buildAccount(api, { name: 'Acme' });
    const cy = await buildContact(api, {
      firstName: 'Cy',
      lastName: 'Acme',
      phone: '+12025550701',
      accountId: acme.id,
    });
    await buildOpportunity(api, {
      name: 'Order 17',
      accountId: acme.id,
      stageId: stages.Qualified,
      expectedCloseDate: '2031-06-30',
    });
    // Newer, but won: the filter leaves it out.
    await buildOpportunity(api, { name: 'Order 18', accountId: acme.id, stageId: stages['Closed Won'] });
    await buildTicket(api, { subject: 'Where is it?', contactId: cy.id, status: 'pending' });
    const num = await numberWithFlow(api, account, '+14155550172', [
      answer({ next: 'eta' }),
      answer({
        id: 'eta',
        field: 'expectedCloseDate',
        say: 'It should arrive on {{value}}.',
        language: 'en-US',
        next: 'ticket',
      }),
      answer({
        id: 'ticket',
        object: 'tickets',
        field: 'status',
        filter: undefined,
        say: 'Your latest ticket is {{value}}.',
        missing: 'You have no ticket.',
        next: 'bye',
      }),
      { id: 'bye', kind: 'hangup', prompt: { say: 'Goodbye.' } },
    ]);
    const call = new FakeTwilioCall(t, num, account, '+12025550701');
    const said = await call.ring();
    expect(said.res.statusCode).toBe(200);
    expect(said.res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Say>Your order is at the Qualified stage, Cy.</Say>' +
        '<Say language="en-US">It should arrive on June 30, 2031.</Say>' +
        '<Say>Your latest ticket is Pending (on customer).</Say>' +
        '<Say>Goodbye.</Say><Hangup/></Response>',
    );
    const filter = encodeURIComponent(JSON.stringify({ field: 'from', op: 'eq', value: '+12025550701' }));
    const [rec] = (await api.get(`/api/v1/calls?filter=${filter}`)).json().data as Record<string, any>[];
    expect(pathOf(rec as Record<string, any>)).toEqual([
      'status:answer',
      'status:answered',
      'eta:answer',
      'eta:answered',
      'ticket:answer',
      'ticket:answered',
      'bye:hangup',
    ]);

    // An unknown number hears the missing texts.
    const stranger = await new FakeTwilioCall(t, num, account, '+12025550799').ring();
    expect(stranger.res.body).toContain('<Say>We found no open order for your number.</Say>');
    expect(stranger.res.body).toContain('<Say>You have no ticket.</Say>');
    expect(stranger.res.body).not.toContain('Qualified');
  });

  it('checks the node on save: 422 naming the object, the field or the filter', async () => {
    const save = (node: Record<string, unknown>) =>
      api.post('/api/v1/telephony/flows', {
        name: 'Answers',
        definition: { start: 'status', nodes: [answer(node), { id: 'bye', kind: 'hangup' }] },
      });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ object: 'widgets' }, 'definition.nodes.0.object', /names no object/],
      [{ object: 'products', field: 'name', filter: undefined }, 'definition.nodes.0.object', /not related/],
      [{ field: 'nope' }, 'definition.nodes.0.field', /names no field/],
      [{ field: 'accountId' }, 'definition.nodes.0.field', /cannot be said/],
      // The editor does not offer it; the API refuses it all the same.
      [{ object: 'contacts', field: 'birthday', filter: undefined }, 'definition.nodes.0.field', /is sensitive/],
      [{ filter: { field: 'nope', op: 'eq', value: 1 } }, 'definition.nodes.0.filter', /./],
      [{ sort: '-nope' }, 'definition.nodes.0.sort', /./],
    ];
    for (const [node, path, message] of cases) {
      const res = await save(node);
      expect(res.statusCode, JSON.stringify(node)).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const err = (res.json().errors as { path: string; message: string }[]).find((e) => e.path.startsWith(path));
      expect(err, `${JSON.stringify(node)} → ${res.body}`).toBeDefined();
      expect(err?.message).toMatch(message);
    }
  });
});

describe('queue statistics per day: stored, recounted idempotently, for whoever reads every call', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let clock = new Date();
  const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await createTestApp({ baseUrl: BASE }, { clock: () => clock });
    admin = await signUp(t.app, { workspaceName: 'Stats Co' });
    api = client(t, admin);
  });
  afterAll(() => t.stop());

  it('counts answered, abandoned, wait and handle time per day and queue; a recount gives the same figures', async () => {
    const num = await numberWithFlow(api, account, '+14155550173', [
      { id: 'support', kind: 'queue', queue: 'support' },
    ]);
    const agent = await memberWithRole(t, admin.workspaceId, 'service_rep');
    await client(t, agent).put('/api/v1/telephony/agents/me', { status: 'available', phone: '+12025550801' });
    const at = (iso: string) => {
      clock = new Date(iso);
    };

    // Yesterday noon: one call straight to the agent (100 s), one waiting 40 s then hanging up.
    at(`${yesterday}T12:00:00.000Z`);
    const answered = new FakeTwilioCall(t, num, account, '+12025550811');
    expect((await answered.ring()).response.Dial['#text']).toBe('+12025550801');
    const waiting = new FakeTwilioCall(t, num, account, '+12025550812');
    expect((await waiting.ring()).response.Enqueue['#text']).toBe('support');
    at(`${yesterday}T12:00:40.000Z`);
    await waiting.leaveQueue('hangup', 40);
    await waiting.hangUp(40);
    at(`${yesterday}T12:01:40.000Z`);
    await answered.hangUp(100);
    // Today: a caller gives up after 10 s (the agent is wrapping up).
    at(`${today}T00:00:30.000Z`);
    const gaveUp = new FakeTwilioCall(t, num, account, '+12025550813');
    expect((await gaveUp.ring()).response.Enqueue['#text']).toBe('support');
    at(`${today}T00:00:40.000Z`);
    await gaveUp.hangUp(10);

    const expected = [
      {
        day: yesterday,
        queue: 'support',
        offered: 2,
        answered: 1,
        abandoned: 1,
        averageWaitSeconds: 20,
        averageHandleSeconds: 100,
      },
      {
        day: today,
        queue: 'support',
        offered: 1,
        answered: 0,
        abandoned: 1,
        averageWaitSeconds: 10,
        averageHandleSeconds: null,
      },
    ];
    const read = async () => {
      const res = await api.get(`/api/v1/telephony/queues/daily?from=${yesterday}&to=${today}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    // Kept current by the status callbacks alone.
    const stored = await read();
    expect(stored).toMatchObject({ from: yesterday, to: today, data: expected });
    // The live figures count today the same way.
    const live = (await api.get('/api/v1/telephony/queues/stats')).json().data;
    expect(live.find((s: { queue: string }) => s.queue === 'support')).toMatchObject({
      waiting: 0,
      answeredToday: 0,
      abandonedToday: 1,
      averageWaitSecondsToday: 10,
    });

    // Recounting changes nothing; a damaged or lost row is restored by the recount and the nightly job.
    const again = await api.post('/api/v1/telephony/queues/daily/recount', { from: yesterday, to: today });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().data).toEqual({ from: yesterday, to: today, rows: 2 });
    expect((await read()).data).toMatchObject(expected);
    await t.database.tenant(admin.workspaceId, (tx) =>
      sql`update telephony_queue_days set offered = 99, answered = 0 where day = ${yesterday}::date`.execute(tx),
    );
    expect((await read()).data[0].offered).toBe(99);
    await api.post('/api/v1/telephony/queues/daily/recount', { from: yesterday, to: yesterday });
    expect((await read()).data).toMatchObject(expected);
    await t.database.tenant(admin.workspaceId, (tx) => sql`delete from telephony_queue_days`.execute(tx));
    expect((await read()).data).toEqual([]);
    expect(await t.modules.telephony.recountQueueDays(clock)).toBe(2);
    expect((await read()).data).toMatchObject(expected);
    // One queue only.
    const one = await api.get(`/api/v1/telephony/queues/daily?from=${yesterday}&to=${today}&queue=sales`);
    expect(one.json().data).toEqual([]);

    // The same figures on the service dashboard (the reports), newest day first.
    const dashboard = await api.get(`/api/v1/dashboards/standard/service?from=${yesterday}&to=${today}`);
    expect(dashboard.statusCode, dashboard.body).toBe(200);
    const panel = (dashboard.json().data.panels as { key: string; result: Record<string, any> }[]).find(
      (p) => p.key === 'callsByQueueDay',
    );
    expect(panel?.result.columns.map((c: { name: string }) => c.name)).toEqual([
      'day',
      'queue',
      'offered',
      'answered',
      'abandoned',
      'averageWaitSeconds',
      'averageHandleSeconds',
    ]);
    expect(panel?.result.rows).toEqual([...expected].reverse());
    expect(panel?.result.truncated).toBe(false);
    // Only the period asked for.
    const todayOnly = await api.get(`/api/v1/dashboards/standard/service?from=${today}&to=${today}`);
    expect(
      todayOnly.json().data.panels.find((p: { key: string }) => p.key === 'callsByQueueDay').result.rows,
    ).toMatchObject([{ day: today, abandoned: 1 }]);
  });

  it('refuses bad periods (422 naming the field) and callers who do not read every call (403)', async () => {
    const backwards = await api.get(`/api/v1/telephony/queues/daily?from=${today}&to=${yesterday}`);
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors[0].path).toBe('to');
    const notADate = await api.get('/api/v1/telephony/queues/daily?from=yesterday');
    expect(notADate.statusCode).toBe(422);
    expect(notADate.json().errors[0].path).toBe('from');
    const tooLong = await api.post('/api/v1/telephony/queues/daily/recount', { from: '2020-01-01', to: today });
    expect(tooLong.statusCode).toBe(422);
    // A sales rep reads their own calls only: the workspace's figures are not theirs to see.
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    const denied = await client(t, rep).get('/api/v1/telephony/queues/daily');
    expect(denied.statusCode).toBe(403);
    expect(
      (await client(t, rep).post('/api/v1/telephony/queues/daily/recount', { from: today, to: today })).statusCode,
    ).toBe(403);
    // A marketing manager reads every call: allowed to read, not to recount.
    const marketing = await memberWithRole(t, admin.workspaceId, 'marketing_manager');
    expect((await client(t, marketing).get('/api/v1/telephony/queues/daily')).statusCode).toBe(200);

    // The service dashboard follows the same rule: the rep gets the rest of it, the panel named hidden.
    const service = async (who: { cookie: string }) => {
      const res = await client(t, who).get(`/api/v1/dashboards/standard/service?from=${yesterday}&to=${today}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json().data as { panels: { key: string; result: { rows: unknown[] } }[]; hidden: string[] };
      return { panel: body.panels.find((p) => p.key === 'callsByQueueDay'), hidden: body.hidden };
    };
    const repView = await service(rep);
    expect(repView.panel).toBeUndefined();
    expect(repView.hidden).toContain('callsByQueueDay');
    const marketingView = await service(marketing);
    expect(marketingView.hidden).not.toContain('callsByQueueDay');
    expect(marketingView.panel?.result.rows.length).toBeGreaterThan(0);
    // A role that does not read calls at all gets the dashboard without it (not a 403 for the whole dashboard).
    const role = await api.post('/api/v1/roles', {
      key: 'no_calls',
      name: 'No calls',
      permissions: { objects: { '*': { read: true, scope: 'all' }, calls: { read: false } } },
    });
    expect(role.statusCode, role.body).toBe(201);
    const noCalls = await memberWithRole(t, admin.workspaceId, 'no_calls');
    expect((await client(t, noCalls).get('/api/v1/telephony/queues/daily')).statusCode).toBe(403);
    const noCallsView = await service(noCalls);
    expect(noCallsView.panel).toBeUndefined();
    expect(noCallsView.hidden).toContain('callsByQueueDay');
  });
});
