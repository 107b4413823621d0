import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../server/modules/tickets';
import type { ObjectDef } from '../server/platform/records/types';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { client } from './helpers/http';
import { memberWithRole } from './helpers/members';
import { SampleRecords } from './helpers/sample-records';

/**
 * Issue 12 (points 3, 4, 5, 11 and "beyond the list"): every read path shows a role
 * exactly what it may read, for every declared object (the registry is iterated, so
 * a new object joins without an edit). One record of each object is made by the
 * administrator with a custom field `secretNote` holding a per-object secret and
 * `rowTag = blocked`. Then, per object:
 *
 * - `hider` (reads everything, `secretNote` hidden on every object): the record is
 *   visible but the secret never shows — get, list, query, export, search (whole word
 *   and prefix), timeline, embeds from other objects, webhook payloads, shared saved
 *   views; filtering, sorting, counting, grouping, `fields=` and relation paths by the
 *   hidden field are refused exactly like an unknown field.
 * - `owner_only` (scope own) and `ruled` (row rule `rowTag ne blocked`): the record
 *   does not exist for them — get, list, search, export, timeline, relation filters
 *   and embeds from records they do see, comments, mention notifications, and (for
 *   the row rule) webhook payloads including comment events on it; the activity feed
 *   (no entry about it, its title withheld where a message mentions it).
 * - `no_<T>` API keys (every object but T readable): relation paths into T are
 *   refused like unknown fields and embeds of T are empty.
 */

const RUN = randomBytes(3).toString('hex');
const secretOf = (object: string) => `zqsecret${RUN}${object.replace(/[^a-z]/g, '')}`;
const markOf = (object: string) => `Visible${RUN}${object.replace(/[^a-z]/g, '')}`;

type Auth = { cookie?: string; key?: string };

describe('every read path shows a role exactly what it may read (all objects)', () => {
  let t: TestApp;
  let admin: SignedUp;
  let objects: ObjectDef[];
  const rec: Record<string, string> = {};
  const users: Record<string, { cookie: string; userId: string }> = {};
  const keys: Record<string, string> = {};
  const subs: Record<string, string> = {};
  /** Relation fields (to-one, built-in) of every object: source, field, target. */
  let relations: { source: string; field: string; path: string; target: string; readOnly: boolean }[];
  /** Per relation, a record of the source made by the administrator, owned by owner_only, pointing at rec[target]. */
  const viaRec: Record<string, string> = {};
  let samples: SampleRecords;

  /** Through the shared test client, as a session (cookie) or an API key. */
  const call = (method: string, url: string, auth: Auth, payload?: unknown): Promise<LightMyRequestResponse> =>
    client(t, auth.key ? auth.key : auth.cookie ? { cookie: auth.cookie } : null).call(method, url, payload);
  const asAdmin = (method: string, url: string, payload?: unknown) =>
    call(method, url, { cookie: admin.cookie }, payload);
  const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
  const titleOf = (def: ObjectDef) =>
    def.titleFields.find((f) => def.fields.find((x) => x.name === f && ['text', 'longText'].includes(x.type)));

  /** The error an unknown field gets, with the field's name replaced: a hidden one must get the same. */
  async function unknownFieldAnswer(url: (field: string) => string, auth: Auth, field: string) {
    const bogus = `zz${field.replace(/\W/g, '')}Nope`;
    const real = await call('GET', url(field), auth);
    const fake = await call('GET', url(bogus), auth);
    expect(fake.statusCode, fake.body).toBe(422);
    expect(real.statusCode, real.body).toBe(422);
    const shape = (r: LightMyRequestResponse, name: string) =>
      r.body.replaceAll(name, 'F').replace(/"instance":"[^"]*"/, '');
    expect(shape(real, field)).toEqual(shape(fake, bogus));
  }

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Read paths' });
    objects = t.records.registry.all();
    relations = objects.flatMap((d) =>
      d.fields
        .filter((f) => f.type === 'relation' && f.relation?.cardinality === 'one' && !f.hidden)
        .map((f) => ({
          source: d.name,
          field: f.name,
          path: f.name.replace(/Id$/, ''),
          target: f.relation?.object as string,
          readOnly: !!f.readOnly,
        })),
    );
    for (const d of objects) {
      for (const name of ['secretNote', 'rowTag']) {
        const r = await asAdmin('POST', `/api/v1/objects/${d.name}/fields`, { name, type: 'text', label: name });
        expect(r.statusCode, r.body).toBe(201);
      }
    }
    const everything = { create: true, read: true, update: true, delete: true, export: true, scope: 'all' };
    const roles: Record<string, unknown> = {
      hider: { '*': { ...everything, fields: { secretNote: 'hidden' } } },
      owner_only: { '*': { ...everything, scope: 'own' } },
      ruled: { '*': { ...everything, where: { field: 'rowTag', op: 'ne', value: 'blocked' } } },
    };
    const targets = [...new Set(relations.map((r) => r.target))];
    for (const target of targets) roles[`no_${target}`] = { '*': everything, [target]: { read: false } };
    for (const [key, objectsPerm] of Object.entries(roles)) {
      const r = await asAdmin('POST', '/api/v1/roles', { key, name: key, permissions: { objects: objectsPerm } });
      expect(r.statusCode, r.body).toBe(201);
    }
    for (const role of ['hider', 'owner_only', 'ruled']) users[role] = await memberWithRole(t, admin.workspaceId, role);
    for (const target of targets)
      keys[target] = await createApiKeyVia(t.app, admin.cookie, { name: target, role: `no_${target}` });
    for (const role of ['hider', 'ruled']) {
      const r = await asAdmin('POST', '/api/v1/webhooks', {
        url: 'https://1.1.1.1/read-paths',
        eventTypes: ['*'],
        role,
      });
      expect(r.statusCode, r.body).toBe(201);
      subs[role] = r.json().data.id;
    }
    await t.events.drain(); // subscriptions start here

    samples = new SampleRecords(t, asAdmin);
    for (const d of objects) {
      rec[d.name] = await samples.create(d.name, { secretNote: secretOf(d.name), rowTag: 'blocked' }, markOf(d.name));
    }
    expect(Object.keys(rec).sort()).toEqual(objects.map((d) => d.name).sort());
    for (const r of relations) {
      const id = await samples.create(r.source, {
        ...(r.readOnly ? {} : { [r.field]: rec[r.target] }),
        ownerId: users.owner_only?.userId,
      });
      // A relation the system sets (a record's territory): set through the engine, as the system.
      if (r.readOnly) {
        await t.database.tenant(admin.workspaceId, (tx) =>
          t.records.systemWrite(tx, systemActor(admin.workspaceId), r.source, id, { [r.field]: rec[r.target] }),
        );
      }
      viaRec[`${r.source}.${r.field}`] = id;
    }
    // History the timeline and the webhooks carry: a change of the secret, and a comment
    // (mentioning the restricted members) on each record.
    const mention = (role: string) => `@[${role}](user:${users[role]?.userId})`;
    for (const d of objects) {
      const p = await asAdmin('PATCH', `/api/v1/${d.name}/${rec[d.name]}`, { secretNote: `${secretOf(d.name)} again` });
      expect(p.statusCode, p.body).toBe(200);
      const c = await asAdmin('POST', `/api/v1/${d.name}/${rec[d.name]}/comments`, {
        body: `About ${d.name}: ${mention('hider')} ${mention('owner_only')} ${mention('ruled')}`,
      });
      expect(c.statusCode, c.body).toBe(201);
    }
    await t.events.drain();
  }, 300_000);
  afterAll(() => t?.stop());

  const hider = (): Auth => ({ cookie: users.hider?.cookie });

  it('hider: the record shows, its hidden field nowhere (get, list, query, export, timeline, search)', async () => {
    for (const d of objects) {
      const secret = secretOf(d.name);
      const id = rec[d.name] as string;
      const sanity = await asAdmin('GET', `/api/v1/${d.name}/${id}`);
      expect(sanity.body, d.name).toContain(secret);
      const answers = [
        await call('GET', `/api/v1/${d.name}/${id}`, hider()),
        await call('GET', `/api/v1/${d.name}?limit=500`, hider()),
        await call('POST', `/api/v1/${d.name}/query`, hider(), { filter: { field: 'id', op: 'eq', value: id } }),
        await call('GET', `/api/v1/${d.name}/export`, hider()),
        await call('GET', `/api/v1/${d.name}/${id}/timeline`, hider()),
      ];
      for (const a of answers) {
        expect(a.statusCode, `${d.name} ${a.body}`).toBe(200);
        expect(a.body, d.name).not.toContain(secret);
        expect(a.body, d.name).not.toContain('secretNote');
      }
      expect(answers[0]?.json().data.id).toBe(id);
      // Search: the administrator finds the record by its secret, whole or by its first letters; the hider does not.
      for (const term of [secret, secret.slice(0, 12)]) {
        const url = `/api/v1/search?q=${term}&objects=${d.name}`;
        expect(
          (await asAdmin('GET', url)).json().data.map((h: { id: string }) => h.id),
          `${d.name} ${term}`,
        ).toContain(id);
        const mine = await call('GET', url, hider());
        expect(mine.statusCode, mine.body).toBe(200);
        expect(
          mine.json().data.map((h: { id: string }) => h.id),
          `${d.name} ${term}`,
        ).not.toContain(id);
      }
      // Still found by what it may see.
      const visible = await call('GET', `/api/v1/search?q=${markOf(d.name)}&objects=${d.name}`, hider());
      if (titleOf(d))
        expect(
          visible.json().data.map((h: { id: string }) => h.id),
          d.name,
        ).toContain(id);
    }
  });

  it('hider: filtering, sorting, counting, grouping, fields= and relation paths by the hidden field answer like an unknown field', async () => {
    for (const d of objects) {
      const base = `/api/v1/${d.name}`;
      await unknownFieldAnswer(
        (f) => `${base}?filter=${q({ field: f, op: 'startsWith', value: 'z' })}`,
        hider(),
        'secretNote',
      );
      await unknownFieldAnswer(
        (f) => `${base}?count=true&filter=${q({ field: f, op: 'isNotEmpty' })}`,
        hider(),
        'secretNote',
      );
      await unknownFieldAnswer((f) => `${base}?sort=${f}`, hider(), 'secretNote');
      await unknownFieldAnswer((f) => `${base}?fields=${f}`, hider(), 'secretNote');
      await unknownFieldAnswer((f) => `${base}/export?sort=-${f}`, hider(), 'secretNote');
      const agg = await call('GET', `${base}/aggregate?groupBy=secretNote`, hider());
      expect(agg.statusCode, agg.body).toBe(422);
      expect(agg.body).not.toContain(secretOf(d.name));
    }
    for (const r of relations) {
      await unknownFieldAnswer(
        (f) => `/api/v1/${r.source}?filter=${q({ field: `${r.path}.${f}`, op: 'startsWith', value: 'z' })}`,
        hider(),
        'secretNote',
      );
      // Embeds carry the target without it.
      const embed = await call(
        'GET',
        `/api/v1/${r.source}/${viaRec[`${r.source}.${r.field}`]}?include=${r.path}`,
        hider(),
      );
      expect(embed.statusCode, embed.body).toBe(200);
      expect(embed.json().data[r.path]?.id, `${r.source}.${r.path}`).toBe(rec[r.target]);
      expect(embed.body).not.toContain(secretOf(r.target));
    }
  });

  it('no read on the target object: relation filters, sorts and embeds through it are refused or empty (12.3)', async () => {
    for (const r of relations) {
      const auth = { key: keys[r.target] };
      const target = t.records.registry.get(r.target) as ObjectDef;
      const title = titleOf(target) ?? 'id';
      const url = (f: string) => `/api/v1/${r.source}?filter=${q({ field: `${r.path}.${f}`, op: 'isNotEmpty' })}`;
      if (r.source !== r.target) {
        // The source itself is readable: the direct path works, the one through the target does not exist.
        expect((await call('GET', `/api/v1/${r.source}?limit=1`, auth)).statusCode).toBe(200);
        await unknownFieldAnswer(url, auth, title);
        const num = target.fields.find((f) => f.type === 'money' || f.type === 'integer');
        if (num) {
          const path = num.type === 'money' ? `${num.name}.amount` : num.name;
          await unknownFieldAnswer(
            (f) => `/api/v1/${r.source}?filter=${q({ field: `${r.path}.${f}`, op: 'gt', value: 0 })}`,
            auth,
            path,
          );
        }
        const embed = await call(
          'GET',
          `/api/v1/${r.source}/${viaRec[`${r.source}.${r.field}`]}?include=${r.path}`,
          auth,
        );
        expect(embed.statusCode, embed.body).toBe(200);
        expect(embed.json().data[r.path], `${r.source}.${r.path}`).toBeNull();
      }
    }
  });

  it('the single customer view: every inverse list and section shows each role what it may read, and counts only that', async () => {
    const ids = (res: LightMyRequestResponse, name: string) =>
      ((res.json().data[name] ?? []) as { id: string }[]).map((x) => x.id).sort();
    const lists = objects.flatMap((d) => (d.inverse ?? []).map((inv) => ({ d, inv })));
    expect(lists.length).toBeGreaterThan(0);
    for (const { d, inv } of lists) {
      // A parent every role sees (owned by owner_only), with a child only the administrator and
      // the hider may read (blocked, the administrator's) and one every role may read.
      const parent = await samples.create(d.name, { ownerId: users.owner_only?.userId });
      const link = inv.via ? { [inv.via]: parent } : { relatedObject: d.name, relatedId: parent };
      const hidden = await samples.create(inv.object, {
        ...link,
        secretNote: secretOf(inv.object),
        rowTag: 'blocked',
      });
      const open = await samples.create(inv.object, { ...link, ownerId: users.owner_only?.userId });
      const url = `/api/v1/${d.name}/${parent}?include=${inv.name}`;
      const label = `${d.name}.${inv.name}`;
      const all = await asAdmin('GET', url);
      expect(all.statusCode, all.body).toBe(200);
      expect(ids(all, inv.name), label).toEqual(expect.arrayContaining([hidden, open]));
      expect(all.json().meta.counts[inv.name], label).toBe(ids(all, inv.name).length);
      const seen = await call('GET', url, hider());
      expect(ids(seen, inv.name), label).toEqual(ids(all, inv.name));
      expect(seen.body, label).not.toContain(secretOf(inv.object));
      for (const role of ['owner_only', 'ruled']) {
        const res = await call('GET', url, { cookie: users[role]?.cookie });
        expect(res.statusCode, `${label} ${role} ${res.body}`).toBe(200);
        expect(ids(res, inv.name), `${label} ${role}`).toContain(open);
        expect(res.body, `${label} ${role}`).not.toContain(hidden);
        expect(res.json().meta.counts[inv.name], `${label} ${role}`).toBe(ids(res, inv.name).length);
      }
      // A role that may not read the listed object gets an empty list and a count of 0.
      const key = `noview_${inv.object}`;
      if (!keys[key]) {
        const everything = { create: true, read: true, update: true, delete: true, export: true, scope: 'all' };
        const r = await asAdmin('POST', '/api/v1/roles', {
          key,
          name: key,
          permissions: { objects: { '*': everything, [inv.object]: { read: false } } },
        });
        expect(r.statusCode, r.body).toBe(201);
        keys[key] = await createApiKeyVia(t.app, admin.cookie, { name: key, role: key });
      }
      if (inv.object !== d.name) {
        const none = await call('GET', url, { key: keys[key] });
        expect(none.statusCode, none.body).toBe(200);
        expect(none.json().data[inv.name], label).toEqual([]);
        expect(none.json().meta.counts[inv.name], label).toBe(0);
      }
    }
    // Sections (the recent timeline): what the timeline endpoint shows the caller, on one record only.
    for (const d of objects) {
      const id = rec[d.name] as string;
      const view = await call('GET', `/api/v1/${d.name}/${id}?include=timeline`, hider());
      expect(view.statusCode, view.body).toBe(200);
      expect(view.json().data.timeline.length, d.name).toBeGreaterThan(0);
      expect(view.json().meta.counts.timeline, d.name).toBe(view.json().data.timeline.length);
      expect(view.body, d.name).not.toContain(secretOf(d.name));
      for (const role of ['owner_only', 'ruled']) {
        const res = await call('GET', `/api/v1/${d.name}/${id}?include=timeline`, { cookie: users[role]?.cookie });
        expect(res.statusCode, `${d.name} ${role}`).toBe(404);
      }
    }
    const inList = await asAdmin('GET', `/api/v1/${objects[0]?.name}?include=timeline`);
    expect(inList.statusCode, inList.body).toBe(422);
  });

  describe.each(['owner_only', 'ruled'])('%s: the record out of reach does not exist', (role) => {
    const auth = (): Auth => ({ cookie: users[role]?.cookie });
    it('get, list, search, export, timeline, comments, aggregate', async () => {
      for (const d of objects) {
        const id = rec[d.name] as string;
        for (const url of [`/api/v1/${d.name}/${id}`, `/api/v1/${d.name}/${id}/timeline`]) {
          const res = await call('GET', url, auth());
          expect(res.statusCode, `${url} ${res.body}`).toBe(404);
        }
        for (const url of [
          `/api/v1/${d.name}?limit=500&count=true&filter=${q({ field: 'id', op: 'eq', value: id })}`,
          `/api/v1/${d.name}/export`,
          `/api/v1/search?q=${markOf(d.name)}&objects=${d.name}`,
        ]) {
          const res = await call('GET', url, auth());
          expect(res.statusCode, `${url} ${res.body}`).toBe(200);
          // The record itself is absent (its id may appear as another record's relation value).
          expect(res.body, url).not.toMatch(new RegExp(`(^|\\n)${id},|"id":"${id}"`));
          expect(res.body, url).not.toContain(secretOf(d.name));
          if (url.includes('count=true')) expect(res.json().total).toBe(0);
        }
        const select = d.fields.find((f) => f.type === 'select' && !f.hidden && f.options?.length);
        if (select) {
          const res = await call(
            'GET',
            `/api/v1/${d.name}/aggregate?groupBy=${select.name}&filter=${q({ field: 'id', op: 'eq', value: id })}`,
            auth(),
          );
          expect(res.statusCode, res.body).toBe(200);
          expect(res.json().data.total.count, d.name).toBe(0);
        }
      }
    });

    it('lead conversion matches and duplicate checks do not reach it', async () => {
      const account = rec.accounts as string;
      const name = (await asAdmin('GET', `/api/v1/accounts/${account}`)).json().data.name as string;
      const lead = await call('POST', '/api/v1/leads', auth(), { lastName: 'Matcher', company: name, rowTag: 'ok' });
      expect(lead.statusCode, lead.body).toBe(201);
      const url = `/api/v1/leads/${lead.json().data.id}/conversion-matches`;
      // The administrator is offered the account (same name), so the check below is not vacuous.
      expect((await asAdmin('GET', url)).json().data.accounts.map((a: { id: string }) => a.id)).toContain(account);
      const res = await call('GET', url, auth());
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain(account);
      const dup = await call('POST', '/api/v1/accounts/duplicates', auth(), { name });
      expect(dup.statusCode, dup.body).toBe(200);
      expect(dup.body).not.toContain(account);
    });

    it('relation filters and embeds from records it sees do not reach it', async () => {
      for (const r of relations) {
        const via = viaRec[`${r.source}.${r.field}`] as string;
        if (role === 'owner_only' || r.source !== r.target) {
          const seen = await call('GET', `/api/v1/${r.source}/${via}?include=${r.path}`, auth());
          expect(seen.statusCode, `${r.source} ${seen.body}`).toBe(200);
          expect(seen.json().data[r.path], `${r.source}.${r.path}`).toBeNull();
          const target = t.records.registry.get(r.target) as ObjectDef;
          const field = titleOf(target) ?? 'id';
          const value = field === 'id' ? rec[r.target] : markOf(r.target);
          const probe = await call(
            'GET',
            `/api/v1/${r.source}?filter=${q({
              and: [
                { field: 'id', op: 'eq', value: via },
                { field: `${r.path}.${field}`, op: 'eq', value },
              ],
            })}`,
            auth(),
          );
          expect(probe.statusCode, probe.body).toBe(200);
          expect(probe.json().data, `${r.source}.${r.path}.${field}`).toEqual([]);
          // The same filter as the administrator matches: the probe would have worked.
          const sanity = await asAdmin(
            'GET',
            `/api/v1/${r.source}?filter=${q({
              and: [
                { field: 'id', op: 'eq', value: via },
                { field: `${r.path}.${field}`, op: 'eq', value },
              ],
            })}`,
          );
          expect(sanity.json().data.map((x: { id: string }) => x.id)).toEqual([via]);
        }
      }
    });

    it('mention notifications about it do not reach them (the hider, who sees the record, is told)', async () => {
      const mine = (await call('GET', '/api/v1/notifications?limit=100', auth())).json().data as { body?: string }[];
      expect(mine.filter((n) => (n.body ?? '').startsWith('About '))).toEqual([]);
      const hiders = (await call('GET', '/api/v1/notifications?limit=100', hider())).json().data as { body?: string }[];
      expect(hiders.filter((n) => (n.body ?? '').startsWith('About ')).length).toBe(objects.length);
    });
  });

  /** Every entry of the activity feed `auth` may see, page by page. */
  async function wholeFeed(auth: Auth): Promise<{ body: string; entries: Record<string, unknown>[] }> {
    const entries: Record<string, unknown>[] = [];
    let body = '';
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/api/v1/feed?limit=100${cursor ? `&cursor=${cursor}` : ''}`, auth);
      expect(res.statusCode, res.body).toBe(200);
      body += res.body;
      entries.push(...res.json().data);
      cursor = res.json().page.nextCursor;
    } while (cursor);
    return { body, entries };
  }

  describe('the activity feed (issue 14)', () => {
    let messageId = '';
    beforeAll(async () => {
      const mentions = objects.map((d) => `@[${markOf(d.name)}](${d.name}:${rec[d.name]})`).join(' ');
      const res = await asAdmin('POST', '/api/v1/feed', { body: `Look at ${mentions}` });
      expect(res.statusCode, res.body).toBe(201);
      messageId = res.json().data.id;
    });

    it('hider: comments on every record show, the hidden field and its changes never do', async () => {
      const { body, entries } = await wholeFeed(hider());
      for (const d of objects) expect(body, d.name).not.toContain(secretOf(d.name));
      expect(body).not.toContain('secretNote');
      const comments = entries.filter((e) => e.type === 'comment.created' && String(e.body).startsWith('About '));
      expect(comments.length).toBe(objects.length);
    });

    it.each(['owner_only', 'ruled'])(
      '%s: no entry about the records out of reach, their titles withheld',
      async (role) => {
        const { body, entries } = await wholeFeed({ cookie: users[role]?.cookie });
        for (const d of objects) {
          const id = rec[d.name] as string;
          expect(
            entries.filter((e) => (e.record as { id?: string } | null)?.id === id),
            d.name,
          ).toEqual([]);
          expect(body, d.name).not.toContain(secretOf(d.name));
          expect(body, d.name).not.toContain(markOf(d.name));
        }
        const message = entries.find((e) => e.id === messageId) as { recordMentions: { title: string | null }[] };
        expect(message.recordMentions.map((m) => m.title)).toEqual(objects.map(() => null));
      },
    );
  });

  async function deliveries(sub: string): Promise<{ type: string; body: string }[]> {
    return t.database.tenant(admin.workspaceId, async (tx) => {
      const { rows } = await sql<{ event_type: string; body: string }>`
        select event_type, body from webhook_deliveries where subscription_id = ${sub}::uuid`.execute(tx);
      return rows.map((r) => ({ type: r.event_type, body: r.body }));
    });
  }

  it('webhooks: payloads never carry the hidden field; a row-ruled subscription gets nothing about blocked records, not even their comments (12.5)', async () => {
    const hid = await deliveries(subs.hider as string);
    const ruled = await deliveries(subs.ruled as string);
    for (const d of objects) {
      const mine = hid.filter((x) => x.body.includes(rec[d.name] as string));
      expect(
        mine.map((x) => x.type),
        d.name,
      ).toEqual(expect.arrayContaining(['comment.created']));
      expect(mine.length, d.name).toBeGreaterThanOrEqual(2);
      for (const x of hid) expect(x.body).not.toContain(secretOf(d.name));
      expect(
        ruled.filter((x) => x.body.includes(`"id":"${rec[d.name]}"`) || x.body.includes(`"recordId":"${rec[d.name]}"`)),
        d.name,
      ).toEqual([]);
    }
    // The row-ruled subscription still gets what it may see (nothing was dead-lettered).
    expect(ruled.length).toBeGreaterThan(0);
    const dead = await t.database.system(
      async (tx) =>
        (
          await sql<{ n: string }>`select count(*) as n from event_dead_letters`
            .execute(tx)
            .catch(() => ({ rows: [{ n: '0' }] }))
        ).rows[0]?.n,
    );
    expect(Number(dead)).toBe(0);
  });

  it('shared saved views show neither the hidden field nor its value (12.11)', async () => {
    for (const d of objects) {
      const title = titleOf(d);
      const made = await asAdmin('POST', '/api/v1/views', {
        object: d.name,
        name: `Secret view ${d.name}`,
        shared: true,
        filter: {
          and: [
            { field: 'secretNote', op: 'eq', value: secretOf(d.name) },
            { field: 'id', op: 'isNotEmpty' },
          ],
        },
        sort: '-secretNote,createdAt',
        columns: title ? ['secretNote', title] : ['secretNote'],
      });
      expect(made.statusCode, made.body).toBe(201);
      const view = made.json().data;
      for (const url of [`/api/v1/views?object=${d.name}`, `/api/v1/views/${view.id}`]) {
        const res = await call('GET', url, hider());
        expect(res.statusCode, res.body).toBe(200);
        expect(res.body, url).not.toContain('secretNote');
        expect(res.body, url).not.toContain(secretOf(d.name));
      }
      const seen = (await call('GET', `/api/v1/views/${view.id}`, hider())).json().data;
      expect(seen.filter).toEqual({ and: [{ field: 'id', op: 'isNotEmpty' }] });
      expect(seen.sort).toBe('createdAt');
      // The owner still sees the view as saved.
      expect((await asAdmin('GET', `/api/v1/views/${view.id}`)).json().data.filter.and).toHaveLength(2);
    }
  });

  it('quote lines and the PDF follow hidden quote amounts; search subtitles follow hidden fields (12.11, 12.4)', async () => {
    const role = await asAdmin('POST', '/api/v1/roles', {
      key: 'no_amounts',
      name: 'No amounts',
      permissions: {
        objects: {
          '*': { create: true, read: true, update: true, delete: false, export: true, scope: 'all' },
          quotes: { fields: { total: 'hidden', status: 'hidden' } },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const user = await memberWithRole(t, admin.workspaceId, 'no_amounts');
    const quote = await samples.create('quotes', {}, `Priced${RUN}`);
    const lines = await asAdmin('PUT', `/api/v1/quotes/${quote}/lines`, {
      lines: [{ name: 'Widget', quantity: '3', unitPrice: '123.45' }],
    });
    expect(lines.statusCode, lines.body).toBe(200);
    expect(lines.body).toContain('123.45');
    const seen = await call('GET', `/api/v1/quotes/${quote}/lines`, { cookie: user.cookie });
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json().data[0]).toMatchObject({ name: 'Widget', quantity: '3' });
    expect(seen.body).not.toContain('123.45');
    expect(seen.body).not.toContain('370.35');
    expect((await call('GET', `/api/v1/quotes/${quote}/pdf`, { cookie: user.cookie })).statusCode).toBe(403);
    // The search hit's subtitle (the quote's status) is a hidden field for this role.
    const hits = (await call('GET', `/api/v1/search?q=Priced${RUN}&objects=quotes`, { cookie: user.cookie })).json()
      .data;
    expect(hits.map((h: { id: string }) => h.id)).toContain(quote);
    expect(hits.find((h: { id: string }) => h.id === quote).subtitle).toBeNull();
    const adminHits = (await asAdmin('GET', `/api/v1/search?q=Priced${RUN}&objects=quotes`)).json().data;
    expect(adminHits.find((h: { id: string }) => h.id === quote).subtitle).toBe('draft');
  });

  it('assignment and reminder notifications tell only what the assignee may see of the record', async () => {
    const blocked = await samples.create(
      'tasks',
      { assigneeId: users.ruled?.userId, rowTag: 'blocked' },
      `Blocked task ${RUN}`,
    );
    const soon = new Date(Date.now() + 60_000).toISOString();
    const remindBlocked = await samples.create(
      'tasks',
      { assigneeId: users.ruled?.userId, rowTag: 'blocked', remindAt: soon },
      `Blocked reminder ${RUN}`,
    );
    const open = await samples.create('tasks', { assigneeId: users.ruled?.userId, remindAt: soon }, `Open task ${RUN}`);
    await t.events.drain();
    expect(await t.modules.tasks.reminders.sweep(new Date(Date.now() + 3_600_000))).toBeGreaterThanOrEqual(2);
    const mine = (await call('GET', '/api/v1/notifications?limit=100', { cookie: users.ruled?.cookie })).json()
      .data as { title: string; recordId?: string }[];
    expect(mine.some((n) => n.title.includes(`Open task ${RUN}`))).toBe(true);
    expect(JSON.stringify(mine)).not.toContain(`Blocked task ${RUN}`);
    expect(JSON.stringify(mine)).not.toContain(blocked);
    expect(mine.some((n) => n.title === `Reminder: Open task ${RUN}`)).toBe(true);
    expect(JSON.stringify(mine)).not.toContain(`Blocked reminder ${RUN}`);
    expect(JSON.stringify(mine)).not.toContain(remindBlocked);
    expect(open).toBeTruthy();
  });
});
