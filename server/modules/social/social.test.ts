import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildSocialConnection } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { type SocialFake, startSocialFake } from '../../../test/helpers/social-fake';
import { redactUrl } from '../../platform/logging';
import { signatureHeader } from '../../platform/webhooks/signing';

const FIXTURES = join(__dirname, '../../../test/fixtures/social');
/** A fixture with the documents' placeholders replaced (PAGE_ID → our page, …). */
const fixture = (name: string, replace: Record<string, string> = {}) => {
  let text = readFileSync(join(FIXTURES, name), 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return text;
};
const metaSig = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const xSig = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
const HOUR = 3600_000;

/** A Messenger `messages` delivery as Meta sends it (the documented shape), from `sender` to `page`. */
function messenger(page: string, sender: string, mid: string, text: string, at = Date.now()) {
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: page,
        time: at,
        messaging: [{ sender: { id: sender }, recipient: { id: page }, timestamp: at, message: { mid, text } }],
      },
    ],
  });
}

describe('social CRM: connections, webhooks, messages, replies', () => {
  let t: TestApp;
  let fake: SocialFake;
  let admin: SignedUp;
  let as: HttpClient;
  const SECRET = 'meta-app-secret-for-tests';
  const VERIFY = 'verify-me-please';
  const PAGE = '1122334455';
  let fb: { id: string; webhookUrl: string };

  const post = (id: string, body: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: `/social/webhooks/${id}`,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const run = () => t.jobs.runDue({ queues: ['social.process'] });
  const messages = async (filter?: unknown) => {
    const q = filter ? `?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=100` : '?limit=100';
    const res = await as.get(`/api/v1/social/messages${q}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as Record<string, unknown>[];
  };
  const byExternal = async (externalId: string) => messages({ field: 'externalId', op: 'eq', value: externalId });
  const eventCount = async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from social_events`.execute(t.database.db);
    return rows[0]?.n ?? 0;
  };

  beforeAll(async () => {
    fake = await startSocialFake();
    t = await createTestApp({ metaGraphUrl: fake.url, xApiUrl: fake.url });
    admin = await signUp(t.app);
    as = client(t, admin);
    fb = await buildSocialConnection(as, {
      network: 'facebook',
      pageId: PAGE,
      appSecret: SECRET,
      verifyToken: VERIFY,
      pageAccessToken: 'page-token-0001',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('POST /api/v1/social/connections → 201 { data: { id, webhookUrl } }; secrets stored sealed and never shown', async () => {
    expect(Object.keys(fb).sort()).toEqual(['id', 'webhookUrl']);
    expect(fb.webhookUrl).toBe(`http://localhost:3000/social/webhooks/${fb.id}`);
    const list = await as.get('/api/v1/social/connections');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(SECRET);
    expect(list.body).not.toContain(VERIFY);
    expect(list.body).not.toContain('page-token-0001');
    expect(list.json().data[0]).toMatchObject({
      id: fb.id,
      network: 'facebook',
      pageId: PAGE,
      tokenStatus: 'ok',
      hasAccessToken: true,
    });
    const { rows } = await sql<Record<string, string>>`
      select app_secret, verify_token, access_token from social_connections where id = ${fb.id}::uuid`.execute(
      t.database.db,
    );
    for (const v of Object.values(rows[0] ?? {})) {
      expect(v.startsWith('v1:')).toBe(true);
      expect(v).not.toContain(SECRET);
    }
    // The same page twice is a conflict; bad input names the field.
    const again = await as.post('/api/v1/social/connections', {
      network: 'facebook',
      pageId: PAGE,
      appSecret: SECRET,
      verifyToken: VERIFY,
    });
    expect(again.statusCode).toBe(409);
    const noToken = await as.post('/api/v1/social/connections', {
      network: 'facebook',
      pageId: 'p2',
      appSecret: SECRET,
    });
    expect(noToken.statusCode).toBe(422);
    expect(noToken.headers['content-type']).toContain('application/problem+json');
    expect(noToken.json().errors[0].path).toBe('verifyToken');
    // The longest id allowed, with no name given: the default name ("<network> <id>") is cut to fit
    // (the fuzz test found a 500 here).
    const longest = await as.post('/api/v1/social/connections', {
      network: 'generic',
      pageId: 'x'.repeat(200),
      appSecret: SECRET,
    });
    expect(longest.statusCode, longest.body).toBe(201);
    const listed = (await as.get('/api/v1/social/connections')).json().data as { pageId: string; name: string }[];
    expect(listed.find((c) => c.pageId === 'x'.repeat(200))?.name).toHaveLength(200);
  });

  it('only administrators manage connections', async () => {
    const rep = await memberWithRole(t, admin.workspaceId, 'service_rep');
    const res = await client(t, rep).post('/api/v1/social/connections', {
      network: 'facebook',
      pageId: 'rep-page',
      appSecret: SECRET,
      verifyToken: VERIFY,
    });
    expect(res.statusCode).toBe(403);
    expect((await client(t, rep).get('/api/v1/social/connections')).statusCode).toBe(403);
  });

  it('GET <webhookUrl> hub.mode=subscribe echoes the challenge with the right verify token, 403 otherwise', async () => {
    const path = new URL(fb.webhookUrl).pathname;
    const ok = await t.app.inject({
      method: 'GET',
      url: `${path}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    const wrong = await t.app.inject({
      method: 'GET',
      url: `${path}?hub.mode=subscribe&hub.verify_token=not-the-token&hub.challenge=1158201444`,
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).not.toContain('1158201444');
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/social/webhooks/00000000-0000-4000-8000-000000000000?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('a signed Messenger message → 200, stored, processed: text, numeric sentiment (negative when angry), matched contact, on its timeline', async () => {
    const contact = await buildContact(as, { lastName: 'Angry', socialProfiles: { facebook: 'PSID-ANGRY-1' } });
    const body = messenger(
      PAGE,
      'PSID-ANGRY-1',
      'mid.angry.1',
      'This is terrible, I hate waiting. Worst service ever!',
    );
    const res = await post(fb.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ received: true, stored: 1 });
    // Stored at once, before processing.
    const pending = await as.get('/api/v1/social/events?status=pending');
    expect(pending.json().data.map((e: { providerEventId: string }) => e.providerEventId)).toContain('mid:mid.angry.1');
    await run();
    const [m] = await byExternal('facebook:mid.angry.1');
    expect(m).toMatchObject({
      text: 'This is terrible, I hate waiting. Worst service ever!',
      network: 'facebook',
      kind: 'message',
      direction: 'inbound',
      contactId: contact.id,
      priority: 'high',
      authorId: 'PSID-ANGRY-1',
    });
    expect(typeof m?.sentiment).toBe('number');
    expect(m?.sentiment as number).toBeLessThan(0);
    // On the contact's timeline (an interaction, channel social) and the social.received trigger.
    const timeline = await as.get(`/api/v1/contacts/${contact.id}/timeline`);
    expect(timeline.body).toContain('This is terrible');
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from events where type = 'social.received' and record_id = ${m?.id as string}::uuid`.execute(
      t.database.db,
    );
    expect(rows[0]?.n).toBe(1);
    // Counted by the "don't contact twice" ledger (channel social).
    const guard = await as.get(`/api/v1/contacts/${contact.id}/recent-contacts?channel=social`);
    expect(guard.statusCode).toBe(200);
    expect(guard.body).toContain('This is terrible');
  });

  it('a happy message scores positive, normal priority, and an unknown sender matches no contact', async () => {
    const body = messenger(PAGE, 'PSID-HAPPY', 'mid.happy.1', 'Love it, great job, thank you!');
    expect((await post(fb.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) })).statusCode).toBe(200);
    await run();
    const [m] = await byExternal('facebook:mid.happy.1');
    expect(m?.sentiment as number).toBeGreaterThan(0);
    expect(m).toMatchObject({ priority: 'normal', contactId: null });
  });

  it('the same mid twice (a provider retry) is one message', async () => {
    const body = messenger(PAGE, 'PSID-RETRY', 'mid.retry.1', 'Hello?');
    const sig = { 'x-hub-signature-256': metaSig(SECRET, body) };
    expect((await post(fb.id, body, sig)).statusCode).toBe(200);
    await run();
    const second = await post(fb.id, body, sig);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ stored: 0, duplicates: 1 });
    await run();
    expect(await byExternal('facebook:mid.retry.1')).toHaveLength(1);
  });

  it('a bad or missing signature → 401 and nothing stored', async () => {
    const before = await eventCount();
    const body = messenger(PAGE, 'PSID-FORGED', 'mid.forged.1', 'Forged');
    const bad = await post(fb.id, body, { 'x-hub-signature-256': metaSig('not-the-secret', body) });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    // Signed over other bytes (a re-serialised body) does not pass either.
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect((await post(fb.id, reserialised, { 'x-hub-signature-256': metaSig(SECRET, body) })).statusCode).toBe(401);
    expect((await post(fb.id, body, {})).statusCode).toBe(401);
    expect(await eventCount()).toBe(before);
    await run();
    expect(await byExternal('facebook:mid.forged.1')).toHaveLength(0);
  });

  it('a payload of the wrong shape (or not JSON) with a valid signature is stored as rejected with the reason, answered 200', async () => {
    const wrong = JSON.stringify({ object: 'page', entries: [] });
    const res = await post(fb.id, wrong, { 'x-hub-signature-256': metaSig(SECRET, wrong) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rejected: 1 });
    const notJson = 'this is not json';
    const res2 = await post(fb.id, notJson, {
      'x-hub-signature-256': metaSig(SECRET, notJson),
      'content-type': 'text/plain',
    });
    expect(res2.statusCode).toBe(200);
    // Another page's delivery (an app subscribed for several Pages): kept, rejected, named.
    const other = messenger('5550001', 'PSID-OTHER', 'mid.other.1', 'Not for this page');
    const res3 = await post(fb.id, other, { 'x-hub-signature-256': metaSig(SECRET, other) });
    expect(res3.statusCode).toBe(200);
    expect(res3.json()).toMatchObject({ rejected: 1, stored: 0 });
    const rejected = (await as.get('/api/v1/social/events?status=rejected')).json().data as {
      reason: string;
      payload: string;
    }[];
    expect(rejected.map((e) => e.reason)).toEqual(
      expect.arrayContaining([
        'entry must be a list',
        'the body is not JSON',
        "entry.0.id 5550001 is not this connection's page",
      ]),
    );
    expect(rejected.some((e) => e.payload === wrong)).toBe(true);
  });

  it('Meta fixtures: echo and read receipts are kept but make no message; a Page feed comment and a mention do', async () => {
    for (const name of ['messenger-echo.json', 'messenger-read.json', 'page-feed-comment.json', 'page-mention.json']) {
      const body = fixture(name, { PAGE_ID: PAGE });
      expect((await post(fb.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) })).statusCode).toBe(200);
    }
    await run();
    const ignored = (await as.get('/api/v1/social/events?status=ignored')).json().data;
    expect(ignored.length).toBeGreaterThanOrEqual(2);
    const [comment] = await byExternal('facebook:1164870100259578_1164881003591821');
    expect(comment).toMatchObject({
      kind: 'comment',
      authorHandle: 'Cinderella Hoover',
      authorId: '1186329501459477',
      text: 'Your delivery was late again, this is awful.',
      permalink: 'https://www.facebook.com/1164870100259578_1164881003591821',
    });
    expect(comment?.sentiment as number).toBeLessThan(0);
    const [mention] = await byExternal('facebook:mention:44444444_444444444');
    expect(mention).toMatchObject({ kind: 'mention', authorHandle: 'Example Name', authorId: '44444444' });
  });

  it('Instagram: a message and a comment from the documented payloads', async () => {
    const ig = await buildSocialConnection(as, {
      network: 'instagram',
      pageId: '17841400000000',
      appSecret: SECRET,
      verifyToken: VERIFY,
    });
    for (const name of ['instagram-message.json', 'instagram-comment.json']) {
      const body = fixture(name, { IG_ACCOUNT_ID: '17841400000000', IGSID: 'IGSID-1' });
      expect((await post(ig.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) })).statusCode).toBe(200);
    }
    await run();
    const dm = await messages({ field: 'authorId', op: 'eq', value: 'IGSID-1' });
    expect(dm[0]).toMatchObject({ network: 'instagram', kind: 'message', text: 'Do you ship to Canada?' });
    const [comment] = await byExternal('instagram:17865799348089039');
    expect(comment).toMatchObject({
      kind: 'comment',
      authorHandle: 'test',
      authorUrl: 'https://www.instagram.com/test',
    });
  });

  it('X: the CRC answer matches X’s published sample; signed tweets and DMs are stored, a bad signature is 401', async () => {
    const consumer = 'z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu';
    const x = await buildSocialConnection(as, {
      network: 'x',
      pageId: '4337869213',
      appSecret: consumer,
      verifyToken: undefined,
    });
    const crc = await t.app.inject({
      method: 'GET',
      url: `/social/webhooks/${x.id}?crc_token=9b4507b3-9040-4669-9ca3-6b94edb50553`,
    });
    expect(crc.statusCode).toBe(200);
    expect(crc.json()).toEqual({ response_token: 'sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8=' });
    const dm = fixture('x-direct-message.json');
    const tweet = fixture('x-tweet-mention.json', { '2244994945': '4337869213' });
    const before = await eventCount();
    expect((await post(x.id, dm, { 'x-twitter-webhooks-signature': xSig('wrong-secret-123', dm) })).statusCode).toBe(
      401,
    );
    expect(await eventCount()).toBe(before);
    for (const body of [dm, tweet])
      expect((await post(x.id, body, { 'x-twitter-webhooks-signature': xSig(consumer, body) })).statusCode).toBe(200);
    await run();
    const [d] = await byExternal('x:dm:954491830116155396');
    expect(d).toMatchObject({
      kind: 'message',
      text: 'Hello World!',
      authorHandle: '@furiouscamper',
      authorId: '3001969357',
    });
    const [tw] = await byExternal('x:1235195447427248128');
    expect(tw).toMatchObject({
      kind: 'mention',
      authorHandle: '@jessicagarson',
      permalink: 'https://x.com/jessicagarson/status/1235195447427248128',
    });
  });

  it('generic source: Rapport-Signature (the outbound webhooks’ scheme) and brand keywords flagged', async () => {
    expect((await as.put('/api/v1/social/settings', { keywords: ['Rapport', 'refund'] })).statusCode).toBe(200);
    const g = await buildSocialConnection(as, {
      network: 'generic',
      pageId: 'listening-tool',
      appSecret: 'generic-secret-123',
      verifyToken: undefined,
    });
    const body = JSON.stringify({
      events: [
        {
          id: 'g-1',
          kind: 'mention',
          author: { id: 'u-77', handle: '@dana', url: 'https://example.social/dana' },
          text: 'Asked Rapport for a refund, still waiting',
          permalink: 'https://example.social/p/1',
        },
      ],
    });
    const ts = Math.floor(Date.now() / 1000);
    expect(
      (await post(g.id, body, { 'rapport-signature': signatureHeader('wrong-secret-1', body, ts) })).statusCode,
    ).toBe(401);
    const old = signatureHeader('generic-secret-123', body, ts - 3600);
    expect((await post(g.id, body, { 'rapport-signature': old })).statusCode).toBe(401);
    const res = await post(g.id, body, { 'rapport-signature': signatureHeader('generic-secret-123', body, ts) });
    expect(res.statusCode).toBe(200);
    await run();
    const [m] = await byExternal('generic:g-1');
    expect(m).toMatchObject({ kind: 'mention', authorHandle: '@dana', flaggedKeywords: ['Rapport', 'refund'] });
  });

  it('a stored event can be replayed and creates nothing twice', async () => {
    const processed = (await as.get('/api/v1/social/events?status=processed')).json().data as {
      id: string;
      messageId: string;
    }[];
    const e = processed[0] as { id: string; messageId: string };
    const total = (await messages()).length;
    const res = await as.post(`/api/v1/social/events/${e.id}/replay`, {});
    expect(res.statusCode).toBe(202);
    await run();
    expect((await messages()).length).toBe(total);
    const again = (await as.get('/api/v1/social/events?status=processed')).json().data as {
      id: string;
      messageId: string;
    }[];
    expect(again.find((x) => x.id === e.id)?.messageId).toBe(e.messageId);
  });

  it('reply through the Send API format within 24 h; after 24 h Messenger refuses (409)', async () => {
    const contact = await buildContact(as, { lastName: 'Replied', socialProfiles: { messenger: 'PSID-REPLY' } });
    const body = messenger(PAGE, 'PSID-REPLY', 'mid.reply.1', 'Can you help me with my order?');
    await post(fb.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) });
    await run();
    const [m] = await byExternal('facebook:mid.reply.1');
    const win = await as.get(`/api/v1/social/messages/${m?.id}/window`);
    expect(win.json().data).toMatchObject({ open: true });
    const sent = await as.post(`/api/v1/social/messages/${m?.id}/reply`, { text: 'Sure, what is the order number?' });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json().data).toMatchObject({ deliveryStatus: 'sent', deliveryError: null });
    const req = fake.requests.at(-1);
    expect(req).toMatchObject({
      method: 'POST',
      path: '/me/messages',
      authorization: 'Bearer page-token-0001',
      body: {
        recipient: { id: 'PSID-REPLY' },
        messaging_type: 'RESPONSE',
        message: { text: 'Sure, what is the order number?' },
      },
    });
    const [answered] = await byExternal('facebook:mid.reply.1');
    expect(answered?.status).toBe('answered');
    // Our reply is a contact made, by us: on the ledger for colleagues to see.
    const rep = await memberWithRole(t, admin.workspaceId, 'administrator', 'Colleague');
    const guard = await client(t, rep).get(`/api/v1/contacts/${contact.id}/recent-contacts?channel=social`);
    expect(guard.statusCode).toBe(200);
    expect(guard.json().data.warn).toBe(true);
    expect(guard.body).toContain('Sure, what is the order number?');

    const oldBody = messenger(PAGE, 'PSID-OLD', 'mid.old.1', 'Hello from yesterday', Date.now() - 25 * HOUR);
    await post(fb.id, oldBody, { 'x-hub-signature-256': metaSig(SECRET, oldBody) });
    await run();
    const [old] = await byExternal('facebook:mid.old.1');
    const count = fake.requests.length;
    const late = await as.post(`/api/v1/social/messages/${old?.id}/reply`, { text: 'Sorry for the wait' });
    expect(late.statusCode).toBe(409);
    expect(late.json().detail).toContain('reply window closed');
    expect(fake.requests.length).toBe(count);
    const empty = await as.post(`/api/v1/social/messages/${old?.id}/reply`, { text: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors[0].path).toBe('text');
  });

  it('Instagram after 24 h (within 7 days) replies with the HUMAN_AGENT tag', async () => {
    const ig = (await as.get('/api/v1/social/connections'))
      .json()
      .data.find((c: { network: string }) => c.network === 'instagram');
    await as.patch(`/api/v1/social/connections/${ig.id}`, { pageAccessToken: 'ig-token-0001' });
    const at = Date.now() - 3 * 24 * HOUR;
    const body = JSON.stringify({
      object: 'instagram',
      entry: [
        {
          id: '17841400000000',
          time: at,
          messaging: [
            {
              sender: { id: 'IGSID-LATE' },
              recipient: { id: '17841400000000' },
              timestamp: at,
              message: { mid: 'ig.late.1', text: 'Any news?' },
            },
          ],
        },
      ],
    });
    await post(ig.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) });
    await run();
    const [m] = await byExternal('instagram:ig.late.1');
    const res = await as.post(`/api/v1/social/messages/${m?.id}/reply`, { text: 'Yes: it ships tomorrow' });
    expect(res.statusCode, res.body).toBe(201);
    expect(fake.requests.at(-1)?.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      recipient: { id: 'IGSID-LATE' },
    });
  });

  it('an expired token: the reply is kept as failed, the connection shows it and the admin is notified; a new token and retry send it', async () => {
    const body = messenger(PAGE, 'PSID-TOKEN', 'mid.token.1', 'Hello?');
    await post(fb.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) });
    await run();
    const [m] = await byExternal('facebook:mid.token.1');
    fake.answer({ status: 400, body: JSON.parse(fixture('meta-expired-token-error.json')) });
    const res = await as.post(`/api/v1/social/messages/${m?.id}/reply`, { text: 'Hi there' });
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({ deliveryStatus: 'failed' });
    expect(res.json().data.deliveryError).toContain('Session has expired');
    const replyId = res.json().data.id;
    const conn = (await as.get(`/api/v1/social/connections/${fb.id}`)).json().data;
    expect(conn).toMatchObject({ tokenStatus: 'expired' });
    const notes = await as.get('/api/v1/notifications');
    expect(notes.body).toContain('has expired');
    // The failed reply is a record: listed, not dropped.
    const failed = await messages({ field: 'deliveryStatus', op: 'eq', value: 'failed' });
    expect(failed.map((f) => f.id)).toContain(replyId);
    // A new token clears the state; retry sends the same reply.
    const patched = await as.patch(`/api/v1/social/connections/${fb.id}`, { pageAccessToken: 'page-token-0002' });
    expect(patched.json().data).toMatchObject({ tokenStatus: 'ok' });
    const retried = await as.post(`/api/v1/social/messages/${replyId}/retry`, {});
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json().data).toMatchObject({ id: replyId, deliveryStatus: 'sent' });
    expect(fake.requests.at(-1)).toMatchObject({
      authorization: 'Bearer page-token-0002',
      body: { message: { text: 'Hi there' } },
    });
  });

  it('a message becomes a ticket, a lead, a contact or a task in one step', async () => {
    const [m] = await byExternal('facebook:mid.angry.1');
    for (const to of ['ticket', 'lead', 'task', 'contact'] as const) {
      const res = await as.post(`/api/v1/social/messages/${m?.id}/convert`, { to });
      expect(res.statusCode, res.body).toBe(201);
      const { object, id } = res.json().data;
      expect((await as.get(`/api/v1/${object}/${id}`)).statusCode).toBe(200);
      if (to === 'ticket')
        expect((await as.get(`/api/v1/tickets/${id}`)).json().data).toMatchObject({
          channel: 'social',
          priority: 'high',
        });
    }
    const [after] = await byExternal('facebook:mid.angry.1');
    expect(after?.leadId).toBeTruthy();
  });

  it('a conversation is assigned to a person and a team from any of its messages; new messages inherit it', async () => {
    const deliver = async (mid: string, text: string) => {
      const body = messenger(PAGE, 'PSID-ASSIGN-1', mid, text);
      expect((await post(fb.id, body, { 'x-hub-signature-256': metaSig(SECRET, body) })).statusCode).toBe(200);
      await run();
      const [m] = await byExternal(`facebook:${mid}`);
      return m as Record<string, unknown>;
    };
    const first = await deliver('mid.assign.1', 'Where is my order?');
    await deliver('mid.assign.2', 'Hello? Anyone?');
    const unassigned = { field: 'assigneeId', op: 'isEmpty' };
    const thread = { field: 'authorId', op: 'eq', value: 'PSID-ASSIGN-1' };
    expect(await messages({ and: [thread, unassigned] })).toHaveLength(2);

    const team = (await as.post('/api/v1/teams', { name: 'Social care' })).json().data as { id: string };
    const res = await as.post(`/api/v1/social/messages/${first.id}/assign`, {
      assigneeId: admin.userId,
      teamId: team.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject({ assigneeId: admin.userId, teamId: team.id, updated: 2 });
    const mine = await messages({ and: [thread, { field: 'assigneeId', op: 'eq', value: admin.userId }] });
    expect(mine).toHaveLength(2);
    expect(await messages({ and: [thread, unassigned] })).toHaveLength(0);

    // A new message of the conversation stays with its person and team.
    const third = await deliver('mid.assign.3', 'Still waiting.');
    expect(third).toMatchObject({ assigneeId: admin.userId, teamId: team.id });

    // Bad input names the field; an unknown user or team is refused; null clears.
    const empty = await as.post(`/api/v1/social/messages/${first.id}/assign`, {});
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('assigneeId');
    const badId = await as.post(`/api/v1/social/messages/${first.id}/assign`, { teamId: 'nope' });
    expect(badId.statusCode).toBe(422);
    expect(badId.body).toContain('teamId');
    const stranger = await as.post(`/api/v1/social/messages/${first.id}/assign`, {
      assigneeId: '00000000-0000-4000-8000-000000000001',
    });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.body).toContain('assigneeId');
    const cleared = await as.post(`/api/v1/social/messages/${first.id}/assign`, { assigneeId: null });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().data).toMatchObject({ assigneeId: null, teamId: team.id, updated: 3 });
    expect(await messages({ and: [thread, unassigned] })).toHaveLength(3);
    expect(
      (await as.post('/api/v1/social/messages/00000000-0000-4000-8000-000000000002/assign', { assigneeId: null }))
        .statusCode,
    ).toBe(404);
  });

  it('only people who may update social messages assign them', async () => {
    const [m] = await byExternal('facebook:mid.assign.1');
    const reader = await memberWithRole(t, admin.workspaceId, 'data_analyst');
    const res = await client(t, reader).post(`/api/v1/social/messages/${m?.id}/assign`, { assigneeId: null });
    expect([403, 404]).toContain(res.statusCode);
  });

  it('"send a test event" goes through the webhook, signed, and arrives', async () => {
    const res = await as.post(`/api/v1/social/connections/${fb.id}/test`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json().data.status).toBe(200);
    await run();
    const got = await messages({ field: 'authorId', op: 'eq', value: 'rapport-test-sender' });
    expect(got[0]?.text).toContain('test event');
  });

  it('the brand mentions dashboard: volume by network and day, sentiment, top authors, unanswered, median response time', async () => {
    const res = await as.get('/api/v1/social/stats?days=30');
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json().data;
    const networks = new Set(d.volume.map((v: { network: string }) => v.network));
    // X's documented payloads are from 2018 and 2020: outside the 30 days.
    expect([...networks].sort()).toEqual(['facebook', 'generic', 'instagram']);
    expect(d.sentiment.some((s: { negative: number }) => s.negative > 0)).toBe(true);
    expect(d.topAuthors.length).toBeGreaterThan(0);
    expect(d.unanswered).toBeGreaterThan(0);
    // Replies went out within seconds of the messages they answer.
    expect(d.medianResponseMinutes).not.toBeNull();
    expect(d.medianResponseMinutes).toBeLessThan(60);
    expect((await as.get('/api/v1/social/stats?days=0')).statusCode).toBe(422);
  });

  it('the handshakes’ secrets never reach a log line', () => {
    const logged = redactUrl(`/social/webhooks/${fb.id}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1`);
    expect(logged).not.toContain(VERIFY);
    expect(redactUrl('/social/webhooks/x?crc_token=abc123secret')).not.toContain('abc123secret');
  });
});
