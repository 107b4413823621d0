import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildTicket } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { FakeTwilioCall, newAccountSid, postLikeTwilio, readTwiml } from '../../../test/helpers/twilio-fake';

const BASE = 'http://localhost:3000';
const account = { sid: newAccountSid(), authToken: 'agents-test-token-0123456789abcdef' };

function messages(socket: WebSocket) {
  const got: Record<string, any>[] = [];
  socket.on('message', (d) => got.push(JSON.parse(String(d))));
  return {
    got,
    async next(type: string, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = got.findIndex((m) => m.type === type);
        if (i >= 0) return got.splice(i, 1)[0] as Record<string, any>;
        if (Date.now() > deadline) throw new Error(`no "${type}" message within ${ms} ms (got ${JSON.stringify(got)})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('contact centre: agents, presence, longest-idle routing, screen-pop, queue statistics', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let first: { cookie: string; userId: string };
  let second: { cookie: string; userId: string };
  let num: { id: string; voiceUrl: string; statusCallbackUrl: string; phoneNumber: string };
  let base = '';

  beforeAll(async () => {
    t = await createTestApp({ baseUrl: BASE });
    admin = await signUp(t.app, { workspaceName: 'Agents Co' });
    api = client(t, admin);
    first = await memberWithRole(t, admin.workspaceId, 'service_rep');
    second = await memberWithRole(t, admin.workspaceId, 'service_rep');
    const res = await api.post('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550150',
      accountSid: account.sid,
      authToken: account.authToken,
    });
    num = { ...res.json().data, phoneNumber: '+14155550150' };
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.stop());

  it('presence: set by the agent (calls: update), needs a phone to be available; listed for readers', async () => {
    const agent = client(t, second);
    const noPhone = await agent.put('/api/v1/telephony/agents/me', { status: 'available' });
    expect(noPhone.statusCode).toBe(422);
    expect(noPhone.json().errors[0].path).toBe('phone');
    // The second agent becomes available first: idle longest.
    const on = await agent.put('/api/v1/telephony/agents/me', {
      status: 'available',
      phone: '+12025550002',
      skills: ['support'],
    });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json().data).toMatchObject({ status: 'available', phone: '+12025550002', skills: ['support'] });
    await client(t, first).put('/api/v1/telephony/agents/me', { status: 'available', phone: '+12025550001' });
    const analyst = await memberWithRole(t, admin.workspaceId, 'data_analyst');
    expect(
      (await client(t, analyst).put('/api/v1/telephony/agents/me', { status: 'available', phone: '+12025550003' }))
        .statusCode,
    ).toBe(403);
    const listed = (await client(t, analyst).get('/api/v1/telephony/agents')).json().data;
    expect(listed.map((a: { userId: string }) => a.userId).sort()).toEqual([first.userId, second.userId].sort());
  });

  it('routes a queued call to the longest-idle agent with the skill, pushes the screen-pop to that agent only, then the next agent, then the queue', async () => {
    const ada = await buildContact(api, { firstName: 'Ada', lastName: 'Byron', phone: '+1 202 555 0177' });
    const ticket = await buildTicket(api, { subject: 'Broken widget', contactId: ada.id });
    const connect = (cookie: string) =>
      new Promise<{ socket: WebSocket; m: ReturnType<typeof messages> }>((resolve, reject) => {
        const s = new WebSocket(`${base.replace('http', 'ws')}/api/v1/notifications/stream`, { headers: { cookie } });
        const m = messages(s);
        s.once('open', () => resolve({ socket: s, m }));
        s.once('error', reject);
      });
    const secondDesk = await connect(second.cookie);
    const firstDesk = await connect(first.cookie);
    try {
      await secondDesk.m.next('hello');
      await firstDesk.m.next('hello');
      const call = new FakeTwilioCall(t, num, account, '+12025550177');
      await call.ring();
      const routed = await call.press('2');
      const dialled = routed.response.Dial;
      expect(dialled['#text']).toBe('+12025550002');
      expect(dialled['@_action']).toContain('step=agent');
      const started = Date.now();
      const pop = (await secondDesk.m.next('screen_pop')).pop;
      console.info(`screen-pop received ${Date.now() - started} ms after the routing answer`);
      expect(pop).toMatchObject({
        call: { from: '+12025550177', callerName: 'Ada Byron', queue: 'support' },
        contact: { id: ada.id, name: 'Ada Byron' },
        unknownCaller: false,
      });
      expect(pop.openTickets.map((x: { id: string }) => x.id)).toEqual([ticket.id]);
      expect(pop.call.ivrPath.map((s: { kind: string }) => s.kind)).toContain('agent');
      // The same screen-pop on request, for the agent only.
      expect((await client(t, second).get(`/api/v1/calls/${pop.call.id}/screen-pop`)).statusCode).toBe(200);
      expect((await client(t, first).get(`/api/v1/calls/${pop.call.id}/screen-pop`)).statusCode).toBe(404);

      // The second agent is busy now: the next call goes to the first (no skills: every queue); an unknown caller.
      const next = new FakeTwilioCall(t, num, account, '+12025550178');
      await next.ring();
      expect((await next.press('2')).response.Dial['#text']).toBe('+12025550001');
      const unknown = (await firstDesk.m.next('screen_pop')).pop;
      expect(unknown).toMatchObject({ contact: null, unknownCaller: true, call: { from: '+12025550178' } });
      expect(secondDesk.m.got.filter((x) => x.type === 'screen_pop')).toHaveLength(0);

      // Nobody free: the queue, counted as waiting.
      const third = new FakeTwilioCall(t, num, account, '+12025550179');
      await third.ring();
      expect((await third.press('2')).response.Enqueue['#text']).toBe('support');
      const stats = (await api.get('/api/v1/telephony/queues/stats')).json().data;
      expect(stats.find((s: { queue: string }) => s.queue === 'support')).toMatchObject({
        waiting: 1,
        agentsAvailable: 0,
      });

      // The first call ends: its agent wraps up (disposition and notes on the call), then is available again.
      await call.hangUp(95);
      const agents = (await api.get('/api/v1/telephony/agents')).json().data;
      expect(agents.find((a: { userId: string }) => a.userId === second.userId)?.status).toBe('wrap_up');
      // A wrap-up with a bad follow-up writes nothing: 422 naming the field.
      const bad = await client(t, second).post(`/api/v1/calls/${pop.call.id}/wrap-up`, {
        disposition: 'resolved',
        followUp: { title: ' ' },
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors[0].path).toBe('followUp.title');
      expect((await api.get(`/api/v1/calls/${pop.call.id}`)).json().data.disposition).toBeNull();
      const wrap = await client(t, second).post(`/api/v1/calls/${pop.call.id}/wrap-up`, {
        disposition: 'follow_up',
        notes: 'Sent a new widget',
        followUp: { title: 'Check the new widget works', dueAt: '2030-01-15T09:00:00Z' },
      });
      expect(wrap.statusCode, wrap.body).toBe(200);
      const call2 = (await api.get(`/api/v1/calls/${pop.call.id}`)).json().data;
      expect(call2).toMatchObject({ agentId: second.userId, durationSeconds: 95, disposition: 'follow_up' });
      // The follow-up task is the agent's, on Ada's record (her timeline shows it).
      const task = (await api.get(`/api/v1/tasks/${wrap.json().data.taskId}`)).json().data;
      expect(task).toMatchObject({
        title: 'Check the new widget works',
        assigneeId: second.userId,
        relatedObject: 'contacts',
        relatedId: ada.id,
        dueAt: '2030-01-15T09:00:00.000Z',
      });
      const timeline = (await api.get(`/api/v1/contacts/${ada.id}/timeline`)).body;
      expect(timeline).toContain('Check the new widget works');
      // The agent is available again without another step.
      const me = (await client(t, second).get('/api/v1/telephony/agents')).json().data;
      expect(me.find((a: { userId: string }) => a.userId === second.userId)).toMatchObject({
        status: 'available',
        callId: null,
      });
      // Handle time: the call's 95 s less the IVR before it reached the agent (the greeting and menu).
      const reached = call2.ivrPath.find((s: { kind: string }) => s.kind === 'agent').at as string;
      const ivrSeconds = Math.floor((Date.parse(reached) - Date.parse(call2.startedAt)) / 1000);
      const after = (await api.get('/api/v1/telephony/queues/stats')).json().data;
      expect(after.find((s: { queue: string }) => s.queue === 'support')).toMatchObject({
        answeredToday: 1,
        averageHandleSecondsToday: 95 - ivrSeconds,
        agentsAvailable: 1,
      });
    } finally {
      secondDesk.socket.terminate();
      firstDesk.socket.terminate();
    }
  });

  it('an agent who does not answer: the caller goes to the queue', async () => {
    const call = new FakeTwilioCall(t, num, account, '+12025550180');
    await call.ring();
    const routed = await call.press('2');
    const action = routed.response.Dial?.['@_action'] as string;
    expect(action).toContain('step=agent');
    const res = await postLikeTwilio(t, account.authToken, action, {
      ...call.params,
      CallStatus: 'in-progress',
      DialCallStatus: 'no-answer',
      DialCallDuration: '0',
    });
    expect(readTwiml(res).response.Enqueue['#text']).toBe('support');
  });
});

describe('agent priority: administrators order agents; routing offers the best priority first, then the longest idle', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  const prio = { sid: newAccountSid(), authToken: 'priority-test-token-0123456789abcdef' };

  beforeAll(async () => {
    t = await createTestApp({ baseUrl: BASE });
    admin = await signUp(t.app, { workspaceName: 'Priority Co' });
    api = client(t, admin);
  });
  afterAll(() => t.stop());

  it('a backup agent idle longest waits for the primary; busy primary: the backup; bad input 422, others 403/404', async () => {
    const num = {
      ...(await api.create('/api/v1/telephony/numbers', {
        provider: 'twilio',
        phoneNumber: '+14155550151',
        accountSid: prio.sid,
        authToken: prio.authToken,
      })),
      phoneNumber: '+14155550151',
    } as { id: string; voiceUrl: string; statusCallbackUrl: string; phoneNumber: string };
    const backup = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Bea Backup');
    const primary = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Pia Primary');
    // Priorities are set before the agents ever set a presence (offline until they do).
    const set = await api.patch(`/api/v1/telephony/agents/${backup.userId}`, { priority: 5 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().data).toMatchObject({ userId: backup.userId, status: 'offline', priority: 5, skills: [] });
    // The backup is available first: idle longest, but priority 5 against the primary's default 1.
    await client(t, backup).put('/api/v1/telephony/agents/me', { status: 'available', phone: '+12025550011' });
    await client(t, primary).put('/api/v1/telephony/agents/me', { status: 'available', phone: '+12025550012' });
    const listed = (await api.get('/api/v1/telephony/agents')).json().data as { userId: string; priority: number }[];
    expect(Object.fromEntries(listed.map((a) => [a.userId, a.priority]))).toEqual({
      [backup.userId]: 5,
      [primary.userId]: 1,
    });

    const first = new FakeTwilioCall(t, num, prio, '+12025550021');
    await first.ring();
    expect((await first.press('2')).response.Dial['#text']).toBe('+12025550012');
    // The primary is busy: the next caller reaches the backup.
    const second = new FakeTwilioCall(t, num, prio, '+12025550022');
    await second.ring();
    expect((await second.press('2')).response.Dial['#text']).toBe('+12025550011');

    // Only administrators set priorities; 1 to 9; members of this workspace only.
    expect(
      (await client(t, primary).patch(`/api/v1/telephony/agents/${primary.userId}`, { priority: 1 })).statusCode,
    ).toBe(403);
    const zero = await api.patch(`/api/v1/telephony/agents/${backup.userId}`, { priority: 0 });
    expect(zero.statusCode).toBe(422);
    expect(zero.json().errors[0].path).toBe('priority');
    expect((await api.patch(`/api/v1/telephony/agents/${crypto.randomUUID()}`, { priority: 2 })).statusCode).toBe(404);
    // Agents set their presence, phone and queues, not their priority.
    expect(
      (await client(t, backup).put('/api/v1/telephony/agents/me', { status: 'available', priority: 1 })).statusCode,
    ).toBe(422);
  });
});
