import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client, type HttpClient } from '../../../test/helpers/http';

/** A multipart/form-data body as a browser or curl sends it (built by the platform's own FormData). */
async function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file.content], { type: 'text/csv' }), file.name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type') as string },
  };
}

type Lead = { id: string; email: string; score: number | null; fitScore: number | null; status: string | null };

/**
 * An import writes its records quietly (no per-record event): scoring reads the import's
 * summary event and scores the imported leads and contacts by a job, page by page through
 * the bulk path (one bulk event per page), so imported records are scored like typed ones.
 */
describe('scoring of imported records: after the import’s summary event, in pages by a job', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;

  const importCsv = async (who: SignedUp, object: string, content: string) => {
    const body = await multipart({ object }, { name: `${object}.csv`, content });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { cookie: who.cookie, ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().data.id as string;
    for (let i = 0; i < 50; i++) {
      await t.jobs.runDue({ queues: ['imports.run'] });
      const data = (await client(t, who).get(`/api/v1/imports/${id}`)).json().data;
      if (data.status === 'completed' || data.status === 'failed') return data;
    }
    throw new Error('the import did not finish');
  };

  /** Delivers events and runs the scoring jobs until `done` holds (or gives up after a while). */
  const until = async <T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> => {
    let v = await read();
    for (let i = 0; i < 30 && !done(v); i++) {
      await t.events.drain(60_000);
      await t.jobs.runDue({ queues: ['scoring.imported'] });
      v = await read();
    }
    return v;
  };

  const leadsByEmail = async (as: HttpClient) =>
    Object.fromEntries(((await as.get('/api/v1/leads?limit=100')).json().data as Lead[]).map((l) => [l.email, l]));

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Scored Imports Co' });
    api = client(t, admin);
    await api.create('/api/v1/scoring/rules', {
      name: 'VPs',
      kind: 'fit',
      condition: { field: 'title', op: 'contains', value: 'VP' },
      points: 30,
    });
    await api.create('/api/v1/scoring/rules', {
      name: 'Chiefs',
      kind: 'fit',
      condition: { field: 'title', op: 'contains', value: 'Chief' },
      points: 100,
    });
    await t.events.drain(60_000);
  }, 120_000);
  afterAll(() => t?.stop());

  it('imported leads are scored (and an MQL qualified) without one event per record', async () => {
    const summary = await importCsv(
      admin,
      'leads',
      [
        'Email,Last name,Company,Title',
        'vee@import.example,Vee,Acme,VP Sales',
        'chief@import.example,Chef,Acme,Chief Executive',
        'eye@import.example,Eye,Acme,Intern',
      ].join('\n'),
    );
    expect(summary.counts).toMatchObject({ read: 3, created: 3, failed: 0 });

    const leads = await until(
      () => leadsByEmail(api),
      (l) => l['vee@import.example']?.score === 30 && l['chief@import.example']?.score === 100,
    );
    expect(leads['vee@import.example']).toMatchObject({ score: 30, fitScore: 30 });
    expect(leads['chief@import.example']).toMatchObject({ score: 100, status: 'mql' });
    expect(leads['eye@import.example']?.score ?? 0).toBe(0);

    // No per-record update storm: the scores came in one bulk event for the page.
    const ids = Object.values(leads).map((l) => l.id);
    const { rows } = await sql<{ type: string; n: number }>`select type, count(*)::int as n from events
      where workspace_id = ${admin.workspaceId}::uuid and (record_id = any(${ids}::uuid[]) or type = 'lead.bulk_updated')
      group by type`.execute(t.database.db);
    const byType = Object.fromEntries(rows.map((r) => [r.type, r.n]));
    expect(byType['lead.bulk_updated']).toBe(1);
    expect(byType['lead.created'] ?? 0).toBe(0);
    // Only the lead that became an MQL has its own write (the qualification).
    expect(byType['lead.mql']).toBe(1);
  });

  it('a workspace that scores nothing queues no scoring job for its imports', async () => {
    const quiet = await signUp(t.app, { workspaceName: 'Unscored Imports Co' });
    await importCsv(quiet, 'leads', ['Email,Last name,Company,Title', 'vp@quiet.example,Quiet,Q,VP Sales'].join('\n'));
    await t.events.drain(60_000);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from jobs
      where workspace_id = ${quiet.workspaceId}::uuid and queue = 'scoring.imported'`.execute(t.database.db);
    expect(rows[0]?.n).toBe(0);
    const lead = (await client(t, quiet).get('/api/v1/leads')).json().data[0] as Lead;
    expect(lead.score ?? 0).toBe(0);
  });
});
