import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { FakeTwilioCall, newAccountSid } from '../../../test/helpers/twilio-fake';

// Not https: the test client's session cookie is the non-Secure one.
const BASE = 'http://crm.example.com';

describe('queue overflow: past a queue’s size at once, past its longest wait through Twilio’s wait URL', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    t = await createTestApp({ baseUrl: BASE });
    admin = await signUp(t.app, { workspaceName: 'Busy Co' });
    api = client(t, admin);
  });
  afterAll(async () => {
    await t.stop();
  });

  const path = async (from: string) => {
    const filter = encodeURIComponent(JSON.stringify({ field: 'from', op: 'eq', value: from }));
    const [c] = (await api.get(`/api/v1/calls?filter=${filter}`)).json().data as Record<string, any>[];
    return (c?.ivrPath ?? []).map((s: { node: string; kind: string; digits?: string }) =>
      [s.node, s.kind, s.digits].filter(Boolean).join(':'),
    );
  };

  it('overflow needs somewhere to go: 422 naming the node’s overflow', async () => {
    const res = await api.post('/api/v1/telephony/flows', {
      name: 'No way out',
      definition: { start: 'q', nodes: [{ id: 'q', kind: 'queue', queue: 'sales', maxWaitSeconds: 60 }] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('definition.nodes.0.overflow');
  });

  it('a full queue sends the next caller to another queue; a long wait leaves for the overflow, then voicemail', async () => {
    const flow = await api.create('/api/v1/telephony/flows', {
      name: 'Sales with overflow',
      definition: {
        start: 'sales',
        nodes: [
          { id: 'sales', kind: 'queue', queue: 'sales', maxSize: 1, maxWaitSeconds: 60, overflow: 'backup' },
          {
            id: 'backup',
            kind: 'queue',
            queue: 'backup',
            maxWaitSeconds: 30,
            overflow: 'vm',
            hold: { say: 'Thank you for holding.' },
          },
          { id: 'vm', kind: 'voicemail', prompt: { say: 'Please leave a message.' }, creates: 'task' },
        ],
      },
    });
    const num = await api.create('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550191',
      accountSid: account.sid,
      authToken: account.authToken,
      flowId: flow.id,
    });
    const number = { ...num, phoneNumber: '+14155550191' };

    // The first caller waits in sales (Twilio will ask the wait URL).
    const first = new FakeTwilioCall(t, number, account, '+14155559201');
    const one = await first.ring();
    expect(one.response.Enqueue['#text']).toBe('sales');
    expect(one.waitUrl).toContain('step=wait');
    // Sales holds one caller: the second goes to backup at once.
    const second = new FakeTwilioCall(t, number, account, '+14155559202');
    const two = await second.ring();
    expect(two.response.Enqueue['#text']).toBe('backup');
    expect(await path('+14155559202')).toEqual(['sales:queue', 'sales:overflow:full', 'backup:queue']);

    // 20 s in: the wait URL holds on (silence until the next check), no <Leave/>.
    const holding = await first.waitInQueue(20);
    expect(holding.res.body).toMatch(/<Pause length="20"\/>/);
    expect(holding.response.Leave).toBeUndefined();
    // Past 60 s: <Leave/>, and Twilio's Enqueue action (QueueResult=leave) takes the caller to backup.
    const leaving = await first.waitInQueue(61);
    expect(leaving.res.body).toContain('<Leave/>');
    const moved = await first.leaveQueue('leave', 61);
    expect(moved.response.Enqueue['#text']).toBe('backup');
    expect(await path('+14155559201')).toEqual([
      'sales:queue',
      'sales:dequeued:leave',
      'sales:overflow:wait',
      'backup:queue',
    ]);

    // Backup plays its hold message while the caller waits; past 30 s, voicemail.
    const held = await second.waitInQueue(10);
    expect(held.res.body).toMatch(/<Say>Thank you for holding\.<\/Say><Pause length="20"\/>/);
    expect((await second.waitInQueue(31)).res.body).toContain('<Leave/>');
    const vm = await second.leaveQueue('leave', 31);
    expect(vm.response.Record).toBeDefined();
    expect((await path('+14155559202')).slice(-3)).toEqual([
      'backup:dequeued:leave',
      'backup:overflow:wait',
      'vm:voicemail',
    ]);

    // A caller who hangs up while waiting is not sent anywhere.
    const third = new FakeTwilioCall(t, number, account, '+14155559203');
    await third.ring();
    const gone = await third.leaveQueue('hangup', 5);
    expect(gone.res.body).toContain('<Hangup/>');
  });

  it('hold music without a maximum wait: the hold prompt again each time Twilio asks, never a <Leave/>', async () => {
    const flow = await api.create('/api/v1/telephony/flows', {
      name: 'Support with music',
      definition: {
        start: 'support',
        nodes: [
          { id: 'support', kind: 'queue', queue: 'support', hold: { playUrl: 'https://cdn.example.com/music.mp3' } },
        ],
      },
    });
    const num = await api.create('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550192',
      accountSid: account.sid,
      authToken: account.authToken,
      flowId: flow.id,
    });
    const caller = new FakeTwilioCall(t, { ...num, phoneNumber: '+14155550192' }, account, '+14155559301');
    const queued = await caller.ring();
    expect(queued.response.Enqueue['#text']).toBe('support');
    expect(queued.waitUrl).toContain('step=wait');
    for (const waited of [0, 600, 3600]) {
      const music = await caller.waitInQueue(waited);
      expect(music.res.body).toMatch(/<Response><Play>https:\/\/cdn\.example\.com\/music\.mp3<\/Play><\/Response>$/);
    }
    // Neither a hold prompt nor a limit: no wait URL, so Twilio plays its own music.
    const saved = await api.put(`/api/v1/telephony/flows/${flow.id}`, {
      name: 'Support, plain',
      definition: { start: 'plain', nodes: [{ id: 'plain', kind: 'queue', queue: 'plain' }] },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const plain = await new FakeTwilioCall(t, { ...num, phoneNumber: '+14155550192' }, account, '+14155559302').ring();
    expect(plain.response.Enqueue['#text']).toBe('plain');
    expect(plain.waitUrl).toBeUndefined();
  });
});

describe('call scripts: the queue’s script in the screen-pop of the agent a call reaches', () => {
  let t: TestApp;
  let admin: SignedUp;
  const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    t = await createTestApp({ baseUrl: BASE });
    admin = await signUp(t.app, { workspaceName: 'Script Co' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('shows the routing queue node’s script, as saved in the flow version the call took', async () => {
    const api = client(t, admin);
    const script = 'Greet the caller by name.\nAsk for the order number.';
    const flow = await api.create('/api/v1/telephony/flows', {
      name: 'Scripted support',
      definition: { start: 'support', nodes: [{ id: 'support', kind: 'queue', queue: 'support', script }] },
    });
    await api.create('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550192',
      accountSid: account.sid,
      authToken: account.authToken,
      flowId: flow.id,
    });
    const agent = await memberWithRole(t, admin.workspaceId, 'service_rep');
    const ready = await client(t, agent).put('/api/v1/telephony/agents/me', {
      status: 'available',
      phone: '+12025550031',
    });
    expect(ready.statusCode, ready.body).toBe(200);
    const numbers = (await api.get('/api/v1/telephony/numbers')).json().data as Record<string, any>[];
    const num = numbers.find((n) => n.phoneNumber === '+14155550192');
    const call = new FakeTwilioCall(t, num as never, account, '+14155559301');
    expect((await call.ring()).response.Dial['#text']).toBe('+12025550031');
    // A later version of the flow changes the script; the call keeps the one it took.
    await api.put(`/api/v1/telephony/flows/${flow.id}`, {
      name: 'Scripted support',
      definition: { start: 'support', nodes: [{ id: 'support', kind: 'queue', queue: 'support', script: 'New' }] },
    });
    const filter = encodeURIComponent(JSON.stringify({ field: 'from', op: 'eq', value: '+14155559301' }));
    const [rec] = (await api.get(`/api/v1/calls?filter=${filter}`)).json().data as Record<string, any>[];
    const pop = await client(t, agent).get(`/api/v1/calls/${rec?.id}/screen-pop`);
    expect(pop.statusCode, pop.body).toBe(200);
    expect(pop.json().data.script).toBe(script);
  });
});
