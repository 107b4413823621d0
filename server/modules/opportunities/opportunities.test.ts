import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildOpportunity } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';

interface Stage {
  id: string;
  name: string;
  kind: string;
  probability: number;
}

describe('opportunities, pipelines and stage history', () => {
  let t: TestApp;
  let admin: SignedUp;
  let stages: Record<string, Stage>;
  let pipelineId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Pipe Co' });
    const res = await client(t, admin).get('/api/v1/pipelines');
    expect(res.statusCode, res.body).toBe(200);
    const [p] = res.json().data;
    pipelineId = p.id;
    stages = Object.fromEntries(p.stages.map((s: Stage) => [s.name, s]));
  });
  afterAll(() => t.stop());

  it('every workspace starts with the default pipeline Qualified → Proposal → Negotiation → Closed Won / Closed Lost', async () => {
    const res = await client(t, admin).get('/api/v1/pipelines');
    const [p] = res.json().data;
    expect(p.isDefault).toBe(true);
    expect(p.stages.map((s: Stage) => [s.name, s.kind, s.probability])).toEqual([
      ['Qualified', 'open', 20],
      ['Proposal', 'open', 50],
      ['Negotiation', 'open', 75],
      ['Closed Won', 'won', 100],
      ['Closed Lost', 'lost', 0],
    ]);
  });

  it('the metadata carries the stages as options of stageId, grouped by pipeline, for generic boards', async () => {
    const res = await client(t, admin).get('/api/v1/objects/opportunities');
    expect(res.statusCode).toBe(200);
    const fields = res.json().data.fields as { name: string; type: string; options: unknown[] }[];
    const stage = fields.find((f) => f.name === 'stageId');
    expect(stage?.type).toBe('select');
    expect(stage?.options).toEqual(
      expect.arrayContaining([
        {
          value: stages.Proposal?.id,
          label: 'Proposal',
          group: pipelineId,
          meta: { pipelineId, pipeline: 'Sales', probability: 50, kind: 'open' },
        },
      ]),
    );
    expect(fields.find((f) => f.name === 'pipelineId')?.options).toEqual([
      { value: pipelineId, label: 'Sales', meta: { isDefault: true } },
    ]);
  });

  it('a new opportunity lands in the default pipeline’s first open stage with its probability', async () => {
    const res = await client(t, admin).post('/api/v1/opportunities', {
      name: 'Big deal',
      amount: { amount: '1200.50', currency: 'EUR' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const o = res.json().data;
    expect(o).toMatchObject({
      pipelineId,
      stageId: stages.Qualified?.id,
      status: 'open',
      probability: 20,
      forecastCategory: 'pipeline',
      closedAt: null,
      amount: { amount: '1200.5', currency: 'EUR' },
    });
  });

  it('moving to won closes it (status, close time, forecast, probability); reopening undoes that', async () => {
    const o = await buildOpportunity(client(t, admin), { name: 'Close me' });
    const won = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: stages['Closed Won']?.id });
    expect(won.statusCode, won.body).toBe(200);
    expect(won.json().data).toMatchObject({ status: 'won', probability: 100, forecastCategory: 'closed' });
    expect(won.json().data.closedAt).toMatch(/^\d{4}-/);
    const reopened = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: stages.Negotiation?.id });
    expect(reopened.json().data).toMatchObject({
      status: 'open',
      probability: 75,
      forecastCategory: 'pipeline',
      closedAt: null,
    });
  });

  it('a stage change emits opportunity.stage_changed after opportunity.updated, in the same transaction', async () => {
    const o = await buildOpportunity(client(t, admin), { name: 'Evented' });
    await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: stages.Proposal?.id });
    await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { nextStep: 'Demo' }); // no stage change: no stage event
    // A refused change emits nothing.
    await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: stages['Closed Lost']?.id });
    const { rows } = await t.database.tenant(admin.workspaceId, (tx) =>
      sql<{ type: string; data: Record<string, { stageId: string; status: string }> }>`
        select type, data from events where record_id = ${o.id}::uuid order by seq`.execute(tx),
    );
    expect(rows.map((r) => r.type)).toEqual([
      'opportunity.created',
      'opportunity.updated',
      'opportunity.stage_changed',
      'opportunity.updated',
    ]);
    expect(rows[2]?.data).toEqual({
      from: { pipelineId, stageId: stages.Qualified?.id, status: 'open' },
      to: { pipelineId, stageId: stages.Proposal?.id, status: 'open' },
    });
  });

  it('a probability sent with the stage change wins over the stage’s', async () => {
    const o = await buildOpportunity(client(t, admin), { name: 'Custom p', probability: 33 });
    expect(o.probability).toBe(33);
    const res = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, {
      stageId: stages.Proposal?.id,
      probability: 40,
    });
    expect(res.json().data.probability).toBe(40);
  });

  it('a lost opportunity needs a lost reason, on PATCH and in batches; the reason is cleared when reopened', async () => {
    const o = await buildOpportunity(client(t, admin), { name: 'Lose me' });
    const refused = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, {
      stageId: stages['Closed Lost']?.id,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      { path: 'lostReason', message: 'is required when the opportunity is lost' },
    ]);
    expect((await client(t, admin).get(`/api/v1/opportunities/${o.id}`)).json().data.status).toBe('open');

    const batch = await client(t, admin).post('/api/v1/opportunities/batch', {
      mode: 'update',
      records: [
        { id: o.id, stageId: stages['Closed Lost']?.id },
        { id: o.id, name: 'Renamed in batch' },
      ],
    });
    expect(batch.statusCode, batch.body).toBe(200);
    expect(batch.json().data[0]).toMatchObject({
      status: 'error',
      error: { errors: [{ path: 'records.0.lostReason', message: 'is required when the opportunity is lost' }] },
    });
    expect(batch.json().data[1].status).toBe('updated');

    const lost = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, {
      stageId: stages['Closed Lost']?.id,
      lostReason: 'competitor',
    });
    expect(lost.json().data).toMatchObject({ status: 'lost', forecastCategory: 'omitted', lostReason: 'competitor' });
    const reopened = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: stages.Qualified?.id });
    expect(reopened.json().data).toMatchObject({ status: 'open', lostReason: null, closedAt: null });
  });

  it('a batch create of a lost opportunity with its reason is closed at once', async () => {
    const res = await client(t, admin).post('/api/v1/opportunities/batch', {
      mode: 'create',
      atomic: true,
      records: [{ name: 'Lost on import', stageId: stages['Closed Lost']?.id, lostReason: 'price' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const o = (await client(t, admin).get(`/api/v1/opportunities/${res.json().data[0].id}`)).json().data;
    expect(o).toMatchObject({ status: 'lost', pipelineId, forecastCategory: 'omitted' });
    expect(o.closedAt).not.toBeNull();
  });

  describe('with a second pipeline', () => {
    let other: { id: string; stages: Stage[] };
    beforeAll(async () => {
      const res = await client(t, admin).post('/api/v1/pipelines', {
        name: 'Renewals',
        stages: [
          { name: 'Up for renewal', kind: 'open', probability: 60 },
          { name: 'Renewed', kind: 'won' },
          { name: 'Churned', kind: 'lost' },
        ],
      });
      expect(res.statusCode, res.body).toBe(201);
      other = res.json().data;
    });

    it('the new pipeline’s stages become valid options at once', async () => {
      const o = await client(t, admin).post('/api/v1/opportunities', {
        name: 'Renewal 2027',
        stageId: other.stages[0]?.id,
      });
      expect(o.statusCode, o.body).toBe(201);
      expect(o.json().data).toMatchObject({ pipelineId: other.id, probability: 60 });
      const meta = (await client(t, admin).get('/api/v1/objects/opportunities')).json().data;
      const options = meta.fields.find((f: { name: string }) => f.name === 'stageId').options;
      expect(options.filter((x: { group: string }) => x.group === other.id)).toHaveLength(3);
    });

    it('a stage of another pipeline is refused, on PATCH and in batches', async () => {
      const o = await buildOpportunity(client(t, admin), { name: 'Mixed up' });
      const res = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, {
        stageId: other.stages[0]?.id,
        pipelineId,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors[0]).toEqual({
        path: 'stageId',
        message: 'is not a stage of the opportunity’s pipeline',
      });
      const batch = await client(t, admin).post('/api/v1/opportunities/batch', {
        mode: 'create',
        records: [{ name: 'Bad', pipelineId, stageId: other.stages[1]?.id }],
      });
      expect(batch.json().data[0].error.errors[0].path).toBe('records.0.stageId');
      const unknown = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: 'not-a-stage' });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().errors[0].path).toBe('stageId');
    });

    it('moving to another pipeline without a stage puts it in that pipeline’s first open stage', async () => {
      const o = await buildOpportunity(client(t, admin), { name: 'Mover', stageId: stages.Proposal?.id });
      const res = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { pipelineId: other.id });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().data).toMatchObject({ pipelineId: other.id, stageId: other.stages[0]?.id });
    });

    it('a board of one pipeline: filter by pipelineId, group by stageId', async () => {
      const res = await client(t, admin).get(
        `/api/v1/opportunities?filter=${encodeURIComponent(JSON.stringify({ field: 'pipelineId', op: 'eq', value: other.id }))}&fields=name,stageId&limit=500`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const names = res
        .json()
        .data.map((o: { name: string }) => o.name)
        .sort();
      expect(names).toEqual(['Mover', 'Renewal 2027']);
    });

    it('a stage holding opportunities cannot be removed or change kind; an empty one can', async () => {
      const keep = other.stages.map((s) => ({ id: s.id, name: s.name, kind: s.kind }));
      const removing = await client(t, admin).patch(`/api/v1/pipelines/${other.id}`, {
        stages: [...keep.slice(1), { name: 'New open', kind: 'open' }],
      });
      expect(removing.statusCode).toBe(409);
      const rekinding = await client(t, admin).patch(`/api/v1/pipelines/${other.id}`, {
        stages: [{ ...keep[0], kind: 'lost' }, keep[1], { ...keep[2], kind: 'open' }],
      });
      expect(rekinding.statusCode).toBe(409);
      const renamed = await client(t, admin).patch(`/api/v1/pipelines/${other.id}`, {
        name: 'Renewals 2027',
        stages: [{ name: 'Early', kind: 'open', probability: 30 }, ...keep],
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json().data.stages.map((s: Stage) => s.name)).toEqual([
        'Early',
        'Up for renewal',
        'Renewed',
        'Churned',
      ]);
      expect((await client(t, admin).del(`/api/v1/pipelines/${other.id}`)).statusCode).toBe(409);
    });

    it('pipeline input errors name the field', async () => {
      const res = await client(t, admin).post('/api/v1/pipelines', {
        name: 'Broken',
        stages: [
          { name: 'A', kind: 'open' },
          { name: 'a', kind: 'open' },
          { name: 'B', kind: 'won' },
        ],
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual(
        expect.arrayContaining([
          { path: 'stages.1.name', message: 'is used by another stage of this pipeline' },
          { path: 'stages', message: 'a pipeline needs at least one lost stage' },
        ]),
      );
      const dup = await client(t, admin).post('/api/v1/pipelines', {
        name: 'renewals 2027',
        stages: other.stages.map((s) => ({ name: s.name, kind: s.kind })),
      });
      expect(dup.statusCode).toBe(409);
    });
  });

  it('records every stay in a stage, with its length; the stage report averages them', async () => {
    const o = await buildOpportunity(client(t, admin), { name: 'Historic' });
    await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: stages.Proposal?.id });
    // Pretend the stay in Qualified lasted two days.
    await t.database.tenant(admin.workspaceId, (tx) =>
      sql`update opportunity_stage_history set entered_at = left_at - interval '2 days'
          where opportunity_id = ${o.id}::uuid and to_stage_id = ${stages.Qualified?.id}`.execute(tx),
    );
    const res = await client(t, admin).get(`/api/v1/opportunities/${o.id}/stage-history`);
    expect(res.statusCode, res.body).toBe(200);
    const h = res.json().data;
    expect(h.map((x: { stageName: string }) => x.stageName)).toEqual(['Qualified', 'Proposal']);
    expect(h[0]).toMatchObject({ fromStageId: null, toStageId: stages.Qualified?.id, durationSeconds: 172_800 });
    expect(h[0].leftAt).not.toBeNull();
    expect(h[1]).toMatchObject({ fromStageId: stages.Qualified?.id, leftAt: null });

    const report = await client(t, admin).get(`/api/v1/pipelines/${pipelineId}/stage-report`);
    expect(report.statusCode, report.body).toBe(200);
    const qualified = report.json().data.find((r: { name: string }) => r.name === 'Qualified');
    expect(qualified.completed).toBeGreaterThanOrEqual(1);
    expect(qualified.averageDaysInStage).toBeGreaterThan(0);
  });

  it('contacts with roles: one primary, contacts must exist', async () => {
    const o = await buildOpportunity(client(t, admin), { name: 'People deal' });
    const c1 = await buildContact(client(t, admin), { lastName: 'Buyer' });
    const c2 = await buildContact(client(t, admin), { lastName: 'Champion' });
    const res = await client(t, admin).put(`/api/v1/opportunities/${o.id}/contacts`, {
      contacts: [
        { contactId: c1.id, role: 'economic_buyer', isPrimary: true },
        { contactId: c2.id, role: 'champion' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject([
      { contactId: c1.id, role: 'economic_buyer', isPrimary: true, contact: { lastName: 'Buyer' } },
      { contactId: c2.id, role: 'champion', isPrimary: false },
    ]);
    const bad = await client(t, admin).put(`/api/v1/opportunities/${o.id}/contacts`, {
      contacts: [{ contactId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('contacts.0.contactId');
    expect((await client(t, admin).get(`/api/v1/opportunities/${o.id}/contacts`)).json().data).toHaveLength(2);
  });

  it('the source campaign is a campaign id (UUID) for now', async () => {
    const bad = await client(t, admin).post('/api/v1/opportunities', { name: 'Campaign', sourceCampaignId: 'spring' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('sourceCampaignId');
  });
});
