import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vector from '../../../test/fixtures/twilio/signature-vector.json';
import voiceFixture from '../../../test/fixtures/twilio/voice-request.json';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import {
  FakeTwilioCall,
  FakeTwilioRest,
  newAccountSid,
  newCallSid,
  postLikeTwilio,
  readTwiml,
  signLikeTwilio,
} from '../../../test/helpers/twilio-fake';
import { twilioSignature, validTwilioSignature } from './twilio-signature';

// Not https: the test client's session cookie is the non-Secure one.
const BASE = 'http://crm.example.com';
const AUTH_TOKEN = 'f00dfeedcafe0123456789abcdef0123';
let phoneSeq = 100;
/** A fresh valid US number per number set up (+1 415 555 01xx). */
const nextPhone = () => `+1415555${String(phoneSeq++).padStart(4, '0')}`;

describe('Twilio request signatures', () => {
  it('match Twilio’s documented example (fixture) and nothing else', () => {
    expect(twilioSignature(vector.authToken, vector.url, vector.params)).toBe(vector.signature);
    expect(validTwilioSignature(vector.authToken, vector.signature, vector.url, vector.params)).toBe(true);
    expect(validTwilioSignature(vector.authToken, undefined, vector.url, vector.params)).toBe(false);
    expect(validTwilioSignature('54321', vector.signature, vector.url, vector.params)).toBe(false);
    expect(validTwilioSignature(vector.authToken, vector.signature, `${vector.url}&baz=3`, vector.params)).toBe(false);
    expect(
      validTwilioSignature(vector.authToken, vector.signature, vector.url, { ...vector.params, Digits: '1235' }),
    ).toBe(false);
    // The test fake signs independently of the server's code: the two agree.
    expect(signLikeTwilio(vector.authToken, vector.url, vector.params)).toBe(vector.signature);
  });
});

describe('contact centre: numbers, the IVR over Twilio’s webhooks, calls', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let rest: FakeTwilioRest;
  const account = { sid: newAccountSid(), authToken: AUTH_TOKEN };

  beforeAll(async () => {
    rest = new FakeTwilioRest(account);
    const twilioApiUrl = await rest.start();
    t = await createTestApp({ baseUrl: BASE, twilioApiUrl });
    admin = await signUp(t.app, { workspaceName: 'Phone Co' });
    api = client(t, admin);
  });
  afterAll(async () => {
    await t.stop();
    await rest.stop();
  });

  const addNumber = async (phoneNumber = nextPhone()) => {
    const res = await api.post('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber,
      accountSid: account.sid,
      authToken: account.authToken,
    });
    expect(res.statusCode, res.body).toBe(201);
    return { ...(res.json().data as { id: string; voiceUrl: string; statusCallbackUrl: string }), phoneNumber };
  };
  const callsFrom = async (from: string) =>
    (
      await api.get(
        `/api/v1/calls?filter=${encodeURIComponent(JSON.stringify({ field: 'from', op: 'eq', value: from }))}`,
      )
    ).json().data as Record<string, any>[];
  const callCount = async () =>
    (
      await t.database.tenant(admin.workspaceId, (tx) =>
        sql<{ n: number }>`select count(*)::int as n from calls`.execute(tx),
      )
    ).rows[0]?.n;

  it('adds a number: 201 with absolute webhook URLs under the base URL; the auth token is sealed and never returned', async () => {
    const res = await api.post('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550100',
      accountSid: account.sid,
      authToken: account.authToken,
    });
    expect(res.statusCode, res.body).toBe(201);
    const { data } = res.json();
    expect(data.voiceUrl).toBe(`${BASE}/api/v1/telephony/twilio/${data.id}/voice`);
    expect(data.statusCallbackUrl).toBe(`${BASE}/api/v1/telephony/twilio/${data.id}/status`);
    expect(res.body).not.toContain(account.authToken);
    expect((await api.get('/api/v1/telephony/numbers')).body).not.toContain(account.authToken);
    const stored = await t.database.system((tx) =>
      sql<{ auth_token: string }>`select auth_token from telephony_numbers where id = ${data.id}::uuid`.execute(tx),
    );
    expect(stored.rows[0]?.auth_token).toMatch(/^v1:/);
    expect(stored.rows[0]?.auth_token).not.toContain(account.authToken);
    // The same number twice, and bad input: 4xx naming the field.
    const again = await api.post('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550100',
      accountSid: account.sid,
      authToken: account.authToken,
    });
    expect(again.statusCode).toBe(409);
    const bad = await api.post('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '555-0100',
      accountSid: 'nope',
      authToken: 'short',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['phoneNumber', 'accountSid', 'authToken']));
    // Only administrators set numbers up.
    const rep = await memberWithRole(t, admin.workspaceId, 'service_rep');
    expect(
      (
        await client(t, rep).post('/api/v1/telephony/numbers', {
          provider: 'twilio',
          phoneNumber: nextPhone(),
          accountSid: account.sid,
          authToken: account.authToken,
        })
      ).statusCode,
    ).toBe(403);
  });

  it('answers a signed call with TwiML: a greeting and a <Gather> menu whose action takes Digits; unsigned, wrongly signed or unknown: 403', async () => {
    const num = await addNumber();
    const call = new FakeTwilioCall(t, num, account, '+442071838750');
    const first = await call.ring();
    expect(first.res.statusCode).toBe(200);
    expect(first.res.headers['content-type']).toMatch(/^text\/xml/);
    expect(first.res.body).toMatch(/<Response>.*<Say[^>]*>Thank you for calling/);
    expect(first.response.Gather).toBeDefined();
    expect(first.gatherAction?.startsWith(`${num.voiceUrl}?`)).toBe(true);
    const next = await call.press('1');
    expect(next.res.statusCode).toBe(200);
    expect(next.response.Enqueue['#text']).toBe('sales');

    const before = await callCount();
    const params = { ...call.params, CallSid: newCallSid(), CallStatus: 'ringing' };
    const missing = await postLikeTwilio(t, AUTH_TOKEN, num.voiceUrl, params, { signature: null });
    expect(missing.statusCode).toBe(403);
    const wrong = await postLikeTwilio(t, 'another-token-entirely-0000000000', num.voiceUrl, params);
    expect(wrong.statusCode).toBe(403);
    // A captured request replayed with a changed parameter: the signature no longer matches.
    const signature = signLikeTwilio(AUTH_TOKEN, num.voiceUrl, params);
    const replayed = await postLikeTwilio(
      t,
      AUTH_TOKEN,
      num.voiceUrl,
      { ...params, From: '+12025550143' },
      { signature },
    );
    expect(replayed.statusCode).toBe(403);
    // …and with a changed URL (another node of the flow).
    const moved = await postLikeTwilio(t, AUTH_TOKEN, `${num.voiceUrl}?node=support`, params, { signature });
    expect(moved.statusCode).toBe(403);
    // Behind a proxy the URL signed is the configured public one, not the Host the request came in with.
    const u = new URL(num.voiceUrl);
    const viaHost = await t.app.inject({
      method: 'POST',
      url: u.pathname,
      headers: {
        host: 'internal:8080',
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signLikeTwilio(AUTH_TOKEN, `http://internal:8080${u.pathname}`, params),
      },
      payload: new URLSearchParams(params).toString(),
    });
    expect(viaHost.statusCode).toBe(403);
    const unknown = await postLikeTwilio(
      t,
      AUTH_TOKEN,
      `${BASE}/api/v1/telephony/twilio/${crypto.randomUUID()}/voice`,
      params,
    );
    expect(unknown.statusCode).toBe(403);
    expect(unknown.body).toBe(missing.body);
    expect(await callCount()).toBe(before);
    // Status callbacks are checked the same way.
    const status = await postLikeTwilio(
      t,
      AUTH_TOKEN,
      num.statusCallbackUrl,
      { ...params, CallStatus: 'completed', CallDuration: '9' },
      { signature: 'bm90IGl0' },
    );
    expect(status.statusCode).toBe(403);
    expect(await callCount()).toBe(before);
  });

  it('a full inbound call: greeting → menu key → queue → hang-up → the call with its path and duration, on the caller’s timeline and in the don’t-contact-twice ledger', async () => {
    const num = await addNumber();
    const ada = await buildContact(api, { firstName: 'Ada', lastName: 'Lovelace', phone: '+44 20 7183 8751' });
    const call = new FakeTwilioCall(t, num, account, '+442071838751');
    const greeting = await call.ring();
    // The caller is known: greeted by name before the menu.
    expect(greeting.res.body).toContain('Hello Ada.');
    expect(greeting.response.Gather.Say['#text']).toContain('press 2');
    const queued = await call.press('2');
    expect(queued.response.Enqueue['#text']).toBe('support');
    expect(queued.enqueueAction).toBeDefined();
    const ended = await call.hangUp(37);
    expect(ended.statusCode).toBe(200);
    expect(ended.headers['content-type']).toMatch(/^text\/xml/);

    const [rec] = await callsFrom('+442071838751');
    expect(rec).toMatchObject({
      direction: 'inbound',
      from: '+442071838751',
      to: num.phoneNumber,
      status: 'completed',
      durationSeconds: 37,
      queue: 'support',
      contactId: ada.id,
      callerName: 'Ada Lovelace',
      providerCallId: call.sid,
    });
    expect(
      rec?.ivrPath.map((s: { node: string; kind: string; digits?: string }) => [s.node, s.kind, s.digits]),
    ).toEqual([
      ['welcome', 'greeting', undefined],
      ['hours', 'hours', undefined],
      ['lookup', 'lookup', undefined],
      ['menu', 'menu', undefined],
      ['menu', 'input', '2'],
      ['support', 'queue', undefined],
    ]);

    const timeline = (await api.get(`/api/v1/contacts/${ada.id}/timeline`)).json().data as Record<string, any>[];
    const logged = timeline.find((i) => i.kind === 'interaction');
    expect(logged?.record).toMatchObject({ channel: 'call', direction: 'inbound', durationMinutes: 1 });
    expect(logged?.record.topic).toBe('Call from Ada Lovelace');
    // The ledger counts it: a colleague about to call Ada is warned.
    const rep = await memberWithRole(t, admin.workspaceId, 'service_rep');
    const guard = (await client(t, rep).get(`/api/v1/contacts/${ada.id}/recent-contacts?channel=call`)).json().data;
    expect(guard.recent.map((r: { channel: string }) => r.channel)).toContain('call');
    expect(guard.warn).toBe(true);
    // A second status callback (Twilio retries) logs nothing twice.
    await call.hangUp(37);
    const again = (await api.get(`/api/v1/contacts/${ada.id}/timeline`)).json().data as Record<string, any>[];
    expect(again.filter((i) => i.kind === 'interaction')).toHaveLength(1);
  });

  it('menu retries: no key or a wrong key asks again, then the default; speech counts as a key', async () => {
    const num = await addNumber();
    const call = new FakeTwilioCall(t, num, account, '+14155559001');
    await call.ring();
    const silent = await call.silence();
    expect(silent.res.body).toContain('Sorry, I did not get that.');
    expect(silent.gatherAction).toContain('attempt=2');
    const wrong = await call.press('9');
    expect(wrong.res.body).toContain('Sorry, that is not an option.');
    expect(wrong.gatherAction).toContain('attempt=3');
    // Retries (2) used up: the default, support.
    const fallback = await call.press('8');
    expect(fallback.response.Enqueue['#text']).toBe('support');
    const [rec] = await callsFrom('+14155559001');
    expect(
      rec?.ivrPath.filter((s: { kind: string }) => s.kind === 'input').map((s: { digits: string }) => s.digits),
    ).toEqual(['', '9', '8']);

    const spoken = new FakeTwilioCall(t, num, account, '+14155559002');
    const menu = await spoken.ring();
    const res = await postLikeTwilio(t, AUTH_TOKEN, menu.gatherAction as string, {
      ...spoken.params,
      CallStatus: 'in-progress',
      SpeechResult: 'Sales, one please',
      Confidence: '0.92',
    });
    expect(readTwiml(res).response.Enqueue['#text']).toBe('sales');
  });

  it('voicemail: <Record>, then the recording on the call and a ticket to call back', async () => {
    const num = await addNumber();
    const call = new FakeTwilioCall(t, num, account, '+14155559003');
    await call.ring();
    const vm = await call.press('3');
    expect(vm.response.Record).toBeDefined();
    expect(vm.recordAction).toContain('step=recorded');
    const recording = `https://api.twilio.com/2010-04-01/Accounts/${account.sid}/Recordings/RE${'1'.repeat(32)}`;
    const done = await call.leaveMessage(recording, 14);
    expect(done.res.body).toMatch(/<Say[^>]*>Thank you\. Goodbye\.<\/Say><Hangup\/>/);
    await call.hangUp(30);
    const [rec] = await callsFrom('+14155559003');
    expect(rec).toMatchObject({ recordingUrl: recording, disposition: 'voicemail', durationSeconds: 30 });
    const subject = { field: 'subject', op: 'eq', value: 'Voicemail from +14155559003' };
    const [ticket] = (await api.get(`/api/v1/tickets?filter=${encodeURIComponent(JSON.stringify(subject))}`)).json()
      .data as Record<string, any>[];
    expect(ticket).toMatchObject({ channel: 'phone' });
    const messages = (await api.get(`/api/v1/tickets/${ticket?.id}/messages`)).json().data;
    expect(messages[0].bodyText ?? messages[0].body).toContain(recording);
  });

  it('never a 5xx to the provider: malformed parameters get the apology and a hang-up', async () => {
    const num = await addNumber();
    const bad = await postLikeTwilio(t, AUTH_TOKEN, num.voiceUrl, {
      ...voiceFixture.params,
      AccountSid: account.sid,
      CallSid: 'not-a-call-sid',
      From: '+14155559004',
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toMatch(
      /<Response><Say>Sorry, we cannot take your call right now\.[^<]*<\/Say><Hangup\/><\/Response>/,
    );
    // Another account's parameters signed with this token: the same apology, nothing stored.
    const other = await postLikeTwilio(t, AUTH_TOKEN, num.voiceUrl, {
      ...voiceFixture.params,
      AccountSid: newAccountSid(),
      CallSid: newCallSid(),
      From: '+14155559004',
    });
    expect(other.statusCode).toBe(200);
    expect(other.body).toContain('<Hangup/>');
    expect(await callsFrom('+14155559004')).toEqual([]);
  });

  it('flows are versioned: a call under way keeps its version, new calls take the new one; a bad flow is 422 naming the node', async () => {
    const num = await addNumber();
    const flows = (await api.get('/api/v1/telephony/flows')).json().data;
    const def = flows.find((f: { isDefault: boolean }) => f.isDefault);
    expect(def.version).toBe(1);
    const created = await api.post('/api/v1/telephony/flows', {
      name: 'Short',
      definition: {
        start: 'hi',
        nodes: [
          { id: 'hi', kind: 'greeting', prompt: { say: 'Version one.' }, next: 'ask' },
          { id: 'ask', kind: 'menu', prompt: { say: 'Press 1.' }, options: { '1': 'bye' }, default: 'bye' },
          { id: 'bye', kind: 'hangup', prompt: { say: 'Goodbye from one.' } },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const flow = created.json().data;
    expect((await api.patch(`/api/v1/telephony/numbers/${num.id}`, { flowId: flow.id })).statusCode).toBe(200);
    const early = new FakeTwilioCall(t, num, account, '+14155559005');
    expect((await early.ring()).res.body).toContain('Version one.');
    const saved = await api.put(`/api/v1/telephony/flows/${flow.id}`, {
      name: 'Short',
      definition: {
        ...flow.definition,
        nodes: flow.definition.nodes.map((n: { id: string }) =>
          n.id === 'hi'
            ? { ...n, prompt: { say: 'Version two.' } }
            : n.id === 'bye'
              ? { ...n, prompt: { say: 'Goodbye from two.' } }
              : n,
        ),
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().data.version).toBe(2);
    expect((await early.press('1')).res.body).toContain('Goodbye from one.');
    const late = new FakeTwilioCall(t, num, account, '+14155559006');
    expect((await late.ring()).res.body).toContain('Version two.');
    const [rec] = await callsFrom('+14155559005');
    expect(new Set(rec?.ivrPath.map((s: { flowVersion: number }) => s.flowVersion))).toEqual(new Set([1]));

    const broken = await api.post('/api/v1/telephony/flows', {
      name: 'Broken',
      definition: { start: 'hi', nodes: [{ id: 'hi', kind: 'greeting', prompt: { say: 'Hi' }, next: 'nowhere' }] },
    });
    expect(broken.statusCode).toBe(422);
    expect(broken.json().errors.map((e: { path: string }) => e.path)).toContain('definition.nodes.0.next');

    // Business hours follow a calendar of the service desk: one never open sends callers to `closed`;
    // a calendar that does not exist is refused by name.
    const hoursFlow = (calendarId: string) => ({
      name: 'Hours',
      definition: {
        start: 'hours',
        nodes: [
          { id: 'hours', kind: 'hours', calendarId, open: 'open', closed: 'closed' },
          { id: 'open', kind: 'hangup', prompt: { say: 'We are open.' } },
          { id: 'closed', kind: 'hangup', prompt: { say: 'We are closed.' } },
        ],
      },
    });
    const unknown = await api.post('/api/v1/telephony/flows', hoursFlow(crypto.randomUUID()));
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors.map((e: { path: string }) => e.path)).toEqual(['definition.nodes.0.calendarId']);
    const never = await api.create('/api/v1/business-calendars', {
      name: 'Never open',
      timeZone: 'UTC',
      weeklyHours: {},
    });
    const hours = await api.create('/api/v1/telephony/flows', hoursFlow(never.id));
    expect((await api.patch(`/api/v1/telephony/numbers/${num.id}`, { flowId: hours.id })).statusCode).toBe(200);
    const closed = await new FakeTwilioCall(t, num, account, '+14155559007').ring();
    expect(closed.res.body).toContain('We are closed.');
  });

  it('click-to-call through Twilio’s REST API: the agent’s phone first, then the customer through the voice webhook', async () => {
    const num = await addNumber();
    const grace = await buildContact(api, { firstName: 'Grace', lastName: 'Hopper', phone: '+1 202 555 0199' });
    const res = await api.post('/api/v1/calls/dial', {
      to: '+12025550199',
      agentPhone: '+12025550111',
      numberId: num.id,
    });
    expect(res.statusCode, res.body).toBe(201);
    const { callId, providerCallId } = res.json().data;
    const sent = rest.requests.at(-1);
    expect(sent?.path).toBe(`/2010-04-01/Accounts/${account.sid}/Calls.json`);
    expect(sent?.form.get('To')).toBe('+12025550111');
    expect(sent?.form.get('From')).toBe(num.phoneNumber);
    expect(sent?.form.get('Url')).toBe(`${num.voiceUrl}?call=${callId}`);
    expect(sent?.form.get('StatusCallback')).toBe(`${num.statusCallbackUrl}?call=${callId}`);
    const rec = (await api.get(`/api/v1/calls/${callId}`)).json().data;
    expect(rec).toMatchObject({
      direction: 'outbound',
      to: '+12025550199',
      agentId: admin.userId,
      contactId: grace.id,
      providerCallId,
      status: 'queued',
    });
    // The agent answers: Twilio asks the voice URL, which dials the customer.
    const answered = await postLikeTwilio(t, AUTH_TOKEN, `${num.voiceUrl}?call=${callId}`, {
      ...voiceFixture.params,
      AccountSid: account.sid,
      CallSid: providerCallId,
      From: num.phoneNumber,
      To: '+12025550111',
      Direction: 'outbound-api',
      CallStatus: 'in-progress',
    });
    expect(answered.body).toContain(`<Dial callerId="${num.phoneNumber}">+12025550199</Dial>`);
    // Twilio refusing: 503 problem, the call marked failed.
    rest.failWith = {
      status: 400,
      body: { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 },
    };
    const refused = await api.post('/api/v1/calls/dial', {
      to: '+12025550198',
      agentPhone: '+12025550111',
      numberId: num.id,
    });
    rest.failWith = undefined;
    expect(refused.statusCode).toBe(503);
    expect(refused.json().detail ?? refused.json().title).toBeDefined();
    const failed = await callsFrom(num.phoneNumber);
    expect(failed.find((c) => c.to === '+12025550198')?.status).toBe('failed');
    // Invalid input: 422 naming the field.
    const bad = await api.post('/api/v1/calls/dial', { to: '12', agentPhone: '+12025550111' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('to');
  });
});
