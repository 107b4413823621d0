import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmptyDatabase } from '../../../test/helpers/empty-db';
import { buildAccount } from '../../../test/helpers/factories';
import { workflowTestbed } from '../../../test/helpers/workflow-testbed';
import { openDatabase } from '../../platform/db/database';
import { migrate, readMigrations } from '../../platform/db/migrate';
import { createRun, MAX_RUNS_PER_RECORD_PER_HOUR } from './workflow-runs';

type Bed = Awaited<ReturnType<typeof workflowTestbed>>;

const softwareTagger = (userId: string) => ({
  name: 'Tag SaaS accounts',
  active: true,
  definition: {
    trigger: { type: 'record_created', object: 'accounts' },
    conditions: { field: 'industry', op: 'eq', value: 'software' },
    steps: [
      { id: 'tag', type: 'add_tag', tags: ['saas'] },
      { id: 'tell', type: 'notify', users: [userId], title: 'New SaaS account: {{record.name}}' },
    ],
  },
});

describe('workflows: definitions, versions and permissions', () => {
  let b: Bed;
  beforeAll(async () => {
    b = await workflowTestbed('Workflow Defs Co');
  });
  afterAll(() => b.t.stop());

  it('creates, changes (a new version each time), activates and deactivates a workflow', async () => {
    const created = await b.adminApi.post('/api/v1/workflows', { ...softwareTagger(b.admin.userId), active: false });
    expect(created.statusCode, created.body).toBe(201);
    const w = created.json().data;
    expect(created.headers.location).toBe(`/api/v1/workflows/${w.id}`);
    expect(w).toMatchObject({ name: 'Tag SaaS accounts', active: false, latestVersion: 1, activeVersion: null });

    const renamed = await b.adminApi.patch(`/api/v1/workflows/${w.id}`, { name: 'Tag SaaS' }, { 'if-match': '"1"' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().data.latestVersion).toBe(2);
    const stale = await b.adminApi.patch(`/api/v1/workflows/${w.id}`, { name: 'Stale' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);

    const active = await b.adminApi.post(`/api/v1/workflows/${w.id}/activate`, { version: 1 });
    expect(active.statusCode, active.body).toBe(200);
    expect(active.json().data).toMatchObject({ active: true, activeVersion: 1, runAsUserId: b.admin.userId });
    // A change to an active workflow activates the new version.
    const changed = await b.adminApi.patch(`/api/v1/workflows/${w.id}`, {
      definition: {
        ...softwareTagger(b.admin.userId).definition,
        steps: [{ id: 'tag', type: 'add_tag', tags: ['cloud'] }],
      },
    });
    expect(changed.json().data).toMatchObject({ latestVersion: 3, activeVersion: 3 });
    const versions = (await b.adminApi.get(`/api/v1/workflows/${w.id}/versions`)).json().data;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(versions[2].definition.steps[0].tags).toEqual(['saas']);
    expect(versions[0].definition.steps[0].tags).toEqual(['cloud']);

    const off = await b.adminApi.post(`/api/v1/workflows/${w.id}/deactivate`);
    expect(off.json().data).toMatchObject({ active: false, activeVersion: null });
    expect((await b.adminApi.del(`/api/v1/workflows/${w.id}`)).statusCode).toBe(204);
    expect((await b.adminApi.get(`/api/v1/workflows/${w.id}`)).statusCode).toBe(404);
  });

  it('refuses bad definitions with 422 naming each field, writing nothing', async () => {
    const before = (await b.adminApi.get('/api/v1/workflows')).json().data.length;
    const bad = await b.adminApi.post('/api/v1/workflows', {
      name: 'Broken',
      definition: {
        trigger: { type: 'field_changed', object: 'accounts', field: 'nope' },
        conditions: { field: 'industry', op: 'approximately', value: 1 },
        steps: [
          { id: 'a', type: 'wait', amount: 0, unit: 'seconds' },
          { id: 'a', type: 'add_tag', tags: ['x'] },
        ],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['definition.conditions.op', 'definition.steps.0.amount', 'definition.steps.1.id']),
    );

    const unknownField = await b.adminApi.post('/api/v1/workflows', {
      name: 'Broken',
      definition: {
        trigger: { type: 'date_reached', object: 'accounts', field: 'name', offsetDays: -3 },
        conditions: { field: 'doesNotExist', op: 'eq', value: 1 },
        steps: [{ id: 'b', type: 'branch', condition: { field: 'alsoMissing', op: 'eq', value: 1 }, yes: [], no: [] }],
      },
    });
    expect(unknownField.statusCode).toBe(422);
    expect(unknownField.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining([
        'definition.trigger.field',
        'definition.conditions.field',
        'definition.steps.0.condition.field',
      ]),
    );
    const cron = await b.adminApi.post('/api/v1/workflows', {
      name: 'Bad cron',
      definition: {
        trigger: { type: 'schedule', cron: 'every monday ok' },
        steps: [{ id: 't', type: 'add_tag', tags: ['x'] }],
      },
    });
    expect(cron.statusCode).toBe(422);
    expect(cron.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['definition.trigger.cron', 'definition.steps.0.type']),
    );
    expect((await b.adminApi.get('/api/v1/workflows')).json().data.length).toBe(before);
  });

  it('only administrators and marketing managers manage workflows', async () => {
    const marketing = await b.member('marketing_manager');
    const rep = await b.member('sales_rep');
    const mine = await b.as(marketing.cookie).post('/api/v1/workflows', softwareTagger(marketing.userId));
    expect(mine.statusCode, mine.body).toBe(201);
    expect(mine.json().data.runAsUserId).toBe(marketing.userId);
    expect((await b.as(rep.cookie).get('/api/v1/workflows')).statusCode).toBe(403);
    expect((await b.as(rep.cookie).post('/api/v1/workflows', softwareTagger(rep.userId))).statusCode).toBe(403);
    expect((await b.as(rep.cookie).get(`/api/v1/workflows/${mine.json().data.id}/runs`)).statusCode).toBe(403);
    expect((await b.as(rep.cookie).post(`/api/v1/workflows/${mine.json().data.id}/deactivate`)).statusCode).toBe(403);
    await b.as(marketing.cookie).post(`/api/v1/workflows/${mine.json().data.id}/deactivate`);
  });
});

describe('workflows: triggers, conditions, actions and the loop guard', () => {
  let b: Bed;
  beforeAll(async () => {
    b = await workflowTestbed('Workflow Runs Co');
  });
  afterAll(() => b.t.stop());

  it('runs when a matching record is created: tags it and notifies, with a step log; others are skipped', async () => {
    const w = (await b.adminApi.post('/api/v1/workflows', softwareTagger(b.admin.userId))).json().data;
    const acme = await buildAccount(b.adminApi, { name: 'Acme Cloud', industry: 'software' });
    const mill = await buildAccount(b.adminApi, { name: 'Old Mill', industry: 'manufacturing' });
    await b.settle();

    expect((await b.adminApi.get(`/api/v1/accounts/${acme.id}`)).json().data.tags).toEqual(['saas']);
    expect((await b.adminApi.get(`/api/v1/accounts/${mill.id}`)).json().data.tags).toEqual([]);
    const runs = await b.runsOf(w.id);
    expect(runs.find((r) => r.recordId === acme.id)?.status).toBe('completed');
    expect(runs.find((r) => r.recordId === mill.id)?.status).toBe('skipped');

    const run = runs.find((r) => r.recordId === acme.id) as { id: string };
    const detail = await b.runDetail(w.id, run.id);
    expect(detail.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['_conditions', 'completed'],
      ['tag', 'completed'],
      ['tell', 'completed'],
    ]);
    expect(detail.steps[1]).toMatchObject({ attempts: 1, output: { tags: ['saas'], changed: true } });
    expect(detail.steps.every((s) => typeof (s as { durationMs?: number }).durationMs === 'number')).toBe(true);

    const notes = (await b.adminApi.get('/api/v1/notifications')).json();
    expect(notes.data[0]).toMatchObject({ kind: 'workflow', title: 'New SaaS account: Acme Cloud', recordId: acme.id });
    expect(notes.unreadCount).toBe(1);
  });

  it('a notified member who may not read the record is not told its name', async () => {
    const rep = await b.member('sales_rep'); // own scope: the administrator's accounts are not theirs to read
    const flow = { ...softwareTagger(rep.userId), name: 'Tell the rep' };
    expect((await b.adminApi.post('/api/v1/workflows', flow)).statusCode).toBe(201);
    const secret = await buildAccount(b.adminApi, { name: 'Secret Software Ltd', industry: 'software' });
    await b.settle();
    const notes = (await b.as(rep.cookie).get('/api/v1/notifications')).json();
    expect(notes.data).toHaveLength(1);
    expect(notes.data[0]).toMatchObject({
      kind: 'workflow',
      title: 'Workflow “Tell the rep” ran on a record you cannot open',
    });
    expect(notes.data[0].recordId ?? null).toBeNull();
    expect(JSON.stringify(notes)).not.toContain('Secret Software');
    expect(JSON.stringify(notes)).not.toContain(secret.id);
  });

  it('a redelivered event starts no second run (unique per workflow version and event)', async () => {
    const w = (await b.adminApi.post('/api/v1/workflows', { ...softwareTagger(b.admin.userId), name: 'Again' })).json()
      .data;
    const acc = await buildAccount(b.adminApi, { name: 'Redelivered Inc', industry: 'software' });
    await b.settle();
    const { rows } = await sql<{
      id: string;
      workspace_id: string;
      type: string;
      object: string;
      record_id: string;
      data: Record<string, unknown>;
    }>`
      select id, workspace_id, type, object, record_id, data from events where record_id = ${acc.id} and type = 'account.created'`.execute(
      b.t.database.db,
    );
    const e = rows[0] as (typeof rows)[number];
    const event = {
      id: e.id,
      workspaceId: e.workspace_id,
      type: e.type,
      object: e.object,
      recordId: e.record_id,
      actorUserId: b.admin.userId,
      actorApiKeyId: null,
      data: e.data,
      createdAt: new Date(),
    };
    await b.t.database.system((tx) => b.t.modules.workflows.triggers.handle(tx, [event]));
    await b.settle();
    expect((await b.runsOf(w.id)).filter((r) => r.recordId === acc.id)).toHaveLength(1);
  });

  it('a workflow’s own changes do not re-trigger it; another workflow reacts to them once', async () => {
    const bump = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Rewrite description',
        active: true,
        definition: {
          trigger: { type: 'field_changed', object: 'accounts', field: 'description' },
          steps: [{ id: 'rewrite', type: 'update_fields', values: { description: '{{record.description}}!' } }],
        },
      })
    ).json().data;
    const follower = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Flag rewritten',
        active: true,
        definition: {
          trigger: { type: 'field_changed', object: 'accounts', field: 'description' },
          conditions: { field: 'description', op: 'endsWith', value: '!' },
          steps: [{ id: 'flag', type: 'add_tag', tags: ['rewritten'] }],
        },
      })
    ).json().data;
    const acc = await buildAccount(b.adminApi, { name: 'Loop Ltd' });
    await b.adminApi.patch(`/api/v1/accounts/${acc.id}`, { description: 'hello' });
    await b.settle();
    await b.settle();
    const after = (await b.adminApi.get(`/api/v1/accounts/${acc.id}`)).json().data;
    expect(after.description).toBe('hello!'); // once, not hello!!!!…
    expect(after.tags).toEqual(['rewritten']);
    expect((await b.runsOf(bump.id)).filter((r) => r.recordId === acc.id)).toHaveLength(1);
    // The follower ran for the user's change (skipped: no "!") and for the workflow's change (tagged).
    const followerRuns = (await b.runsOf(follower.id)).filter((r) => r.recordId === acc.id);
    expect(followerRuns.map((r) => r.status).sort()).toEqual(['completed', 'skipped']);
    const depth = await sql<{ depth: number }>`select depth from workflow_runs
      where workflow_id = ${follower.id} and status = 'completed'`.execute(b.t.database.db);
    expect(depth.rows[0]?.depth).toBe(1);
    await b.adminApi.post(`/api/v1/workflows/${bump.id}/deactivate`);
    await b.adminApi.post(`/api/v1/workflows/${follower.id}/deactivate`);
  });

  it('caps runs of one workflow per record and hour (rate guard)', async () => {
    const w = (
      await b.adminApi.post('/api/v1/workflows', { ...softwareTagger(b.admin.userId), name: 'Rate', active: true })
    ).json().data;
    const acc = await buildAccount(b.adminApi, { name: 'Busy Corp' });
    await b.settle();
    const results = await b.t.database.tenant(b.admin.workspaceId, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < MAX_RUNS_PER_RECORD_PER_HOUR + 2; i++) {
        const r = await createRun(tx, {
          workspaceId: b.admin.workspaceId,
          workflowId: w.id,
          version: 1,
          triggerKey: `test:${i}`,
          triggerType: 'record_created',
          object: 'accounts',
          recordId: acc.id,
          runAsUserId: b.admin.userId,
          now: new Date(),
        });
        out.push('id' in r ? 'started' : r.skipped);
      }
      return out;
    });
    const started = (await b.runsOf(w.id)).filter((r) => r.recordId === acc.id).length;
    expect(started).toBe(MAX_RUNS_PER_RECORD_PER_HOUR);
    expect(results.slice(-2)).toEqual(['rate_limited', 'rate_limited']);
    await b.adminApi.post(`/api/v1/workflows/${w.id}/deactivate`);
  });

  it('branches, assigns round robin within a team, creates records, and runs on a manual selection', async () => {
    const rep1 = await b.member('sales_rep');
    const rep2 = await b.member('sales_rep');
    const team = (await b.adminApi.post('/api/v1/teams', { name: 'Inbound' })).json().data;
    await b.adminApi.put(`/api/v1/teams/${team.id}/members/${rep1.userId}`);
    await b.adminApi.put(`/api/v1/teams/${team.id}/members/${rep2.userId}`);
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Route accounts',
        active: true,
        definition: {
          trigger: { type: 'manual', object: 'accounts' },
          steps: [
            {
              id: 'big',
              type: 'branch',
              condition: { field: 'employees', op: 'gte', value: 1000 },
              yes: [
                { id: 'rr', type: 'assign_owner', mode: 'round_robin', teamId: team.id },
                { id: 'ent', type: 'add_tag', tags: ['enterprise'] },
              ],
              no: [{ id: 'smb', type: 'add_tag', tags: ['smb'] }],
            },
            {
              id: 'contact',
              type: 'create_record',
              object: 'contacts',
              values: { lastName: 'Buyer at {{record.name}}', accountId: '{{record.id}}' },
            },
          ],
        },
      })
    ).json().data;
    const big1 = await buildAccount(b.adminApi, { name: 'Big One', employees: 5000 });
    const big2 = await buildAccount(b.adminApi, { name: 'Big Two', employees: 2000 });
    const small = await buildAccount(b.adminApi, { name: 'Small', employees: 3 });
    const run = await b.adminApi.post(
      `/api/v1/workflows/${w.id}/run`,
      { recordIds: [big1.id, big2.id, small.id] },
      { 'idempotency-key': 'route-1' },
    );
    expect(run.statusCode, run.body).toBe(202);
    expect(run.json().data.runIds).toHaveLength(3);
    // Replaying the same request enrols nobody twice.
    const replay = await b.adminApi.post(
      `/api/v1/workflows/${w.id}/run`,
      { recordIds: [big1.id, big2.id, small.id] },
      { 'idempotency-key': 'route-1' },
    );
    expect(replay.json().data.runIds).toHaveLength(0);
    await b.settle();
    const get = async (id: string) => (await b.adminApi.get(`/api/v1/accounts/${id}`)).json().data;
    const [a1, a2, s] = [await get(big1.id), await get(big2.id), await get(small.id)];
    expect(a1.tags).toEqual(['enterprise']);
    expect(s.tags).toEqual(['smb']);
    expect(s.ownerId).toBe(b.admin.userId);
    expect(new Set([a1.ownerId, a2.ownerId])).toEqual(new Set([rep1.userId, rep2.userId]));
    const contacts = (
      await b.adminApi.get(
        `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'accountId', op: 'eq', value: small.id }))}`,
      )
    ).json().data;
    expect(contacts.map((c: { lastName: string }) => c.lastName)).toEqual(['Buyer at Small']);
    const bad = await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { filter: { field: 'name', op: 'bogus' } });
    expect(bad.statusCode).toBe(422);
  });

  it('starts from an inbound webhook with the secret; a wrong secret is 404; a replayed key starts nothing', async () => {
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Lead from form',
        active: true,
        definition: {
          trigger: { type: 'webhook' },
          steps: [{ id: 'mk', type: 'create_record', object: 'accounts', values: { name: '{{trigger.company}}' } }],
        },
      })
    ).json().data;
    expect(w.hookUrl).toMatch(new RegExp(`^/api/v1/workflows/${w.id}/hooks/[A-Za-z0-9_-]{20,}$`));
    const wrong = await b.t.app.inject({
      method: 'POST',
      url: `/api/v1/workflows/${w.id}/hooks/nope`,
      payload: { company: 'X' },
    });
    expect(wrong.statusCode).toBe(404);
    const hook = (key: string) =>
      b.t.app.inject({
        method: 'POST',
        url: w.hookUrl,
        payload: { company: 'Hooked Co' },
        headers: { 'idempotency-key': key },
      });
    const first = await hook('form-1');
    expect(first.statusCode, first.body).toBe(202);
    const again = await hook('form-1');
    expect(again.json().data).toMatchObject({ runId: first.json().data.runId, duplicate: true });
    await b.settle();
    const found = (
      await b.adminApi.get(
        `/api/v1/accounts?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'Hooked Co' }))}`,
      )
    ).json().data;
    expect(found).toHaveLength(1);
  });

  it('keeps only the hook secret’s hash; the address is shown once and rotated for a new one', async () => {
    const hookBody = {
      trigger: { type: 'webhook' },
      steps: [{ id: 'mk', type: 'create_record', object: 'accounts', values: { name: '{{trigger.company}}' } }],
    };
    const created = (
      await b.adminApi.post('/api/v1/workflows', { name: 'Once', active: true, definition: hookBody })
    ).json().data;
    const secret = (created.hookUrl as string).split('/').at(-1) as string;
    const { rows } = await sql<{ hook_secret_hash: string }>`select hook_secret_hash from workflows
      where id = ${created.id}`.execute(b.t.database.db);
    expect(rows[0]?.hook_secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns
      where table_name = 'workflows'`.execute(b.t.database.db);
    expect(columns.rows.map((c) => c.column_name)).not.toContain('hook_secret');
    // Never again in a read.
    const read = await b.adminApi.get(`/api/v1/workflows/${created.id}`);
    expect(read.json().data.hookUrl).toBeNull();
    const listed = await b.adminApi.get('/api/v1/workflows');
    expect(listed.body).not.toContain(secret);
    const post = (url: string) => b.t.app.inject({ method: 'POST', url, payload: { company: 'Rotated Co' } });
    expect((await post(created.hookUrl)).statusCode).toBe(202);

    const rotated = await b.adminApi.post(`/api/v1/workflows/${created.id}/rotate-hook-secret`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const newUrl = rotated.json().data.hookUrl as string;
    expect(newUrl).toMatch(new RegExp(`^/api/v1/workflows/${created.id}/hooks/[A-Za-z0-9_-]{20,}$`));
    expect(newUrl).not.toBe(created.hookUrl);
    expect((await post(created.hookUrl)).statusCode).toBe(404);
    expect((await post(newUrl)).statusCode).toBe(202);
    // Only workflow managers rotate, and only a webhook workflow has an address.
    const rep = await b.member('sales_rep');
    expect((await b.as(rep.cookie).post(`/api/v1/workflows/${created.id}/rotate-hook-secret`)).statusCode).toBe(403);
    const manual = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Manual first',
        definition: { trigger: { type: 'manual', object: 'accounts' }, steps: hookBody.steps },
      })
    ).json().data;
    expect(manual.hookUrl).toBeNull();
    expect((await b.adminApi.post(`/api/v1/workflows/${manual.id}/rotate-hook-secret`)).statusCode).toBe(409);
    // Turned into a webhook workflow: the answer carries its (new) address.
    const turned = await b.adminApi.patch(`/api/v1/workflows/${manual.id}`, { definition: hookBody });
    expect(turned.json().data.hookUrl).toMatch(new RegExp(`^/api/v1/workflows/${manual.id}/hooks/`));
    const again = await b.adminApi.patch(`/api/v1/workflows/${manual.id}`, { name: 'Still a hook' });
    expect(again.json().data.hookUrl).toBeNull();
  });

  it('a failed step is logged with its error and can be retried', async () => {
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Set bad value',
        active: true,
        definition: {
          trigger: { type: 'manual', object: 'accounts' },
          steps: [
            { id: 'set', type: 'update_fields', values: { website: '{{record.description}}' } },
            { id: 'done', type: 'add_tag', tags: ['done'] },
          ],
        },
      })
    ).json().data;
    const acc = await buildAccount(b.adminApi, { name: 'Retry Ltd', description: 'not a url at all' });
    await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [acc.id] });
    await b.settle();
    const [run] = await b.runsOf(w.id);
    expect(run?.status).toBe('failed');
    const detail = await b.runDetail(w.id, run?.id as string);
    const failed = detail.steps.find((s) => s.stepId === 'set');
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toContain('website');
    expect(detail.steps.some((s) => s.stepId === 'done')).toBe(false);

    await b.adminApi.patch(`/api/v1/accounts/${acc.id}`, { description: 'https://retry.example.com' });
    const retried = await b.adminApi.post(`/api/v1/workflows/${w.id}/runs/${run?.id}/steps/${failed?.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    await b.settle();
    const done = await b.runDetail(w.id, run?.id as string);
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['_conditions', 'completed'],
      ['set', 'completed'],
      ['done', 'completed'],
    ]);
    const again = await b.adminApi.post(`/api/v1/workflows/${w.id}/runs/${run?.id}/steps/${failed?.id}/retry`);
    expect(again.statusCode).toBe(409);
  });
});

describe('migration 0014', () => {
  it('replaces each workflow’s hook secret with its SHA-256 and gives webhook subscriptions their hint', async () => {
    const target = await freshEmptyDatabase();
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    try {
      const all = readMigrations();
      await migrate(
        db.pool,
        all.filter((m) => m.version < '0014'),
      );
      const ws = uuidv7();
      const flow = uuidv7();
      await db.pool.query(`insert into workspaces (id, name) values ($1, 'Old')`, [ws]);
      await db.pool.query(
        `insert into workflows (workspace_id, id, name, hook_secret) values ($1, $2, 'Old hook', 'säme-öld_secret')`,
        [ws, flow],
      );
      await db.pool.query(
        `insert into webhook_subscriptions (workspace_id, id, url, event_types, secret, role)
         values ($1, $2, 'https://example.com/h', '{*}', 'whsec_oldsecretWXYZ', 'administrator')`,
        [ws, uuidv7()],
      );
      await migrate(db.pool, all);
      const { rows } = await db.pool.query('select hook_secret_hash from workflows where id = $1', [flow]);
      expect(rows[0].hook_secret_hash).toBe(createHash('sha256').update('säme-öld_secret', 'utf8').digest('hex'));
      const subs = await db.pool.query('select secret_hint from webhook_subscriptions');
      expect(subs.rows).toEqual([{ secret_hint: 'WXYZ' }]);
    } finally {
      await db.close();
      await target.drop();
    }
  }, 180_000); // an empty database and every migration: slow on a busy machine
});
