import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { FakeTwilioCall, FakeTwilioRest, newAccountSid } from '../../../test/helpers/twilio-fake';
import { silentMp3, silentWav, sniffAudio } from './audio-sniff';

// Not https: the test client's session cookie is the non-Secure one.
const BASE = 'http://crm.example.com';

/** A multipart/form-data body as a browser sends it (built by the platform's own FormData). */
async function multipart(file: { name: string; content: Uint8Array | string; type: string }, fields = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
  form.append('file', new Blob([file.content], { type: file.type }), file.name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type') as string };
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

describe('audio sniffing: MP3 or WAV from the bytes, with the duration', () => {
  it('knows MP3 frames (after an ID3 tag too) and WAV, and nothing else', () => {
    expect(sniffAudio(silentMp3(2))).toEqual({ contentType: 'audio/mpeg', durationMs: expect.closeTo(2000, -2) });
    const id3 = Buffer.concat([
      Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x0a', 'latin1'),
      Buffer.alloc(10),
      silentMp3(1),
    ]);
    expect(sniffAudio(id3)?.contentType).toBe('audio/mpeg');
    expect(sniffAudio(silentWav(1.5))).toEqual({ contentType: 'audio/wav', durationMs: 1500 });
    expect(sniffAudio(Buffer.from('hello, this is not audio'))).toBeNull();
    expect(sniffAudio(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toBeNull();
    // One frame header followed by junk is not an MP3.
    expect(sniffAudio(Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x00]), randomBytes(4000)]))).toBeNull();
  });
});

describe('contact centre audio: uploaded prompts at signed URLs, recordings through Twilio’s REST API', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let rep: Member;
  let rest: FakeTwilioRest;
  let clock = new Date();
  const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    rest = new FakeTwilioRest(account);
    const twilioApiUrl = await rest.start();
    t = await createTestApp({ baseUrl: BASE, twilioApiUrl }, { clock: () => clock });
    admin = await signUp(t.app, { workspaceName: 'Audio Co' });
    api = client(t, admin);
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
  });
  afterAll(async () => {
    await t.stop();
    await rest.stop();
  });

  const upload = async (
    who: { cookie: string },
    file: { name: string; content: Uint8Array | string; type: string },
  ) => {
    const body = await multipart(file);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/telephony/audio',
      headers: { cookie: who.cookie, 'content-type': body.contentType },
      payload: body.payload,
    });
  };
  const stored = async () =>
    (
      await t.database.tenant(admin.workspaceId, (tx) =>
        sql<{ n: number }>`select count(*)::int as n from telephony_audio`.execute(tx),
      )
    ).rows[0]?.n;

  it('an upload is taken for what its bytes are; not audio, too large, or not an administrator: 4xx, nothing stored', async () => {
    // A WAV sent as "hold.mp3", audio/mpeg: stored as the WAV it is.
    const wav = silentWav(2);
    const res = await upload(admin, { name: 'hold.mp3', content: wav, type: 'audio/mpeg' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().data).toMatchObject({
      name: 'hold',
      contentType: 'audio/wav',
      size: wav.length,
      durationSeconds: 2,
    });
    const before = await stored();

    const text = await upload(admin, { name: 'evil.mp3', content: '<script>alert(1)</script>', type: 'audio/mpeg' });
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toContain('application/problem+json');
    expect(text.json().errors[0].path).toBe('file');
    const big = await upload(admin, { name: 'big.mp3', content: silentMp3(400), type: 'audio/mpeg' });
    expect(big.statusCode).toBe(413);
    expect(big.json().errors[0].path).toBe('file');
    expect((await upload(rep, { name: 'x.mp3', content: silentMp3(1), type: 'audio/mpeg' })).statusCode).toBe(403);
    const json = await api.post('/api/v1/telephony/audio', { file: 'x' });
    expect(json.statusCode).toBe(415);
    expect(await stored()).toBe(before);
    expect((await api.get('/api/v1/telephony/audio')).json().data).toHaveLength(1);
  });

  it('a flow plays an uploaded prompt from a signed URL the provider can fetch until it expires; tampered or unknown: 403', async () => {
    const mp3 = silentMp3(3);
    const audio = (await upload(admin, { name: 'welcome.mp3', content: mp3, type: 'audio/mpeg' })).json().data;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const flow = (nodes: unknown[]) => ({ name: 'Recorded welcome', definition: { start: 'welcome', nodes } });
    const bad = await api.post(
      '/api/v1/telephony/flows',
      flow([
        { id: 'welcome', kind: 'greeting', prompt: { audioId: unknown }, next: 'bye' },
        { id: 'bye', kind: 'hangup' },
      ]),
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      { path: 'definition.nodes.0.prompt.audioId', message: 'names no uploaded audio of this workspace' },
    ]);
    const both = await api.post(
      '/api/v1/telephony/flows',
      flow([
        { id: 'welcome', kind: 'greeting', prompt: { audioId: audio.id, say: 'Hi' }, next: 'bye' },
        { id: 'bye', kind: 'hangup' },
      ]),
    );
    expect(both.statusCode).toBe(422);
    const created = await api.create(
      '/api/v1/telephony/flows',
      flow([
        { id: 'welcome', kind: 'greeting', prompt: { audioId: audio.id }, next: 'bye' },
        { id: 'bye', kind: 'hangup', prompt: { say: 'Goodbye.' } },
      ]),
    );
    const num = await api.create('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550181',
      accountSid: account.sid,
      authToken: account.authToken,
      flowId: created.id,
    });
    const call = new FakeTwilioCall(t, { ...num, phoneNumber: '+14155550181' }, account, '+14155559101');
    const answer = await call.ring();
    const played = answer.response.Play as string;
    expect(played).toMatch(new RegExp(`^${BASE}/api/v1/telephony/audio/${audio.id}/file\\?expires=\\d+&signature=`));

    // The provider fetches it with no session.
    const file = await t.app.inject({ method: 'GET', url: pathOf(played) });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('audio/mpeg');
    expect(file.rawPayload.equals(mp3)).toBe(true);
    const tampered = pathOf(played).replace(/signature=./, (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`);
    const forbidden = [
      tampered,
      pathOf(played).replace(/expires=\d+/, (m) => `expires=${Number(m.slice(8)) + 60}`),
      pathOf(played).replace(audio.id, unknown),
      `/api/v1/telephony/audio/${audio.id}/file`,
    ];
    for (const url of forbidden) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain('audio');
    }
    // An hour later the address no longer works; a new answer signs a new one.
    clock = new Date(clock.getTime() + 3601_000);
    expect((await t.app.inject({ method: 'GET', url: pathOf(played) })).statusCode).toBe(403);
    const later = (await new FakeTwilioCall(t, { ...num, phoneNumber: '+14155550181' }, account, '+14155559102').ring())
      .response.Play as string;
    expect((await t.app.inject({ method: 'GET', url: pathOf(later) })).statusCode).toBe(200);

    // In use: not deleted.
    const del = await api.del(`/api/v1/telephony/audio/${audio.id}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().detail).toContain('Recorded welcome');
  });

  it('a voicemail’s recording is fetched through Twilio’s REST API once finished, stored, and played to whoever may read the call', async () => {
    const num = await api.create('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550182',
      accountSid: account.sid,
      authToken: account.authToken,
    });
    const call = new FakeTwilioCall(t, { ...num, phoneNumber: '+14155550182' }, account, '+14155559103');
    await call.ring();
    await call.press('3');
    const sid = `RE${randomBytes(16).toString('hex')}`;
    const media = silentMp3(14);
    rest.recordings.set(sid, { callSid: call.sid, status: 'processing', duration: 14, media });
    await call.leaveMessage(`https://api.twilio.com/2010-04-01/Accounts/${account.sid}/Recordings/${sid}`, 14, sid);
    await call.hangUp(30);
    const [rec] = (
      await api.get(
        `/api/v1/calls?filter=${encodeURIComponent(JSON.stringify({ field: 'from', op: 'eq', value: '+14155559103' }))}`,
      )
    ).json().data as Record<string, any>[];

    // Still processing at Twilio: asked again later; nothing stored yet.
    await t.jobs.runDue({ queues: ['telephony.recording'] });
    expect((await api.get(`/api/v1/calls/${rec?.id}/recording`)).statusCode).toBe(404);
    const asked = rest.requests.filter((r) => r.method === 'GET');
    expect(asked.map((r) => r.path)).toEqual([`/2010-04-01/Accounts/${account.sid}/Recordings/${sid}.json`]);
    expect(asked[0]?.authorization).toBe(
      `Basic ${Buffer.from(`${account.sid}:${account.authToken}`).toString('base64')}`,
    );

    (rest.recordings.get(sid) as { status: string }).status = 'completed';
    clock = new Date(clock.getTime() + 3600_000);
    await t.jobs.runDue({ queues: ['telephony.recording'] });
    expect(rest.requests.filter((r) => r.method === 'GET').map((r) => r.path.split('/').pop())).toEqual([
      `${sid}.json`,
      `${sid}.json`,
      `${sid}.mp3`,
    ]);
    const after = (await api.get(`/api/v1/calls/${rec?.id}`)).json().data;
    expect(after.recordingUrl).toBe(`${BASE}/api/v1/calls/${rec?.id}/recording`);
    const played = await api.get(`/api/v1/calls/${rec?.id}/recording`);
    expect(played.statusCode).toBe(200);
    expect(played.headers['content-type']).toBe('audio/mpeg');
    expect(played.rawPayload.equals(media)).toBe(true);
    // A sales rep sees their own calls only; this one is not theirs. Nobody signed in: 401.
    expect((await client(t, rep).get(`/api/v1/calls/${rec?.id}/recording`)).statusCode).toBe(404);
    expect((await client(t, null).get(`/api/v1/calls/${rec?.id}/recording`)).statusCode).toBe(401);
  });
});
