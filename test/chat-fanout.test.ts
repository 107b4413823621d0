import { afterAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, uniqueEmail } from './helpers/app';
import { type ChatSocket, openChatSocket } from './helpers/chat-sockets';
import { freshDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { networkClient, signUpOver } from './helpers/http';
import { type ServerProcess, startServerProcess } from './helpers/server-process';

/**
 * Live chat across app processes: two `rapport serve` on one PostgreSQL database. The
 * visitor's socket is on one, the agent's console socket on the other; messages, typing and
 * read receipts cross between them through LISTEN/NOTIFY. (An embedded database belongs to
 * one process: there is nothing to fan out to.)
 */
describe.skipIf(ENGINE !== 'postgres')('live chat fan-out between two app processes', () => {
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

  it('a visitor on process A and an agent on process B chat in real time', async () => {
    db = await freshDatabase();
    const env = { DATABASE_URL: db.databaseUrl ?? '', RAPPORT_SEED_DEMO: 'false' };
    // The first start migrates; the second joins the migrated database.
    servers.push(await startServerProcess(env, 180_000));
    servers.push(await startServerProcess(env, 180_000));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const cookie = await signUpOver(a.url, {
      name: 'Fan Out',
      email: uniqueEmail('fanout'),
      password: STRONG_PASSWORD,
      workspaceName: 'Fan-out Co',
    });
    const onA = networkClient(() => a.url, cookie);
    const onB = networkClient(() => b.url, cookie);
    const settings = (await (await onA('POST', '/api/v1/chat/settings', { enabled: true })).json()) as {
      data: { widgetKey: string };
    };
    expect((await onB('PUT', '/api/v1/chat/presence', { status: 'online' })).status).toBe(200);

    const agent = await openChatSocket(`${b.url.replace('http', 'ws')}/api/v1/chat/stream`, { cookie });
    sockets.push(agent);
    await agent.next('hello');
    const visitor = await openChatSocket(`${a.url.replace('http', 'ws')}/chat/socket?key=${settings.data.widgetKey}`);
    sockets.push(visitor);
    visitor.send({ type: 'start', name: 'Vic' });
    expect((await visitor.next('started')).status).toBe('active');
    const conv = (await agent.next('conversation', (f) => f.conversation.visitor.name === 'Vic')).conversation;

    visitor.send({ type: 'typing', typing: true });
    expect(await agent.next('typing')).toMatchObject({ conversationId: conv.id, typing: true });
    visitor.send({ type: 'message', body: 'Hello from process A' });
    expect((await agent.next('message')).message).toMatchObject({ author: 'visitor', body: 'Hello from process A' });

    agent.send({ type: 'typing', conversationId: conv.id, typing: true });
    expect(await visitor.next('typing')).toMatchObject({ typing: true });
    expect((await onB('POST', `/api/v1/chats/${conv.id}/messages`, { body: 'Answered from process B' })).status).toBe(
      201,
    );
    expect((await visitor.next('message', (f) => f.message.author === 'agent')).message.body).toBe(
      'Answered from process B',
    );
    visitor.send({ type: 'read' });
    expect(await agent.next('read')).toMatchObject({ conversationId: conv.id });
  });
});
