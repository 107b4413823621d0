import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildLead, buildSocialMessage } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';
import { emitEvent } from '../../platform/events/events';

/** Members kept in sync with a segment, responded / converted on their own, and the lawful basis for marketing email. */
describe('campaign audiences: synced segments, responses and conversions, lawful basis, social posts', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let smtp: SmtpSink;
  let templateId = '';

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ smtpUrl: smtp.url, mailDomain: 'mail.example.test' });
    admin = await signUp(t.app, { workspaceName: 'Audience Co', name: 'Ada Admin' });
    api = client(t, admin.cookie);
    templateId = (
      await api.create('/api/v1/mail/templates', {
        name: 'Hello',
        subject: 'Hello {{ contact.lastName }}',
        html: '<p>Hi</p>',
        text: 'Hi',
      })
    ).id;
  });
  afterAll(async () => {
    await t.stop();
    await smtp.close();
  });

  const grant = async (object: 'contacts' | 'leads', id: string, status: 'granted' | 'withdrawn' = 'granted') => {
    const res = await api.post(`/api/v1/${object}/${id}/consents`, { purpose: 'marketing_email', status });
    expect(res.statusCode, res.body).toBe(201);
  };
  const campaign = async (name: string) =>
    (await api.post('/api/v1/campaigns', { name, type: 'email' })).json().data.id as string;
  const members = async (id: string) =>
    (await api.get(`/api/v1/campaigns/${id}/members?limit=100`)).json().data as {
      recordId: string;
      status: string;
    }[];
  const statusOf = async (id: string, recordId: string) =>
    (await members(id)).find((m) => m.recordId === recordId)?.status;
  const sendAll = async (id: string) => {
    expect((await api.post(`/api/v1/campaigns/${id}/send`, { templateId })).statusCode).toBe(202);
    for (let i = 0; i < 50; i++) {
      await t.jobs.runDue({ queues: ['campaigns.send'] });
      const sends = (await api.get(`/api/v1/campaigns/${id}/sends`)).json().data as { state: string }[];
      if (sends.every((s) => s.state === 'completed')) return;
    }
    throw new Error('the send did not finish');
  };

  it('a segment kept in sync: entering adds a member, leaving removes one not yet mailed; the sync can be stopped', async () => {
    const id = await campaign('Synced');
    const before = await buildContact(api, { lastName: 'Sync before', address: { country: 'NO' } });
    const seg = await api.create('/api/v1/segments', {
      name: 'Norway',
      object: 'contacts',
      filter: { field: 'address.country', op: 'eq', value: 'NO' },
    });
    const add = await api.post(`/api/v1/campaigns/${id}/members`, { segmentId: seg.id, sync: true });
    expect(add.statusCode, add.body).toBe(200);
    expect(add.json().data).toEqual({ added: 1, alreadyMembers: 0 });
    expect((await api.get(`/api/v1/campaigns/${id}/segments`)).json().data).toEqual([
      expect.objectContaining({ segmentId: seg.id, segmentName: 'Norway', object: 'contacts' }),
    ]);

    const later = await buildContact(api, { lastName: 'Sync later', address: { country: 'NO' } });
    await t.events.drain();
    expect(await statusOf(id, later.id)).toBe('targeted');
    // Leaves before any mail: no longer a member.
    await api.patch(`/api/v1/contacts/${later.id}`, { address: { country: 'SE' } });
    await t.events.drain();
    expect(await statusOf(id, later.id)).toBeUndefined();
    // Mailed, then leaves: stays, with its history.
    await grant('contacts', before.id);
    await api.patch(`/api/v1/contacts/${before.id}`, { email: 'before@example.org' });
    await sendAll(id);
    await api.patch(`/api/v1/contacts/${before.id}`, { address: { country: 'DK' } });
    await t.events.drain();
    expect(await statusOf(id, before.id)).toBe('sent');

    // Stopped: the members stay, nobody new joins.
    expect((await api.del(`/api/v1/campaigns/${id}/segments/${seg.id}`)).statusCode).toBe(204);
    expect((await api.del(`/api/v1/campaigns/${id}/segments/${seg.id}`)).statusCode).toBe(404);
    const after = await buildContact(api, { lastName: 'Sync after stop', address: { country: 'NO' } });
    await t.events.drain();
    expect(await statusOf(id, after.id)).toBeUndefined();
    expect((await members(id)).map((m) => m.recordId)).toEqual([before.id]);
  });

  it('keeping in sync needs read access to every record of the object: 403 naming sync, nothing added', async () => {
    const role = await api.post('/api/v1/roles', {
      key: 'own_marketer',
      name: 'Own-records marketer',
      permissions: {
        objects: {
          '*': { create: true, read: true, update: true, delete: false, export: false, scope: 'own' },
          campaigns: { create: true, read: true, update: true, delete: false, export: false, scope: 'all' },
          segments: { create: true, read: true, update: true, delete: false, export: false, scope: 'all' },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const m = await memberWithRole(t, admin.workspaceId, 'own_marketer', 'Olga Own');
    const asOwn = client(t, m.cookie);
    const id = await campaign('Own');
    const seg = await api.create('/api/v1/segments', {
      name: 'Everyone',
      object: 'contacts',
      filter: { field: 'lastName', op: 'isNotEmpty' },
    });
    const res = await asOwn.post(`/api/v1/campaigns/${id}/members`, { segmentId: seg.id, sync: true });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json().errors[0].path).toBe('sync');
    expect(await members(id)).toEqual([]);
    expect((await api.get(`/api/v1/campaigns/${id}/segments`)).json().data).toEqual([]);
    // A snapshot of what they may see is still theirs to take.
    expect((await asOwn.post(`/api/v1/campaigns/${id}/members`, { segmentId: seg.id })).statusCode).toBe(200);
  });

  it('responded: a form submitted within 30 days after the mail; converted: the member’s lead converted', async () => {
    const id = await campaign('Responses');
    const lead = await buildLead(api, { lastName: 'Responder', company: 'Resp Ltd', email: 'responder@example.org' });
    const late = await buildLead(api, { lastName: 'Late', company: 'Late Ltd', email: 'late@example.org' });
    const unsent = await buildLead(api, { lastName: 'Unsent', company: 'Unsent Ltd', email: 'unsent@example.org' });
    for (const l of [lead, late]) await grant('leads', l.id);
    await api.post(`/api/v1/campaigns/${id}/members`, { leadIds: [lead.id, late.id, unsent.id] });
    await sendAll(id);
    const form = (whom: string, occurredAt: Date) =>
      t.database.tenant(admin.workspaceId, (tx) =>
        emitEvent(
          tx,
          { workspaceId: admin.workspaceId, userId: null },
          {
            type: 'form.submitted',
            object: 'leads',
            recordId: whom,
            data: { formId: 'f-1', leadId: whom, occurredAt: occurredAt.toISOString() },
          },
        ),
      );
    await form(lead.id, new Date());
    await form(late.id, new Date(Date.now() + 31 * 86_400_000));
    await form(unsent.id, new Date());
    await t.events.drain();
    expect(await statusOf(id, lead.id)).toBe('responded');
    expect(await statusOf(id, late.id)).toBe('sent');
    expect(await statusOf(id, unsent.id)).toBe('skipped');
    expect((await api.get(`/api/v1/campaigns/${id}/results`)).json().data.responded).toBe(1);

    const conv = await api.post(`/api/v1/leads/${lead.id}/convert`, {});
    expect(conv.statusCode, conv.body).toBe(200);
    await t.events.drain();
    expect(await statusOf(id, lead.id)).toBe('converted');
    // Draining again (nothing new) changes nothing.
    await t.events.drain();
    expect(await statusOf(id, lead.id)).toBe('converted');
  });

  it('the lawful basis: consent by default; legitimate interest mails who has not objected; administrators only, audited', async () => {
    const id = await campaign('Basis');
    const unknown = await buildContact(api, { lastName: 'Never asked', email: 'never@example.org' });
    const withdrew = await buildContact(api, { lastName: 'Withdrew', email: 'withdrew@example.org' });
    await grant('contacts', withdrew.id, 'withdrawn');
    await api.post(`/api/v1/campaigns/${id}/members`, { contactIds: [unknown.id, withdrew.id] });
    const preview = async () => (await api.get(`/api/v1/campaigns/${id}/send/preview`)).json().data;

    expect((await api.get('/api/v1/campaigns/settings')).json().data).toEqual({ marketingLawfulBasis: 'consent' });
    expect(await preview()).toMatchObject({ willSend: 0, skippedByReason: { no_consent: 1, unsubscribed: 1 } });

    const mm = await memberWithRole(t, admin.workspaceId, 'marketing_manager', 'Mia Marketing');
    const asMm = client(t, mm.cookie);
    expect((await asMm.get('/api/v1/campaigns/settings')).statusCode).toBe(200);
    expect(
      (await asMm.patch('/api/v1/campaigns/settings', { marketingLawfulBasis: 'legitimate_interest' })).statusCode,
    ).toBe(403);
    const bad = await api.patch('/api/v1/campaigns/settings', { marketingLawfulBasis: 'because' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('marketingLawfulBasis');
    expect((await api.get('/api/v1/campaigns/settings')).json().data.marketingLawfulBasis).toBe('consent');

    const ok = await api.patch('/api/v1/campaigns/settings', { marketingLawfulBasis: 'legitimate_interest' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data).toEqual({ marketingLawfulBasis: 'legitimate_interest' });
    expect(await preview()).toMatchObject({ willSend: 1, skippedByReason: { unsubscribed: 1 } });
    await sendAll(id);
    expect(await statusOf(id, unknown.id)).toBe('sent');
    expect(await statusOf(id, withdrew.id)).toBe('skipped');
    const { rows } = await sql<{ changes: unknown }>`select changes from audit_log
      where workspace_id = ${admin.workspaceId}::uuid and action = 'campaigns.settings_changed'`.execute(t.database.db);
    expect(rows.map((r) => r.changes)).toEqual([{ marketingLawfulBasis: ['consent', 'legitimate_interest'] }]);
  });

  it('a social campaign records its posts; comments on them are its conversations and a lead made from one is attributed', async () => {
    const email = await campaign('Not social');
    const social = (await api.post('/api/v1/campaigns', { name: 'Launch posts', type: 'social' })).json().data.id;
    const notSocial = await api.post(`/api/v1/campaigns/${email}/posts`, { network: 'facebook', postId: '111_222' });
    expect(notSocial.statusCode).toBe(409);
    expect(notSocial.json().errors[0].path).toBe('type');
    const bad = await api.post(`/api/v1/campaigns/${social}/posts`, { network: 'myspace', postId: '1' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('network');
    const post = await api.post(`/api/v1/campaigns/${social}/posts`, {
      network: 'facebook',
      postId: '111_222',
      permalink: 'https://www.facebook.com/111/posts/222',
    });
    expect(post.statusCode, post.body).toBe(201);
    expect(post.json().data).toMatchObject({ network: 'facebook', postId: '111_222', conversations: 0 });
    // A post belongs to one campaign.
    const other = (await api.post('/api/v1/campaigns', { name: 'Other social', type: 'social' })).json().data.id;
    const taken = await api.post(`/api/v1/campaigns/${other}/posts`, { network: 'facebook', postId: '111_222' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().errors[0].path).toBe('postId');

    // Two comments on the post (the thread id the Meta adapter gives comments), one elsewhere.
    const c1 = await buildSocialMessage(api, {
      network: 'facebook',
      kind: 'comment',
      text: 'Love the new release!',
      authorName: 'Petra Post',
      threadId: 'facebook:post:111_222',
    });
    await buildSocialMessage(api, { network: 'facebook', kind: 'comment', threadId: 'facebook:post:111_222' });
    await buildSocialMessage(api, { network: 'facebook', kind: 'comment', threadId: 'facebook:post:999_000' });
    const posts = (await api.get(`/api/v1/campaigns/${social}/posts`)).json().data;
    expect(posts).toEqual([expect.objectContaining({ postId: '111_222', conversations: 2 })]);

    const conv = await api.post(`/api/v1/social/messages/${c1.id}/convert`, { to: 'lead' });
    expect(conv.statusCode, conv.body).toBe(201);
    const leadId = conv.json().data.id;
    expect((await api.get(`/api/v1/leads/${leadId}`)).json().data.sourceCampaignId).toBe(social);
    expect((await api.get(`/api/v1/campaigns/${social}/results`)).json().data).toMatchObject({
      posts: 1,
      conversations: 2,
      leads: 1,
    });
    // Someone who may not read social messages sees no conversations.
    const role = await api.post('/api/v1/roles', {
      key: 'no_social',
      name: 'Reads all but social',
      permissions: {
        objects: {
          '*': { create: false, read: true, update: false, delete: false, export: false, scope: 'all' },
          social_messages: { create: false, read: false, update: false, delete: false, export: false, scope: 'own' },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const blind = client(t, (await memberWithRole(t, admin.workspaceId, 'no_social', 'Nico No-Social')).cookie);
    expect((await blind.get('/api/v1/social_messages?limit=1')).statusCode).toBe(403);
    expect((await blind.get(`/api/v1/campaigns/${social}/results`)).json().data).toMatchObject({
      posts: 1,
      conversations: 0,
    });
    expect((await api.del(`/api/v1/campaigns/${social}/posts/${posts[0].id}`)).statusCode).toBe(204);
    expect((await api.get(`/api/v1/campaigns/${social}/posts`)).json().data).toEqual([]);
  });
});
