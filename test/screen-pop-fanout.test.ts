import { afterAll, describe, expect, it } from 'vitest';
import voiceFixture from './fixtures/twilio/voice-request.json';
import { STRONG_PASSWORD, uniqueEmail } from './helpers/app';
import { type ChatSocket, openChatSocket } from './helpers/chat-sockets';
import { freshDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { networkClient, signUpOver } from './helpers/http';
import { type ServerProcess, startServerProcess } from './helpers/server-process';
import { newAccountSid, newCallSid, signLikeTwilio } from './helpers/twilio-fake';

/**
 * Screen-pop across app processes (issue 20 point 5): two `rapport serve` on one PostgreSQL
 * database behind a load balancer. Twilio's webhooks reach process A; the agent's desktop
 * socket is on process B. Routing on A notifies every process (NOTIFY rapport_telephony) and
 * B pushes the pop to its agent, within a second of A's routing answer. (An embedded database
 * belongs to one process: there is nothing to fan out to.)
 */
describe.skipIf(ENGINE !== 'postgres')('screen-pop between two app processes', () => {
  let db: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  const sockets: ChatSocket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    await db?.drop();
  });

  it('a call routed by process A pops on the agent’s socket on process B within a second', async () => {
    db = await freshDatabase();
    const env = { DATABASE_URL: db.databaseUrl ?? '', RAPPORT_SEED_DEMO: 'false' };
    // The first start migrates; the second joins the migrated database.
    servers.push(await startServerProcess(env, 180_000));
    servers.push(await startServerProcess(env, 180_000));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const cookie = await signUpOver(a.url, {
      name: 'Pam Pop',
      email: uniqueEmail('popfanout'),
      password: STRONG_PASSWORD,
      workspaceName: 'Pop Co',
    });
    const onA = networkClient(() => a.url, cookie);
    const onB = networkClient(() => b.url, cookie);
    const account = { sid: newAccountSid(), authToken: 'fanout-test-token-0123456789abcdef' };
    const added = await onA('POST', '/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550190',
      accountSid: account.sid,
      authToken: account.authToken,
    });
    expect(added.status, await added.clone().text()).toBe(201);
    const { voiceUrl } = ((await added.json()) as { data: { voiceUrl: string } }).data;
    const contact = await onB('POST', '/api/v1/contacts', {
      firstName: 'Fay',
      lastName: 'Fanout',
      phone: '+1 202 555 0191',
    });
    expect(contact.status).toBe(201);
    // The agent is available through process B, and their desktop listens there.
    expect(
      (await onB('PUT', '/api/v1/telephony/agents/me', { status: 'available', phone: '+12025550192' })).status,
    ).toBe(200);
    const desk = await openChatSocket(`${b.url.replace('http', 'ws')}/api/v1/notifications/stream`, { cookie });
    sockets.push(desk);
    await desk.next('hello');
    let poppedAt = 0;
    desk.socket.on('message', (d) => {
      if (!poppedAt && JSON.parse(String(d)).type === 'screen_pop') poppedAt = Date.now();
    });

    // Twilio posts to process A (signed over A's public URL, as configured there).
    const post = async (url: string, params: Record<string, string>) => {
      const u = new URL(url);
      const res = await fetch(`${a.url}${u.pathname}${u.search}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signLikeTwilio(account.authToken, url, params),
        },
        body: new URLSearchParams(params),
      });
      return { status: res.status, body: await res.text() };
    };
    const params = {
      ...voiceFixture.params,
      AccountSid: account.sid,
      CallSid: newCallSid(),
      From: '+12025550191',
      Caller: '+12025550191',
      To: '+14155550190',
      Called: '+14155550190',
    };
    const greeting = await post(voiceUrl, params);
    expect(greeting.status).toBe(200);
    const action = /<Gather[^>]* action="([^"]+)"/.exec(greeting.body)?.[1]?.replaceAll('&amp;', '&') as string;
    expect(action).toBeTruthy();
    const routed = await post(action, {
      ...params,
      ...voiceFixture.gather.params,
      CallStatus: 'in-progress',
      Digits: '2',
    });
    const answeredAt = Date.now();
    expect(routed.body).toContain('+12025550192</Dial>');

    const pop = (await desk.next('screen_pop')).pop;
    const ms = poppedAt - answeredAt;
    console.info(`screen-pop on process B ${ms} ms after process A's routing answer`);
    expect(pop).toMatchObject({
      call: { from: '+12025550191', callerName: 'Fay Fanout', queue: 'support' },
      contact: { name: 'Fay Fanout' },
      unknownCaller: false,
    });
    expect(ms).toBeLessThan(1000);
  });
});
