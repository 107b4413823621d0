import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TChatSettings } from '../../../common/contracts/chat';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { type ChatSocket, openChatSocket, until } from '../../../test/helpers/chat-sockets';
import { buildContact } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { ChatHub } from './chat-hub';
import { identityHash } from './chat-settings.service';
import { CHAT_WIDGET_SCRIPT } from './chat-widget';
import { VisitorMessageWriter } from './visitor-messages';

const SITE = 'https://shop.example.com';

describe('live chat: widget, visitor and agent sockets, routing, offline tickets, transcripts', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let rep: Member;
  let rep2: Member;
  let analyst: Member;
  let settings: TChatSettings;
  let base = '';
  const open: ChatSocket[] = [];

  const visitor = async (origin = SITE, key = settings.widgetKey) => {
    const s = await openChatSocket(`${base.replace('http', 'ws')}/chat/socket?key=${key}`, { origin });
    open.push(s);
    return s;
  };
  const agent = async (m: { cookie: string }) => {
    const s = await openChatSocket(`${base.replace('http', 'ws')}/api/v1/chat/stream`, { cookie: m.cookie });
    open.push(s);
    await s.next('hello');
    return s;
  };
  const rows = async <T>(query: ReturnType<typeof sql<T>>) =>
    (await t.database.tenant(admin.workspaceId, (tx) => query.execute(tx))).rows;
  const endAll = () => sql`update chat_conversations set status = 'ended' where status in ('waiting', 'active')`;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Chat Co' });
    as = client(t, admin);
    rep = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Chloe Agent');
    rep2 = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Noah Agent');
    analyst = await memberWithRole(t, admin.workspaceId, 'data_analyst', 'Ada Analyst');
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.stop();
  });

  it('serves widget.js as JavaScript under 30 KB gzipped, cacheable and loadable by other sites', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/chat/widget.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/javascript/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.body).toBe(CHAT_WIDGET_SCRIPT);
    const gz = gzipSync(Buffer.from(res.body)).length;
    expect(gz).toBeLessThan(30 * 1024);
    // Accessible by construction: a dialog, a live log, a labelled input.
    expect(res.body).toContain("role: 'log'");
    expect(res.body).toContain("'aria-live': 'polite'");
    expect(res.body).toContain("role: 'dialog'");
    const again = await t.app.inject({
      method: 'GET',
      url: '/chat/widget.js',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('settings: administrators only, fields checked by name, the identity secret shown once and stored sealed', async () => {
    expect((await client(t, rep).get('/api/v1/chat/settings')).statusCode).toBe(403);
    const first = await as.get('/api/v1/chat/settings');
    expect(first.statusCode).toBe(200);
    settings = first.json().data;
    expect(settings.enabled).toBe(false);
    expect(settings.snippet).toContain(`data-key="${settings.widgetKey}"`);

    const bad = await as.post('/api/v1/chat/settings', { colour: 'blue', allowedOrigins: ['not a site'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(bad.body).toContain('colour');
    expect(bad.body).toContain('allowedOrigins');
    const noSecret = await as.post('/api/v1/chat/settings', { requireVerification: true });
    expect(noSecret.statusCode).toBe(422);
    expect(noSecret.json().errors[0].path).toBe('requireVerification');

    const changed = await as.post('/api/v1/chat/settings', {
      enabled: true,
      colour: '#AA3300',
      greeting: 'Hello from Chat Co',
      allowedOrigins: [SITE],
      rotateIdentitySecret: true,
    });
    expect(changed.statusCode).toBe(200);
    settings = changed.json().data;
    expect(settings).toMatchObject({ enabled: true, colour: '#aa3300', hasIdentitySecret: true });
    expect(settings.identitySecret).toMatch(/^[0-9a-f]{64}$/);
    const stored = await rows(sql<{ identity_secret: string }>`select identity_secret from chat_settings`);
    expect(stored[0]?.identity_secret).not.toContain(settings.identitySecret as string);
    expect(stored[0]?.identity_secret.startsWith('v1:')).toBe(true);
    expect((await as.get('/api/v1/chat/settings')).json().data.identitySecret).toBeUndefined();
  });

  it('the public config and socket reveal nothing for an unknown key or a site not allowed', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/chat/config?key=AAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.json().data).toMatchObject({ enabled: false, online: false });
    const otherSite = await t.app.inject({
      method: 'GET',
      url: `/chat/config?key=${settings.widgetKey}`,
      headers: { origin: 'https://evil.example' },
    });
    expect(otherSite.json().data).toEqual(unknown.json().data);
    const ok = await t.app.inject({
      method: 'GET',
      url: `/chat/config?key=${settings.widgetKey}`,
      headers: { origin: SITE },
    });
    expect(ok.json().data).toMatchObject({ enabled: true, online: false, greeting: 'Hello from Chat Co' });
    expect(ok.headers['access-control-allow-origin']).toBe(SITE);
    await expect(visitor('https://evil.example')).rejects.toThrow('refused with 404');
    await expect(visitor(SITE, 'AAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow('refused with 404');
  });

  it('nobody online: the visitor gets the offline form and the message becomes a ticket (channel chat)', async () => {
    const v = await visitor();
    v.send({ type: 'start' });
    await v.next('offline');
    v.send({ type: 'offline', name: 'Olive Offline', email: 'not-an-email', message: 'Hi' });
    expect((await v.next('error')).field).toBe('email');
    v.send({ type: 'offline', name: 'Olive Offline', email: 'olive@example.com', message: 'Where is my order 1234?' });
    const ticket = await v.next('ticket');
    const found = (
      await as.get(
        `/api/v1/tickets?filter=${encodeURIComponent(JSON.stringify({ field: 'number', op: 'eq', value: ticket.number }))}`,
      )
    ).json().data[0];
    expect(found).toMatchObject({ channel: 'chat', subject: 'Chat: Where is my order 1234?' });
    expect(found.contactId).toBeTruthy();
    const messages = (await as.get(`/api/v1/tickets/${found.id}/messages`)).json().data;
    expect(messages[0]).toMatchObject({
      kind: 'inbound',
      body: 'Where is my order 1234?',
      from: { address: 'olive@example.com' },
    });
    v.close();
  });

  it('routes to an online agent; messages, typing and read receipts flow both ways; the transcript lands on the contact', async () => {
    const known = await buildContact(as, { lastName: 'Known', email: 'vera@example.com' });
    expect(
      (await client(t, rep).put('/api/v1/chat/presence', { status: 'online', capacity: 2 })).json().data,
    ).toMatchObject({
      status: 'online',
      capacity: 2,
      activeChats: 0,
    });
    const console = await agent(rep);
    const v = await visitor();
    v.send({
      type: 'start',
      identity: {
        email: 'vera@example.com',
        name: 'Vera Visitor',
        hash: identityHash(settings.identitySecret as string, 'vera@example.com'),
      },
    });
    const started = await v.next('started');
    expect(started).toMatchObject({ status: 'active', agentName: 'Chloe Agent' });
    expect(started.messages[0]).toMatchObject({ author: 'system', body: 'Hello from Chat Co' });
    const conv = (await console.next('conversation', (f) => f.conversation.visitor.email === 'vera@example.com'))
      .conversation;
    expect(conv).toMatchObject({
      status: 'active',
      contactId: known.id,
      visitor: { verified: true },
      agent: { id: rep.userId },
    });

    v.send({ type: 'typing', typing: true });
    expect(await console.next('typing')).toMatchObject({ conversationId: conv.id, typing: true });
    v.send({ type: 'message', body: 'My parcel has not arrived' });
    expect((await console.next('message')).message).toMatchObject({
      author: 'visitor',
      body: 'My parcel has not arrived',
    });
    await v.next('message'); // the visitor's own message, confirmed

    console.send({ type: 'typing', conversationId: conv.id, typing: true });
    expect(await v.next('typing')).toMatchObject({ typing: true });
    await client(t, rep).post(`/api/v1/chats/${conv.id}/read`);
    expect((await v.next('read')).at).toBeTruthy();
    const reply = await client(t, rep).post(`/api/v1/chats/${conv.id}/messages`, {
      body: 'Let me check that for you.',
    });
    expect(reply.statusCode).toBe(201);
    expect((await v.next('message')).message).toMatchObject({
      author: 'agent',
      authorName: 'Chloe Agent',
      body: 'Let me check that for you.',
    });
    v.send({ type: 'read' });
    expect(await console.next('read')).toMatchObject({ conversationId: conv.id });

    const empty = await client(t, rep).post(`/api/v1/chats/${conv.id}/messages`, { body: '   ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors[0].path).toBe('body');

    const ended = await client(t, rep).post(`/api/v1/chats/${conv.id}/end`);
    expect(ended.json().data.status).toBe('ended');
    // Status frames arrive as each change fans out (on PostgreSQL through LISTEN, so earlier ones may come late).
    await v.next('status', (f) => f.status === 'ended');
    v.send({ type: 'csat', rating: 4, comment: 'Quick and kind' });
    await v.next('thanks');
    const detail = (await client(t, rep).get(`/api/v1/chats/${conv.id}`)).json().data;
    expect(detail).toMatchObject({ csatRating: 4, csatComment: 'Quick and kind' });
    expect(detail.messages.map((m: { author: string }) => m.author)).toEqual(['system', 'visitor', 'agent', 'system']);

    const timeline = (await as.get(`/api/v1/contacts/${known.id}/timeline`)).json().data;
    const chatItem = timeline.find((i: { kind: string; title?: string }) => i.kind === 'interaction');
    expect(chatItem).toBeTruthy();
    const interactions = (
      await as.get(
        `/api/v1/interactions?filter=${encodeURIComponent(JSON.stringify({ field: 'contactId', op: 'eq', value: known.id }))}&fields=topic,channel,body`,
      )
    ).json().data;
    expect(interactions[0]).toMatchObject({ topic: 'Live chat with Chloe Agent', channel: 'chat' });
    expect(interactions[0].body).toContain('Visitor: My parcel has not arrived');
    expect(interactions[0].body).toContain('Rating: 4/5 — Quick and kind');
    // The timeline's interaction leads back to its chat (the console's deep link).
    const linked = await client(t, rep).get(`/api/v1/chats?interactionId=${chatItem.id}`);
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json().data.map((c: { id: string }) => c.id)).toEqual([conv.id]);
    // Another id (not an interaction's) finds nothing.
    expect((await client(t, rep).get(`/api/v1/chats?interactionId=${conv.id}`)).json().data).toEqual([]);
    expect((await client(t, rep).get('/api/v1/chats?interactionId=nope')).statusCode).toBe(422);
    v.close();
  });

  it('verification required: an identity without a valid HMAC is never linked to a contact', async () => {
    await as.post('/api/v1/chat/settings', { requireVerification: true });
    const victim = await buildContact(as, { lastName: 'Victim', email: 'ceo@example.com' });
    const v = await visitor();
    v.send({ type: 'start', identity: { email: 'ceo@example.com', name: 'Not The CEO', hash: 'ab'.repeat(32) } });
    await v.next('started');
    const [row] = await rows(
      sql<{ verified: boolean; contact_id: string | null }>`select verified, contact_id from chat_conversations
        where visitor_email = 'ceo@example.com'`,
    );
    expect(row).toEqual({ verified: false, contact_id: null });
    expect(victim.id).toBeTruthy();
    // And the offline form's typed address links to nobody either.
    v.send({ type: 'end' });
    await v.next('status', (f) => f.status === 'ended');
    await as.post('/api/v1/chat/settings', { requireVerification: false });
    v.close();
  });

  it('capacity: a full agent’s next chat waits in the queue and is routed when a chat ends', async () => {
    await rows(endAll());
    await client(t, rep).put('/api/v1/chat/presence', { status: 'online', capacity: 1 });
    const a = await visitor();
    a.send({ type: 'start', name: 'First' });
    expect((await a.next('started')).status).toBe('active');
    const b = await visitor();
    b.send({ type: 'start', name: 'Second' });
    const waiting = await b.next('started');
    expect(waiting.status).toBe('waiting');
    const queue = (await client(t, rep).get('/api/v1/chats?status=waiting')).json().data;
    expect(queue.map((c: { visitor: { name: string } }) => c.visitor.name)).toEqual(['Second']);
    // The second agent comes online: the waiting chat goes to them.
    await client(t, rep2).put('/api/v1/chat/presence', { status: 'online', capacity: 1 });
    expect(await b.next('status', (f) => f.status === 'active')).toMatchObject({ agentName: 'Noah Agent' });
    a.send({ type: 'end' });
    await a.next('status', (f) => f.status === 'ended');
    expect((await client(t, rep).get('/api/v1/chat/presence')).json().data.activeChats).toBe(0);
    await client(t, rep2).put('/api/v1/chat/presence', { status: 'offline' });
    a.close();
    b.close();
  });

  it('files both ways: sniffed, size-limited, each side downloads; the rating is csat.received on the contact', async () => {
    await rows(endAll());
    const fay = await buildContact(as, { lastName: 'Files', email: 'fay@example.com' });
    await client(t, rep).put('/api/v1/chat/presence', { status: 'online', capacity: 3 });
    const console = await agent(rep);
    const v = await visitor();
    v.send({
      type: 'start',
      identity: { email: 'fay@example.com', hash: identityHash(settings.identitySecret as string, 'fay@example.com') },
    });
    const { token } = await v.next('started');
    const conv = (await console.next('conversation', (f) => f.conversation.visitor.email === 'fay@example.com'))
      .conversation;
    const post = (body: Record<string, unknown>, origin = SITE, key = settings.widgetKey) =>
      t.app.inject({ method: 'POST', url: `/chat/files?key=${key}`, headers: { origin }, payload: body });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

    // The preflight a browser sends first (JSON body), answered for the allowed site only.
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: `/chat/files?key=${settings.widgetKey}`,
      headers: { origin: SITE, 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(SITE);
    expect(pre.headers['access-control-allow-headers']).toContain('x-rapport-chat-token');

    // Bad input: a clear 4xx naming the field, nothing stored.
    const b64 = png.toString('base64');
    expect((await post({ token: 'nope', filename: 'a.png', contentBase64: b64 })).statusCode).toBe(404);
    expect((await post({ token, filename: 'a.png', contentBase64: b64 }, 'https://evil.example')).statusCode).toBe(404);
    const slash = await post({ token, filename: '../a.png', contentBase64: b64 });
    expect(slash.statusCode).toBe(422);
    expect(slash.json().errors[0].path).toBe('filename');
    const notB64 = await post({ token, filename: 'a.png', contentBase64: '***' });
    expect(notB64.statusCode).toBe(422);
    expect(notB64.json().errors[0].path).toBe('contentBase64');
    const huge = await post({
      token,
      filename: 'big.bin',
      contentBase64: Buffer.alloc(5 * 1024 * 1024 + 1).toString('base64'),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toMatch(/problem\+json/);
    expect(await rows(sql`select id from chat_attachments where conversation_id = ${conv.id}::uuid`)).toHaveLength(0);

    // The visitor's file: the type is sniffed from the bytes (an "HTML" file is text), both sides see it.
    const sent = await post({ token, filename: 'receipt.png', contentBase64: b64 });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.headers['access-control-allow-origin']).toBe(SITE);
    const fileMsg = sent.json().data;
    expect(fileMsg).toMatchObject({
      author: 'visitor',
      body: '',
      attachments: [{ filename: 'receipt.png', contentType: 'image/png', size: png.length }],
    });
    const seenByAgent = await console.next('message', (f) => f.message.id === fileMsg.id);
    expect(seenByAgent.message.attachments[0].id).toBe(fileMsg.attachments[0].id);
    await v.next('message', (f) => f.message.id === fileMsg.id);
    // A conversation holds at most 20 files: a visitor cannot fill the database.
    await rows(sql`insert into chat_attachments (workspace_id, id, conversation_id, message_id, filename, content_type, size, content)
      select workspace_id, gen_random_uuid(), conversation_id, id, 'filler.txt', 'text/plain', 1, '\\x41'::bytea
      from chat_messages, generate_series(1, 19) where id = ${fileMsg.id}::uuid`);
    const full = await post({ token, filename: 'one-too-many.png', contentBase64: b64 });
    expect(full.statusCode).toBe(429);
    await rows(sql`delete from chat_attachments where filename = 'filler.txt'`);
    const html = await post({
      token,
      filename: 'page.html',
      contentBase64: Buffer.from('<script>alert(1)</script>').toString('base64'),
    });
    expect(html.json().data.attachments[0].contentType).toBe('text/plain');

    const got = await client(t, rep).get(`/api/v1/chats/${conv.id}/attachments/${fileMsg.attachments[0].id}`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(png)).toBe(true);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['content-disposition']).toMatch(/^attachment; filename="receipt.png"/);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(
      (await client(t, analyst).get(`/api/v1/chats/${conv.id}/attachments/${fileMsg.attachments[0].id}`)).statusCode,
    ).toBe(200);

    // The agent's file reaches the visitor, who downloads it with the conversation's token only.
    const noContent = await client(t, rep).post(`/api/v1/chats/${conv.id}/messages`, { body: ' ' });
    expect(noContent.statusCode).toBe(422);
    expect(noContent.json().errors[0].path).toBe('body');
    const pdf = Buffer.from('%PDF-1.4\n% the label\n');
    const reply = await client(t, rep).post(`/api/v1/chats/${conv.id}/messages`, {
      body: 'Here is your return label',
      attachments: [{ filename: 'label.pdf', contentBase64: pdf.toString('base64') }],
    });
    expect(reply.statusCode, reply.body).toBe(201);
    const label = reply.json().data.attachments[0];
    expect(label).toMatchObject({ filename: 'label.pdf', contentType: 'application/pdf' });
    expect((await v.next('message', (f) => f.message.author === 'agent')).message.attachments[0].id).toBe(label.id);
    const download = (tok: string | undefined, id = label.id) =>
      t.app.inject({
        method: 'GET',
        url: `/chat/files/${id}?key=${settings.widgetKey}`,
        headers: { origin: SITE, ...(tok ? { 'x-rapport-chat-token': tok } : {}) },
      });
    const mine = await download(token);
    expect(mine.statusCode).toBe(200);
    expect(mine.rawPayload.equals(pdf)).toBe(true);
    expect(mine.headers['access-control-allow-origin']).toBe(SITE);
    expect((await download(undefined)).statusCode).toBe(404);
    const other = await visitor();
    other.send({ type: 'start', name: 'Someone else' });
    const otherToken = (await other.next('started')).token;
    expect((await download(otherToken)).statusCode).toBe(404);
    other.send({ type: 'end' });
    other.close();

    // Ended and rated: the rating is csat.received (naming the contact) and on the contact's timeline.
    await client(t, rep).post(`/api/v1/chats/${conv.id}/end`);
    await v.next('status', (f) => f.status === 'ended');
    v.send({ type: 'csat', rating: 2, comment: 'Slow' });
    await v.next('thanks');
    const events = await rows(
      sql<{ object: string; record_id: string; data: Record<string, unknown> }>`select object, record_id, data
        from events where type = 'csat.received' and data ->> 'conversationId' = ${conv.id}`,
    );
    expect(events).toEqual([
      {
        object: 'contacts',
        record_id: fay.id,
        data: expect.objectContaining({
          channel: 'chat',
          contactId: fay.id,
          rating: 2,
          comment: 'Slow',
          ticketId: null,
        }),
      },
    ]);
    const timeline = (await as.get(`/api/v1/contacts/${fay.id}/timeline`)).json().data;
    expect(timeline.find((i: { type: string }) => i.type === 'contact.csat_received')).toMatchObject({
      data: expect.objectContaining({ channel: 'chat', conversationId: conv.id, rating: 2 }),
    });
    const transcript = (
      await as.get(
        `/api/v1/interactions?filter=${encodeURIComponent(JSON.stringify({ field: 'contactId', op: 'eq', value: fay.id }))}&fields=body`,
      )
    ).json().data[0];
    expect(transcript.body).toContain('Visitor: [file: receipt.png]');
    expect(transcript.body).toContain('Here is your return label [file: label.pdf]');
    v.close();
  });

  it('permissions: service reps work chats, data analysts only read them', async () => {
    const list = await client(t, analyst).get('/api/v1/chats');
    expect(list.statusCode).toBe(200);
    expect(list.json().data.length).toBeGreaterThan(0);
    const id = list.json().data[0].id;
    expect((await client(t, analyst).get(`/api/v1/chats/${id}`)).statusCode).toBe(200);
    expect((await client(t, analyst).put('/api/v1/chat/presence', { status: 'online' })).statusCode).toBe(403);
    expect((await client(t, analyst).post(`/api/v1/chats/${id}/messages`, { body: 'hi' })).statusCode).toBe(403);
    expect((await client(t, analyst).post(`/api/v1/chats/${id}/end`)).statusCode).toBe(403);
    expect((await client(t, analyst).post('/api/v1/chat/settings', { enabled: false })).statusCode).toBe(403);
    await expect(agent(analyst)).resolves.toBeTruthy(); // reading the live stream is reading
  });

  it('hostile visitor frames get a clear error, never a crash; a flood closes the socket', async () => {
    const v = await visitor();
    v.socket.send('not json');
    expect((await v.next('error')).message).toMatch(/JSON/);
    v.send({ type: 'message', body: 'before start' });
    expect((await v.next('error')).message).toMatch(/Start the chat/);
    v.send({ type: 'start', name: 'x'.repeat(500) });
    expect((await v.next('error')).field).toBe('name');
    v.send({ type: 'bogus' });
    expect((await v.next('error')).field).toBe('type');
    const closed = new Promise<number>((resolve) => v.socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 80; i++) v.send({ type: 'typing', typing: true });
    expect(await closed).toBe(4429);
  });

  it('outside business hours the chat offers the offline form even with agents online', async () => {
    await rows(endAll());
    await client(t, rep).put('/api/v1/chat/presence', { status: 'online' });
    const cal = await as.create('/api/v1/business-calendars', {
      name: 'Never open',
      timeZone: 'UTC',
      weeklyHours: {},
      holidays: [],
    });
    await as.post('/api/v1/chat/settings', { calendarId: cal.id });
    const cfg = await t.app.inject({ method: 'GET', url: `/chat/config?key=${settings.widgetKey}` });
    expect(cfg.json().data.online).toBe(false);
    const v = await visitor();
    v.send({ type: 'start' });
    await v.next('offline');
    await as.post('/api/v1/chat/settings', { calendarId: null });
    const v2 = await visitor();
    v2.send({ type: 'start' });
    expect((await v2.next('started')).status).toBe('active');
    await until(async () => (await client(t, rep).get('/api/v1/chats?status=mine')).json().data.length === 1);
    v.close();
    v2.close();
  });

  it('visitors sending at once: each message arrives once and in its conversation’s order; one the database cannot store fails alone', async () => {
    await rows(endAll());
    await client(t, rep).put('/api/v1/chat/presence', { status: 'online', capacity: 4 });
    const console = await agent(rep);
    const vs = [await visitor(), await visitor(), await visitor()];
    const ids: string[] = [];
    for (const v of vs) {
      v.send({ type: 'start' });
      const started = await v.next('started');
      expect(started.status).toBe('active');
      ids.push(started.messages[0].conversationId);
    }
    // Quotes, backslashes and accents travel intact; a NUL character cannot be stored in PostgreSQL text.
    const bodyOf = (n: number, i: number) => (n === 1 && i === 2 ? 'bad \u0000 byte' : `v${n} "m${i}" \\ é`);
    // Every frame at once, without waiting: the server writes them as they come, several per transaction.
    for (let i = 1; i <= 4; i++) {
      for (const [n, v] of vs.entries()) v.send({ type: 'message', body: bodyOf(n, i) });
    }
    const expected = (n: number) => [1, 2, 3, 4].filter((i) => !(n === 1 && i === 2)).map((i) => bodyOf(n, i));
    const fromVisitors = () => console.got.filter((f) => f.type === 'message' && f.message.author === 'visitor');
    await until(() => fromVisitors().length >= 11, 30_000, 'eleven messages at the console');
    expect(await vs[1]?.next('error')).toMatchObject({ field: 'body' });
    for (const [n, id] of ids.entries()) {
      // The console got each conversation's messages once, in the order they were sent ...
      const live = fromVisitors()
        .filter((f) => f.message.conversationId === id)
        .map((f) => f.message.body);
      expect(live).toEqual(expected(n));
      // ... the visitor saw each confirmed ...
      await until(() => (vs[n]?.got.filter((f) => f.type === 'message').length ?? 0) >= expected(n).length);
      // ... and the conversation stores them once, in that order.
      const detail = (await client(t, rep).get(`/api/v1/chats/${id}`)).json().data;
      expect(
        detail.messages.filter((m: { author: string }) => m.author === 'visitor').map((m: { body: string }) => m.body),
      ).toEqual(expected(n));
    }
    // Nothing more arrives later (no duplicate from a retried batch).
    await new Promise((r) => setTimeout(r, 300));
    expect(fromVisitors()).toHaveLength(11);
    for (const v of vs) v.close();
  });

  it('a message too large for one NOTIFY (4,000 non-Latin characters) still reaches the console, in order', async () => {
    await rows(endAll());
    await client(t, rep).put('/api/v1/chat/presence', { status: 'online', capacity: 4 });
    const console = await agent(rep);
    const v = await visitor();
    v.send({ type: 'start' });
    const id = (await v.next('started')).messages[0].conversationId;
    const large = '漢'.repeat(4000); // 12,000 bytes of UTF-8
    v.send({ type: 'message', body: large });
    v.send({ type: 'message', body: 'and a short one' });
    const first = await console.next('message', (f) => f.message.conversationId === id);
    expect(first.message).toMatchObject({ author: 'visitor', body: large });
    expect((await console.next('message', (f) => f.message.conversationId === id)).message.body).toBe(
      'and a short one',
    );
    expect((await v.next('message')).message.body).toBe(large);
    v.close();
  });

  it('group commit: messages written together share one transaction; an ended chat or an unstorable message fails only itself', async () => {
    await rows(endAll());
    await client(t, rep).put('/api/v1/chat/presence', { status: 'online', capacity: 4 });
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const v = await visitor();
      v.send({ type: 'start' });
      ids.push((await v.next('started')).messages[0].conversationId);
    }
    const [a, b, gone] = ids as [string, string, string];
    expect((await client(t, rep).post(`/api/v1/chats/${gone}/end`)).statusCode).toBe(200);
    const hub = new ChatHub({
      database: t.database,
      log: t.app.log,
      conversation: async () => null,
      message: async () => null,
    });
    const writer = new VisitorMessageWriter({ database: t.database, hub });
    const ws = admin.workspaceId;
    const stored = async (prefix: string) =>
      rows(
        sql<{ conversation_id: string; body: string; created_at: Date }>`select conversation_id, body, created_at
          from chat_messages where body like ${`${prefix}%`} order by created_at, id`,
      );

    const together = await Promise.allSettled([
      writer.write(ws, a, 'together 1'),
      writer.write(ws, b, 'together 2'),
      writer.write(ws, a, 'together 3'),
      writer.write(ws, gone, 'together late'),
    ]);
    expect(together.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((together[3] as PromiseRejectedResult).reason).toMatchObject({
      code: 'conflict',
      message: 'This chat has ended',
    });
    const one = await stored('together');
    expect(one.map((r) => r.body)).toEqual(['together 1', 'together 2', 'together 3']);
    // One transaction: one now() for all three.
    expect(new Set(one.map((r) => new Date(r.created_at).getTime())).size).toBe(1);

    const mixed = await Promise.allSettled([
      writer.write(ws, a, 'mixed 1'),
      writer.write(ws, b, 'mixed \u0000'),
      writer.write(ws, a, 'mixed 2'),
      writer.write(ws, gone, 'mixed late'),
    ]);
    expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((mixed[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'body' }],
    });
    expect((mixed[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    // The batch failed as a whole, so each was written again on its own: once each, in order.
    const again = await stored('mixed');
    expect(again.map((r) => [r.conversation_id, r.body])).toEqual([
      [a, 'mixed 1'],
      [a, 'mixed 2'],
    ]);
    expect(new Date(again[0]?.created_at as Date).getTime()).toBeLessThanOrEqual(
      new Date(again[1]?.created_at as Date).getTime(),
    );
  });
});
