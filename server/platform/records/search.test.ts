import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';

interface Hit {
  object: string;
  id: string;
  title: string;
  subtitle: string | null;
  score: number;
}

describe('GET /api/v1/search', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  const ids: Record<string, string> = {};

  const create = async (who: SignedUp, object: string, payload: Record<string, unknown>) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/${object}`,
      headers: { cookie: who.cookie },
      payload,
    });
    if (res.statusCode !== 201) throw new Error(`create ${object} failed: ${res.statusCode} ${res.body}`);
    return res.json().data.id as string;
  };

  const search = async (q: string, extra: Record<string, string> = {}, who: SignedUp = a) => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/search',
      query: { q, ...extra },
      headers: { cookie: who.cookie },
    });
    return res;
  };

  const hits = async (q: string, extra: Record<string, string> = {}, who: SignedUp = a): Promise<Hit[]> => {
    const res = await search(q, extra, who);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  };

  const idsOf = (list: Hit[]) => list.map((h) => h.id);

  beforeAll(async () => {
    t = await createTestApp();
    a = await signUp(t.app, { workspaceName: 'Search A' });
    b = await signUp(t.app, { workspaceName: 'Search B' });

    ids.durandAccount = await create(a, 'accounts', { name: 'Durand Industries', domain: 'durand-industries.fr' });
    ids.nimbus = await create(a, 'accounts', { name: 'Nimbus Holdings', domain: 'hooli.io' });
    ids.jean = await create(a, 'contacts', {
      firstName: 'Jean',
      lastName: 'Durand',
      email: 'j.d@acme-mail.test',
      accountId: ids.durandAccount,
    });
    ids.paul = await create(a, 'contacts', { firstName: 'Paul', lastName: 'Durandeau', email: 'pd@acme-mail.test' });
    ids.elodie = await create(a, 'contacts', { firstName: 'Élodie', lastName: 'Martin', email: 'em@acme-mail.test' });
    ids.zorglub = await create(a, 'contacts', {
      firstName: 'Zed',
      lastName: 'Quill',
      email: 'zorglub@bricoleurs.test',
    });
    for (let i = 0; i < 5; i++) {
      await create(a, 'contacts', { firstName: `Person${i}`, lastName: 'Lambertini', email: `l${i}@acme-mail.test` });
    }

    ids.bDurand = await create(b, 'contacts', { firstName: 'Bernard', lastName: 'Durand', email: 'bd@other.test' });
    ids.bSecret = await create(b, 'contacts', { firstName: 'Wolfgang', lastName: 'Zzyzx', email: 'wz@other.test' });
  });
  afterAll(() => t.stop());

  it('returns {data: [{object, id, title, subtitle, score}]}', async () => {
    const res = await search('Nimbus');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['data']);
    expect(body.data).toHaveLength(1);
    const [hit] = body.data;
    expect(Object.keys(hit).sort()).toEqual(['id', 'object', 'score', 'subtitle', 'title']);
    expect(hit).toMatchObject({ object: 'accounts', id: ids.nimbus, title: 'Nimbus Holdings', subtitle: 'hooli.io' });
    expect(typeof hit.score).toBe('number');
    expect(hit.score).toBeGreaterThan(0);

    const [contact] = await hits('Élodie');
    expect(contact).toMatchObject({
      object: 'contacts',
      id: ids.elodie,
      title: 'Élodie Martin',
      subtitle: 'em@acme-mail.test',
    });
  });

  it('requires credentials', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/search?q=durand' });
    expect(res.statusCode).toBe(401);
  });

  it('ranks an exact name match above a partial one', async () => {
    const list = await hits('durand', { objects: 'contacts' });
    expect(idsOf(list)).toEqual(expect.arrayContaining([ids.jean, ids.paul]));
    const jean = list.findIndex((h) => h.id === ids.jean);
    const paul = list.findIndex((h) => h.id === ids.paul);
    expect(jean).toBeLessThan(paul);
    expect(list[jean]?.score).toBeGreaterThan(list[paul]?.score ?? Number.POSITIVE_INFINITY);
    // Results come sorted by score, best first.
    const all = await hits('durand');
    const scores = all.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
  });

  it('a whole-word match is found and ranked first even when hundreds of records only begin with the word', async () => {
    // Far more prefix matches than the search ranks (200 per object), all created before the
    // one whole-word match, so a prefix-only candidate set would not contain it.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts/batch',
      headers: { cookie: b.cookie },
      payload: {
        mode: 'create',
        records: Array.from({ length: 260 }, (_, i) => ({ firstName: `Peer${i}`, lastName: 'Quillfeatherton' })),
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const exact = await create(b, 'contacts', { firstName: 'Zed', lastName: 'Quillfeather' });
    const found = await hits('quillfeather', { objects: 'contacts' }, b);
    expect(found).toHaveLength(20);
    expect(found[0]?.id).toBe(exact);
    expect(found[0]?.title).toBe('Zed Quillfeather');
  });

  it('is accent-insensitive both ways', async () => {
    expect(idsOf(await hits('elodie'))).toContain(ids.elodie);
    expect(idsOf(await hits('Elodie'))).toContain(ids.elodie);
    expect(idsOf(await hits('Élodie'))).toContain(ids.elodie);
    // An unaccented name is found by an accented query too.
    expect(idsOf(await hits('Dürand', { objects: 'contacts' }))).toContain(ids.jean);
  });

  it('is case-insensitive', async () => {
    for (const q of ['DURAND', 'durand', 'dUrAnD', 'ÉLODIE']) {
      const found = idsOf(await hits(q));
      expect(found, q).toContain(q === 'ÉLODIE' ? ids.elodie : ids.jean);
    }
  });

  it('matches prefixes as you type', async () => {
    expect(idsOf(await hits('dur'))).toEqual(expect.arrayContaining([ids.jean, ids.paul, ids.durandAccount]));
    expect(idsOf(await hits('élo'))).toContain(ids.elodie);
    expect(idsOf(await hits('nimb'))).toEqual([ids.nimbus]);
    // Several words: each is a prefix, all must match.
    const both = await hits('jean dur');
    expect(idsOf(both)).toContain(ids.jean);
    expect(idsOf(both)).not.toContain(ids.paul);
  });

  it('tolerates a typo in the last letters (trigram similarity)', async () => {
    const found = await hits('Duranf', { objects: 'contacts' });
    expect(idsOf(found)).toContain(ids.jean);
  });

  it('tolerates a transposition typo: "Durnad" finds Durand', async () => {
    expect(idsOf(await hits('Durnad'))).toContain(ids.jean);
  });

  it('tolerates a transposition typo: "Duarnd" finds Durand', async () => {
    expect(idsOf(await hits('Duarnd'))).toContain(ids.jean);
  });

  it('matches across objects, and objects= narrows', async () => {
    const all = await hits('durand');
    expect(new Set(all.map((h) => h.object))).toEqual(new Set(['contacts', 'accounts']));
    expect(idsOf(all)).toEqual(expect.arrayContaining([ids.jean, ids.paul, ids.durandAccount]));

    const contactsOnly = await hits('durand', { objects: 'contacts' });
    expect(contactsOnly.length).toBeGreaterThan(0);
    expect(contactsOnly.every((h) => h.object === 'contacts')).toBe(true);
    expect(idsOf(contactsOnly)).not.toContain(ids.durandAccount);

    const accountsOnly = await hits('durand', { objects: 'accounts' });
    expect(idsOf(accountsOnly)).toEqual([ids.durandAccount]);

    const both = await hits('durand', { objects: 'accounts, contacts' });
    expect(idsOf(both).sort()).toEqual(idsOf(all).sort());
    // Each record once.
    expect(new Set(idsOf(all)).size).toBe(all.length);
  });

  it('returns each record once when objects= names an object twice', async () => {
    const twice = await hits('durand', { objects: 'contacts,contacts' });
    const once = await hits('durand', { objects: 'contacts' });
    expect(idsOf(twice)).toEqual(idsOf(once));
  });

  it('finds contacts by email, whole or in part', async () => {
    expect(idsOf(await hits('zorglub@bricoleurs.test'))).toContain(ids.zorglub);
    expect(idsOf(await hits('zorglub'))).toEqual([ids.zorglub]);
    expect(idsOf(await hits('bricoleurs'))).toEqual([ids.zorglub]);
  });

  it('finds accounts by domain, whole or in part', async () => {
    const whole = await hits('hooli.io');
    expect(idsOf(whole)).toContain(ids.nimbus);
    expect(whole.find((h) => h.id === ids.nimbus)).toMatchObject({ object: 'accounts', title: 'Nimbus Holdings' });
    expect(idsOf(await hits('hooli'))).toEqual([ids.nimbus]);
  });

  it('finds values of custom text fields', async () => {
    const field = await t.app.inject({
      method: 'POST',
      url: '/api/v1/objects/contacts/fields',
      headers: { cookie: a.cookie },
      payload: { name: 'spiritAnimal', type: 'text', label: 'Spirit animal' },
    });
    expect(field.statusCode, field.body).toBe(201);
    expect(await hits('Quetzalcoatl')).toEqual([]);
    const id = await create(a, 'contacts', { lastName: 'Custom', spiritAnimal: 'Quetzalcoatl' });
    expect(idsOf(await hits('Quetzalcoatl'))).toEqual([id]);
    expect(idsOf(await hits('quetzal'))).toEqual([id]);
    // Changing the value changes what is found.
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${id}`,
      headers: { cookie: a.cookie },
      payload: { spiritAnimal: 'Axolotl' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(await hits('Quetzalcoatl')).toEqual([]);
    expect(idsOf(await hits('axolotl'))).toEqual([id]);
  });

  it('excludes trashed records (and finds them again once restored)', async () => {
    const id = await create(a, 'contacts', { firstName: 'Tobias', lastName: 'Trashworthy' });
    expect(idsOf(await hits('Trashworthy'))).toEqual([id]);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${id}`, headers: { cookie: a.cookie } });
    expect(del.statusCode).toBe(204);
    expect(await hits('Trashworthy')).toEqual([]);
    // Not by typo either.
    expect(await hits('Trashworthx')).toEqual([]);
    const restore = await t.app.inject({
      method: 'POST',
      url: `/api/v1/contacts/${id}/restore`,
      headers: { cookie: a.cookie },
    });
    expect(restore.statusCode).toBe(200);
    expect(idsOf(await hits('Trashworthy'))).toEqual([id]);
  });

  it('never returns records of another workspace', async () => {
    const inA = await hits('durand');
    expect(idsOf(inA)).not.toContain(ids.bDurand);
    expect(await hits('zzyzx')).toEqual([]);
    expect(await hits('Wolfgang')).toEqual([]);
    // …while B finds its own, and not A's.
    const inB = await hits('durand', {}, b);
    expect(idsOf(inB)).toEqual([ids.bDurand]);
    expect(idsOf(await hits('zzyzx', {}, b))).toEqual([ids.bSecret]);
    expect(await hits('elodie', {}, b)).toEqual([]);
  });

  it('respects limit', async () => {
    const all = await hits('lambertini');
    expect(all).toHaveLength(5);
    const three = await hits('lambertini', { limit: '3' });
    expect(three).toHaveLength(3);
    const one = await hits('durand', { limit: '1' });
    expect(one).toHaveLength(1);
    // The limit keeps the best results.
    const full = await hits('durand');
    expect(one[0]?.score).toBe(full[0]?.score);
    for (const bad of ['0', '101', 'x']) {
      const res = await search('durand', { limit: bad });
      expect(res.statusCode, bad).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('limit');
    }
  });

  it('rejects unknown objects with 422 naming objects', async () => {
    for (const objects of ['widgets', 'contacts,widgets']) {
      const res = await search('durand', { objects });
      expect(res.statusCode, objects).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = res.json();
      expect(body.code).toBe('validation_failed');
      expect(body.errors).toEqual([expect.objectContaining({ path: 'objects' })]);
      expect(body.errors[0].message).toContain('widgets');
    }
  });

  it('returns [] for a query that is only punctuation, and 422 for an empty one', async () => {
    for (const q of ['!!!', '@', '-- ,;.', '%_']) {
      const res = await search(q);
      expect(res.statusCode, q).toBe(200);
      expect(res.json(), q).toEqual({ data: [] });
    }
    for (const q of ['', '   ']) {
      const res = await search(q);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('q');
    }
  });

  it('treats quotes and tsquery syntax in q as plain text', async () => {
    for (const q of ["d'urand", 'dur & !', 'dur:*|', '(durand']) {
      const res = await search(q);
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
    }
    expect(idsOf(await hits('(durand)'))).toContain(ids.jean);
  });
});
