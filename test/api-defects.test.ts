import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { buildContact } from './helpers/factories';
import { client, type HttpClient } from './helpers/http';

/**
 * Defects an independent fuzz run of the OpenAPI document found (issue 24, point 7), each
 * kept fixed by a test here.
 */
describe('defects found by fuzzing the OpenAPI document', () => {
  let t: TestApp;
  let a: SignedUp;
  let api: HttpClient;

  beforeAll(async () => {
    t = await createTestApp();
    a = await signUp(t.app, { workspaceName: 'Defects Co' });
    api = client(t, a.cookie);
  });
  afterAll(() => t.stop());

  it('POST /{object}/{id}/restore with an Idempotency-Key answers a retry with the first response, not 404', async () => {
    const contact = await buildContact(api, { lastName: 'Restored' });
    expect((await api.del(`/api/v1/contacts/${contact.id}`)).statusCode).toBe(204);
    const key = { 'idempotency-key': 'restore-once-1' };
    const first = await api.post(`/api/v1/contacts/${contact.id}/restore`, undefined, key);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().data.id).toBe(contact.id);
    const retry = await api.post(`/api/v1/contacts/${contact.id}/restore`, undefined, key);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers.etag).toBe(first.headers.etag);
    // Without a key a second restore is what it always was: the record is not in the trash.
    expect((await api.post(`/api/v1/contacts/${contact.id}/restore`)).statusCode).toBe(404);
    // The same key on another record's restore is a reuse, refused.
    const other = await buildContact(api, { lastName: 'Other' });
    await api.del(`/api/v1/contacts/${other.id}`);
    const reused = await api.post(`/api/v1/contacts/${other.id}/restore`, undefined, key);
    expect(reused.statusCode).toBe(422);
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('POST /{object}/{id}/comments with an Idempotency-Key adds one comment however often it is retried', async () => {
    const contact = await buildContact(api, { lastName: 'Commented' });
    const key = { 'idempotency-key': 'comment-once-1' };
    const first = await api.post(`/api/v1/contacts/${contact.id}/comments`, { body: 'Called back' }, key);
    expect(first.statusCode, first.body).toBe(201);
    const retry = await api.post(`/api/v1/contacts/${contact.id}/comments`, { body: 'Called back' }, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from comments where record_id = ${contact.id}::uuid`.execute(t.database.db);
    expect(rows[0]?.n).toBe(1);
    const changed = await api.post(`/api/v1/contacts/${contact.id}/comments`, { body: 'Another' }, key);
    expect(changed.statusCode).toBe(422);
    expect(changed.json().code).toBe('idempotency_key_reused');
  });

  it('a field whose name is the empty string is refused by name (the fuzz test found a 422 naming nothing)', async () => {
    for (const url of ['/api/v1/contacts', '/api/v1/contacts/duplicates']) {
      const res = await api.post(url, { '': 'x', lastName: 'Named' });
      expect(res.statusCode, url).toBe(422);
      expect(res.json().errors, url).toEqual([{ path: '""', message: 'unknown field' }]);
    }
  });

  it('a 20 KB URL gets 431 problem+json with Connection: close, and the connection ends cleanly', async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(base);
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    let reset: Error | undefined;
    socket.on('data', (d) => {
      received += String(d);
    });
    socket.on('error', (err) => {
      reset = err;
    });
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `GET /api/v1/contacts?q=${'x'.repeat(20 * 1024)} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`,
    );
    await ended;
    expect(reset).toBeUndefined();
    const [head = '', body = ''] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(head).toMatch(/\r\nconnection: close(\r\n|$)/i);
    const problem = JSON.parse(body);
    expect(problem).toMatchObject({ status: 431, code: 'headers_too_large' });
    expect(problem.detail).toMatch(/16 KB/);
  });

  it('the OpenAPI document types attendeeUserIds and participantUserIds as lists of uuids', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const arrayOf = (schema: Record<string, unknown>): Record<string, unknown> | undefined => {
      if (schema.type === 'array') return schema;
      for (const alt of (schema.anyOf ?? schema.oneOf ?? []) as Record<string, unknown>[]) {
        const found = arrayOf(alt);
        if (found) return found;
      }
      return undefined;
    };
    for (const [schema, field] of [
      ['Meeting', 'attendeeUserIds'],
      ['MeetingCreate', 'attendeeUserIds'],
      ['MeetingUpdate', 'attendeeUserIds'],
      ['Interaction', 'participantUserIds'],
      ['InteractionCreate', 'participantUserIds'],
    ] as const) {
      const prop = doc.components.schemas[schema]?.properties?.[field];
      expect(prop, `${schema}.${field}`).toBeDefined();
      const list = arrayOf(prop);
      expect(list, `${schema}.${field}: ${JSON.stringify(prop)}`).toBeDefined();
      expect(list?.items).toMatchObject({ type: 'string', format: 'uuid' });
    }
  });

  it('the OpenAPI document marks sign-up, sign-in and the other public operations `security: []`', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/v1/auth/sign-up'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/auth/sign-in'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/auth/password-reset'].post.security).toEqual([]);
    // …and an operation that needs credentials keeps the document's default.
    expect(doc.paths['/api/v1/me'].get.security).toBeUndefined();
    expect(doc.security).toEqual([{ apiKey: [] }, { session: [] }]);
  });
});
