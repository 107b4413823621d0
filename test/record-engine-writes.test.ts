import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { client } from './helpers/http';

/**
 * Writes modules make to records beyond a caller's PATCH (a consumer keeping a derived
 * field, a conversion, a child list) go through the engine: the record's version moves,
 * an audit row and a `<object>.updated` event say what changed.
 */
describe('module writes to records get their version, audit row and event', () => {
  let t: TestApp;
  let admin: SignedUp;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Eve Engine', workspaceName: 'Engine Writes Co' });
  });
  afterAll(() => t.stop());

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await client(t, admin).call(method, url, payload);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json().data;
  };
  const eventsOf = (object: string, id: string) =>
    t.database.tenant(admin.workspaceId, async (tx) => {
      const { rows } = await sql<{ type: string; data: { changes?: Record<string, [unknown, unknown]> } }>`
        select type, data from events where object = ${object} and record_id = ${id}::uuid order by seq`.execute(tx);
      return rows;
    });
  const auditOf = async (object: string, id: string) =>
    (await call('GET', `/api/v1/audit-log?object=${object}&recordId=${id}`)) as {
      action: string;
      changes?: Record<string, [unknown, unknown]>;
    }[];

  it('last-contacted: the contact gets a new version, contact.updated and an audit row', async () => {
    const c = await call('POST', '/api/v1/contacts', { lastName: 'Contacted' });
    expect(c.version).toBe(1);
    await t.events.drain();
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await call('POST', '/api/v1/interactions', { channel: 'call', topic: 'hello', contactId: c.id, occurredAt: at });
    await t.events.drain();
    const after = await call('GET', `/api/v1/contacts/${c.id}`);
    expect(after).toMatchObject({ lastContactedAt: at, version: 2 });
    const updated = (await eventsOf('contacts', c.id)).filter((e) => e.type === 'contact.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]?.data.changes?.lastContactedAt).toEqual([null, at]);
    const log = await auditOf('contacts', c.id);
    expect(log.some((e) => e.action === 'record.updated' && e.changes?.lastContactedAt?.[1] === at)).toBe(true);
    // An older interaction changes nothing: no new version, no event.
    await call('POST', '/api/v1/interactions', {
      channel: 'email',
      topic: 'old',
      contactId: c.id,
      occurredAt: new Date(Date.now() - 50 * 3_600_000).toISOString(),
    });
    await t.events.drain();
    expect((await call('GET', `/api/v1/contacts/${c.id}`)).version).toBe(2);
    expect((await eventsOf('contacts', c.id)).filter((e) => e.type === 'contact.updated')).toHaveLength(1);
  });

  it('lead conversion: the lead gets a new version, lead.updated naming the converted fields, an audit row', async () => {
    const l = await call('POST', '/api/v1/leads', { lastName: 'Convertible', company: 'Engine Works' });
    const r = await call('POST', `/api/v1/leads/${l.id}/convert`, {});
    expect(r.lead).toMatchObject({ status: 'converted', version: 2 });
    const updated = (await eventsOf('leads', l.id)).filter((e) => e.type === 'lead.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]?.data.changes).toMatchObject({
      status: ['new', 'converted'],
      convertedContactId: [null, r.contact.id],
      convertedAccountId: [null, r.account.id],
    });
    const log = await auditOf('leads', l.id);
    expect(log.some((e) => e.action === 'record.updated' && e.changes?.status?.[1] === 'converted')).toBe(true);
  });

  it('opportunity contacts: the opportunity gets a new version, opportunity.updated and an audit row', async () => {
    const c = await call('POST', '/api/v1/contacts', { lastName: 'Buyer' });
    const o = await call('POST', '/api/v1/opportunities', { name: 'Engine deal' });
    await call('PUT', `/api/v1/opportunities/${o.id}/contacts`, {
      contacts: [{ contactId: c.id, role: 'champion', isPrimary: true }],
    });
    expect((await call('GET', `/api/v1/opportunities/${o.id}`)).version).toBe(o.version + 1);
    const updated = (await eventsOf('opportunities', o.id)).filter((e) => e.type === 'opportunity.updated');
    expect(updated.at(-1)?.data.changes?.contacts).toEqual([
      [],
      [{ contactId: c.id, role: 'champion', isPrimary: true }],
    ]);
    const log = await auditOf('opportunities', o.id);
    expect(log.some((e) => e.action === 'record.updated' && e.changes?.contacts)).toBe(true);
  });
});
