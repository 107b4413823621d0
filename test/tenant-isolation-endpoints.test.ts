import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentWav } from '../server/modules/telephony/audio-sniff';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp, uniqueEmail } from './helpers/app';
import { memberWithRole } from './helpers/members';

/**
 * Issue 6, point 8: tenant isolation re-checked through every HTTP endpoint. Workspace B
 * holds one of every kind of resource an endpoint addresses by id, each carrying a marker;
 * workspace A's administrator calls every (method, path) of the OpenAPI document that has
 * a path parameter with B's ids, then points A's own records at B's ids in bodies and
 * queries. The rule (docs/API.md): another workspace's id is "not found" — 404 with code
 * `not_found`, never 2xx, never 403 (that would confirm it exists), never 5xx — and the
 * answer holds nothing of B. A rejected reference in a body is a 422 naming the field
 * (or 404 for the record being acted on). Afterwards every row of B is as it was.
 */

const MARK = `B-SECRET-${randomBytes(4).toString('hex')}`;
const HIJACK = 'A-HIJACK';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Call {
  method: Method;
  url: string;
  payload?: unknown;
}

/**
 * Path parameters that are not a tenant's id, so there is no "B id" to put in them. Each
 * is still called below in the way that makes sense for it.
 */
const EXEMPT: Record<string, string> = {
  'GET /api/v1/objects/{object}':
    'the parameter is an object name, the same in every workspace; that A’s metadata shows none of B’s custom fields is checked with the lists',
  'POST /api/v1/objects/{object}/fields':
    'the parameter is an object name and the call creates a field on A’s own object; A adding a field named like B’s is checked to leave B’s alone',
  'GET /api/v1/geo/export/{object}':
    'the parameter is an object name, the same in every workspace; that a near filter and the GeoJSON/KML export of A hold none of B’s records is checked in server/modules/geo/geo.test.ts',
  'GET /api/v1/calendar/{file}':
    'the parameter is a bearer secret (the feed token) on a public route, not an id; a B user id used as a token is checked to be 404',
  'GET /csat/{token}':
    'public satisfaction survey link whose token is the credential (it names its workspace); a changed token is 404 (server/modules/tickets/csat.test.ts)',
  'POST /csat/{token}': 'the survey link’s comment form, as GET /csat/{token}',
  'GET /e/u/{token}':
    'public email preferences page whose signed token is the credential (it names its workspace and message); a forged token is 404 (server/modules/campaigns/campaigns.test.ts)',
  'POST /e/u/{token}': 'the one-click unsubscribe and preferences form of the same link, as GET /e/u/{token}',
  'POST /privacy/{workspaceId}':
    'the public privacy-request intake of a workspace by its id: it answers every id (known or not, any workspace) with the same 202 by design, so it reveals nothing; the request is the person’s, confirmed by an emailed link (server/modules/privacy/privacy.test.ts)',
  'GET /api/v1/dashboards/standard/{kind}':
    'the parameter is a dashboard kind (sales, forecast, marketing, service), the same in every workspace; each kind’s exact hand-computed figures, with other workspaces’ data in the same database, are checked in server/modules/reports/standard.test.ts',
  'POST /api/v1/workflows/{id}/hooks/{secret}':
    'public inbound trigger whose secret is the credential (with B’s secret the call is B’s by design); B’s workflow id with a wrong secret is checked to be 404',
};

describe('tenant isolation through every endpoint (workspace A calls with workspace B’s ids)', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let aKey: string;
  let objects: string[];
  let doc: { paths: Record<string, Record<string, unknown>> };
  /** B's ids by name, and every B id/email as a needle that must never show in A's answers. */
  const B: Record<string, string> = {};
  const bRecords: Record<string, string> = {};
  const bComments: Record<string, string> = {};
  const needles = new Set<string>();
  /** A's own resources, for bodies that must be valid apart from B's id. */
  const A: Record<string, string> = {};

  const call = (c: Call, auth: { cookie?: string; key?: string; headers?: Record<string, string> }) =>
    t.app.inject({
      method: c.method,
      url: c.url,
      headers: {
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
        ...(auth.key ? { authorization: `Bearer ${auth.key}` } : {}),
        ...auth.headers,
      },
      ...(c.payload === undefined ? {} : { payload: c.payload as object }),
    });
  const asB = (method: Method, url: string, payload?: unknown) => call({ method, url, payload }, { cookie: b.cookie });
  const asA = (method: Method, url: string, payload?: unknown) => call({ method, url, payload }, { cookie: a.cookie });
  const ok = (res: LightMyRequestResponse, status: number) => {
    expect(res.statusCode, `${res.statusCode} ${res.body}`).toBe(status);
    return res.body ? res.json() : undefined;
  };
  const keep = (name: string, id: string) => {
    B[name] = id;
    needles.add(id);
    return id;
  };

  /** What of B an answer shows: the marker, or B ids/emails the request itself did not carry. */
  const leaksIn = (res: LightMyRequestResponse, c: Call): string[] => {
    const body = res.body.toLowerCase();
    const sent = `${c.url} ${JSON.stringify(c.payload ?? '')}`.toLowerCase();
    const found = body.includes(MARK.toLowerCase()) ? [MARK] : [];
    for (const n of needles) if (body.includes(n.toLowerCase()) && !sent.includes(n.toLowerCase())) found.push(n);
    return found;
  };

  /** Every row of a workspace, as the database owner sees it (row-level security does not apply). */
  async function snapshot(workspaceId: string): Promise<Record<string, string[]>> {
    const { rows: tables } = await sql<{ table_name: string }>`
      select c.table_name from information_schema.columns c
      join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
      where c.table_schema = 'public' and c.column_name = 'workspace_id' and tb.table_type = 'BASE TABLE'
      order by c.table_name`.execute(t.database.db);
    const parts = tables.map(
      ({ table_name }) =>
        sql`select ${table_name}::text as tbl, to_jsonb(x)::text as row from ${sql.table(table_name)} x where x.workspace_id = ${workspaceId}::uuid`,
    );
    const { rows } = await sql<{ tbl: string; row: string }>`
      ${sql.join(parts, sql` union all `)}
      union all select 'workspaces', to_jsonb(w)::text from workspaces w where w.id = ${workspaceId}::uuid
      union all select 'users', to_jsonb(u)::text from users u
        where u.id in (select user_id from workspace_members where workspace_id = ${workspaceId}::uuid)`.execute(
      t.database.db,
    );
    const out: Record<string, string[]> = {};
    for (const r of rows) {
      out[r.tbl] = out[r.tbl] ?? [];
      out[r.tbl]?.push(r.row);
    }
    for (const list of Object.values(out)) list.sort();
    return out;
  }

  let bBefore: Record<string, string[]>;
  const expectBUnchanged = async () => expect(await snapshot(b.workspaceId)).toEqual(bBefore);

  /** Runs a write that must be refused (status, and the field named), and checks that nothing of A changed. */
  async function refused(c: Call, expectStatus: number, path?: string) {
    const before = await snapshot(a.workspaceId);
    const res = await call(c, { cookie: a.cookie });
    const where = `${c.method} ${c.url} ${JSON.stringify(c.payload ?? null)}`;
    expect(res.statusCode, `${where} → ${res.statusCode} ${res.body}`).toBe(expectStatus);
    if (path) {
      const paths = (res.json().errors ?? []).map((e: { path: string }) => e.path);
      expect(paths, `${where} → ${res.body}`).toContain(path);
    }
    expect(leaksIn(res, c), where).toEqual([]);
    expect(await snapshot(a.workspaceId), `${where} wrote something`).toEqual(before);
    return res;
  }

  /** A call A may make (202) that must still write nothing: it names only B's ids. */
  async function acceptedWritingNothing(c: Call) {
    const before = await snapshot(a.workspaceId);
    const res = await call(c, { cookie: a.cookie });
    expect(res.statusCode, `${c.method} ${c.url} → ${res.body}`).toBe(202);
    expect(leaksIn(res, c)).toEqual([]);
    expect(await snapshot(a.workspaceId)).toEqual(before);
    return res;
  }

  const defaultPipeline = async () => ok(await asA('GET', '/api/v1/pipelines'), 200).data[0] as { id: string };

  // ---------------------------------------------------------------------------------------------
  // Workspace B: one of every kind of resource some endpoint addresses by id.

  async function seedB() {
    const member = await memberWithRole(t, b.workspaceId, 'sales_rep', `${MARK} member`);
    keep('user', b.userId);
    keep('member', member.userId);
    const session = ok(await asB('GET', '/api/v1/auth/sessions'), 200).data[0];
    keep('session', session.id);
    needles.add(b.email);
    needles.add(b.workspaceId);

    const team = ok(await asB('POST', '/api/v1/teams', { name: `${MARK} team` }), 201).data;
    keep('team', team.id);
    ok(await asB('PUT', `/api/v1/teams/${team.id}/members/${member.userId}`), 204);
    ok(
      await asB('POST', '/api/v1/roles', {
        key: 'b_secret_role',
        name: `${MARK} role`,
        permissions: { objects: { contacts: { read: true } } },
      }),
      201,
    );
    B.roleKey = 'b_secret_role';
    ok(await asB('POST', '/api/v1/objects/contacts/fields', { name: 'bSecretField', type: 'text', label: MARK }), 201);
    B.fieldName = 'bSecretField';

    const pipeline = ok(
      await asB('POST', '/api/v1/pipelines', {
        name: `${MARK} pipeline`,
        stages: [
          { name: `${MARK} open`, kind: 'open' },
          { name: 'Won', kind: 'won' },
          { name: 'Lost', kind: 'lost' },
        ],
      }),
      201,
    ).data;
    keep('pipeline', pipeline.id);
    keep('stage', pipeline.stages[0].id);
    const book = ok(await asB('POST', '/api/v1/price-books', { name: `${MARK} book` }), 201).data;
    keep('priceBook', book.id);

    const rec = async (object: string, body: Record<string, unknown>) => {
      const data = ok(await asB('POST', `/api/v1/${object}`, body), 201).data;
      bRecords[object] = keep(`record:${object}`, data.id);
      return data.id as string;
    };
    const account = await rec('accounts', { name: `${MARK} account`, teamId: team.id });
    const contact = await rec('contacts', {
      firstName: MARK,
      lastName: 'Bee',
      email: `${MARK.toLowerCase()}@example.com`,
      accountId: account,
      bSecretField: MARK,
    });
    await rec('leads', { lastName: MARK, company: `${MARK} Ltd`, email: `lead-${MARK.toLowerCase()}@example.com` });
    const opportunity = await rec('opportunities', {
      name: `${MARK} deal`,
      accountId: account,
      pipelineId: pipeline.id,
      stageId: pipeline.stages[0].id,
    });
    const product = await rec('products', { name: `${MARK} product` });
    keep('product', product);
    const quote = await rec('quotes', { name: `${MARK} quote`, opportunityId: opportunity, currency: 'EUR' });
    await rec('staff', { displayName: `${MARK} staff` });
    await rec('tasks', {
      title: `${MARK} task`,
      relatedObject: 'contacts',
      relatedId: contact,
      assigneeId: member.userId,
    });
    await rec('meetings', {
      title: `${MARK} meeting`,
      startAt: new Date(Date.now() + 86_400_000).toISOString(),
      attendeeContactIds: [contact],
    });
    await rec('interactions', { topic: `${MARK} call`, channel: 'email', contactId: contact });
    await rec('notes', { body: `${MARK} note`, relatedObject: 'contacts', relatedId: contact });
    const segment = await rec('segments', { name: `${MARK} segment`, object: 'contacts', type: 'static' });
    const campaign = await rec('campaigns', { name: `${MARK} campaign`, type: 'email' });
    ok(await asB('POST', `/api/v1/campaigns/${campaign}/members`, { contactIds: [contact] }), 200);
    await rec('campaign_costs', {
      campaignId: campaign,
      incurredOn: '2026-01-10',
      amount: { amount: '100', currency: 'EUR' },
      description: `${MARK} cost`,
    });
    // B's campaign keeps B's segment in sync (DELETE /campaigns/{id}/segments/{segmentId}).
    keep('segment', segment);
    ok(await asB('POST', `/api/v1/campaigns/${campaign}/members`, { segmentId: segment, sync: true }), 200);
    // A social campaign's post (DELETE /campaigns/{id}/posts/{postId}).
    const socialCampaign = await rec('campaigns', { name: `${MARK} social campaign`, type: 'social' });
    keep(
      'campaignPost',
      ok(await asB('POST', `/api/v1/campaigns/${socialCampaign}/posts`, { network: 'x', postId: '1234567890' }), 201)
        .data.id,
    );
    const sender = ok(
      await asB('POST', '/api/v1/mail/senders', { fromName: MARK, fromAddress: `${MARK.toLowerCase()}@example.com` }),
      201,
    ).data;
    keep('sender', sender.id);
    ok(await asB('POST', `/api/v1/segments/${segment}/members`, { ids: [contact] }), 200);
    const ticket = await rec('tickets', { subject: `${MARK} ticket`, contactId: contact, accountId: account });
    ok(await asB('POST', `/api/v1/tickets/${ticket}/messages`, { kind: 'note', body: `${MARK} ticket note` }), 201);
    const withFile = ok(
      await asB('POST', `/api/v1/tickets/${ticket}/messages`, {
        kind: 'note',
        body: `${MARK} file`,
        attachments: [{ filename: `${MARK}.txt`, contentBase64: Buffer.from(MARK).toString('base64') }],
      }),
      201,
    ).data;
    keep('attachment', withFile.attachments[0].id);
    keep('macro', ok(await asB('POST', '/api/v1/ticket-macros', { name: `${MARK} macro`, body: MARK }), 201).data.id);
    const calendar = ok(
      await asB('POST', '/api/v1/business-calendars', {
        name: `${MARK} hours`,
        timeZone: 'Europe/Berlin',
        weeklyHours: { mon: [{ start: '09:00', end: '17:00' }] },
      }),
      201,
    ).data;
    keep('businessCalendar', calendar.id);
    const sla = ok(
      await asB('POST', '/api/v1/sla-policies', {
        name: `${MARK} SLA`,
        targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 480 } },
        calendarId: calendar.id,
      }),
      201,
    ).data;
    keep('slaPolicy', sla.id);
    // A live chat of B's (as a visitor's socket opens it: the public side has no id to call with).
    const chat = keep('chat', randomUUID());
    await t.database.tenant(b.workspaceId, async (tx) => {
      await sql`insert into chat_conversations (workspace_id, id, visitor_token_hash, visitor_name, status, agent_user_id)
        values (${b.workspaceId}::uuid, ${chat}::uuid, ${`hash-${MARK}`}, ${`${MARK} visitor`}, 'active', ${b.userId}::uuid)`.execute(
        tx,
      );
      const chatMessage = randomUUID();
      await sql`insert into chat_messages (workspace_id, id, conversation_id, author, body)
        values (${b.workspaceId}::uuid, ${chatMessage}::uuid, ${chat}::uuid, 'visitor', ${`${MARK} chat message`})`.execute(
        tx,
      );
      // A file in B's chat under the ticket attachment's id, so `chats/{id}/attachments/{attachmentId}` names a real one.
      await sql`insert into chat_attachments (workspace_id, id, conversation_id, message_id, filename, content_type, size, content)
        values (${b.workspaceId}::uuid, ${B.attachment}::uuid, ${chat}::uuid, ${chatMessage}::uuid, ${`${MARK}.txt`},
          'text/plain', ${MARK.length}, ${Buffer.from(MARK)})`.execute(tx);
    });
    await rec('article_categories', { name: `${MARK} category` });
    await rec('articles', { title: `${MARK} article`, body: MARK, visibility: 'public', status: 'published' });
    await rec('social_messages', { network: 'facebook', kind: 'message', text: MARK, authorHandle: `${MARK} author` });
    await rec('calls', {
      direction: 'inbound',
      from: '+14155550142',
      to: '+14155550100',
      callerName: `${MARK} caller`,
      contactId: contact,
    });
    await rec('territories', { name: `${MARK} territory`, area: { regions: [{ country: 'FR' }] } });
    expect(Object.keys(bRecords).sort()).toEqual([...objects].sort());

    // Children and configuration of those records.
    ok(
      await asB('PUT', `/api/v1/price-books/${book.id}/entries`, {
        entries: [{ productId: product, currency: 'EUR', unitPrice: '10.00' }],
      }),
      200,
    );
    ok(
      await asB('PUT', `/api/v1/quotes/${quote}/lines`, {
        lines: [{ productId: product, quantity: '2', unitPrice: '10' }],
      }),
      200,
    );
    ok(
      await asB('PUT', `/api/v1/opportunities/${opportunity}/contacts`, {
        contacts: [{ contactId: contact, isPrimary: true }],
      }),
      200,
    );
    for (const object of objects) {
      const c = ok(
        await asB('POST', `/api/v1/${object}/${bRecords[object]}/comments`, { body: `${MARK} comment` }),
        201,
      );
      bComments[object] = c.data.id;
      needles.add(c.data.id);
    }
    keep('feedEntry', ok(await asB('POST', '/api/v1/feed', { body: `${MARK} message` }), 201).data.id);
    const form = { name: `${MARK} form`, object: 'leads', fields: [{ name: 'email', field: 'email' }] };
    keep('form', ok(await asB('POST', '/api/v1/forms', form), 201).data.id);
    // A social connection of B's and one webhook item it stored.
    const socialConnection = keep(
      'socialConnection',
      ok(
        await asB('POST', '/api/v1/social/connections', {
          network: 'facebook',
          pageId: `b-page-${MARK}`,
          name: `${MARK} page`,
          appSecret: 'b-app-secret-123',
          verifyToken: 'b-verify-token',
        }),
        201,
      ).data.id,
    );
    const socialEvent = keep('socialEvent', randomUUID());
    await t.database.tenant(b.workspaceId, async (tx) => {
      await sql`insert into social_events (workspace_id, id, connection_id, provider_event_id, payload, status)
        values (${b.workspaceId}::uuid, ${socialEvent}::uuid, ${socialConnection}::uuid, ${`mid:${MARK}`},
          ${JSON.stringify({ text: MARK })}, 'processed')`.execute(tx);
    });
    const report = {
      name: `${MARK} report`,
      visibility: 'workspace',
      definition: { object: 'contacts', groupBy: [{ field: 'ownerId' }], measures: [{ op: 'count', as: 'n' }] },
    };
    keep('savedReport', ok(await asB('POST', '/api/v1/reports', report), 201).data.id);
    const dashboard = { name: `${MARK} dashboard`, visibility: 'workspace', widgets: [{ reportId: B.savedReport }] };
    keep('dashboard', ok(await asB('POST', '/api/v1/dashboards', dashboard), 201).data.id);
    const reportSchedule = {
      name: `${MARK} schedule`,
      target: { kind: 'dashboard', id: B.dashboard },
      frequency: 'weekly',
      recipients: [b.userId],
    };
    keep('reportSchedule', ok(await asB('POST', '/api/v1/report-schedules', reportSchedule), 201).data.id);
    const bNumber = ok(
      await asB('POST', '/api/v1/telephony/numbers', {
        provider: 'twilio',
        phoneNumber: '+14155550100',
        accountSid: `AC${'b'.repeat(32)}`,
        authToken: `${MARK}-auth-token`,
        name: `${MARK} line`,
      }),
      201,
    ).data;
    keep('telephonyNumber', bNumber.id);
    keep('telephonyFlow', bNumber.flowId);
    const quota = {
      userId: b.userId,
      from: '2026-01-01',
      to: '2026-03-31',
      amount: { amount: '1000', currency: 'EUR' },
    };
    keep('quota', ok(await asB('PUT', '/api/v1/quotas', quota), 200).data.id);
    // An import (multipart upload; its job is not run, so it stays queued).
    const importForm = new FormData();
    importForm.append('object', 'contacts');
    importForm.append('file', new Blob([`Email,Last name\nb-import@example.com,${MARK}\n`]), `${MARK}.csv`);
    const importReq = new Request('http://localhost/', { method: 'POST', body: importForm });
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { cookie: b.cookie, 'content-type': importReq.headers.get('content-type') as string },
      payload: Buffer.from(await importReq.arrayBuffer()),
    });
    keep('import', ok(imported, 202).data.id);
    keep(
      'importMapping',
      ok(
        await asB('POST', '/api/v1/imports/mappings', {
          object: 'contacts',
          name: `${MARK} mapping`,
          mapping: { Email: 'email' },
        }),
        201,
      ).data.id,
    );
    // An uploaded IVR prompt (multipart; a short WAV).
    const audioForm = new FormData();
    audioForm.append('name', `${MARK} prompt`);
    audioForm.append('file', new Blob([silentWav(1)], { type: 'audio/wav' }), `${MARK}.wav`);
    const audioReq = new Request('http://localhost/', { method: 'POST', body: audioForm });
    const audio = await t.app.inject({
      method: 'POST',
      url: '/api/v1/telephony/audio',
      headers: { cookie: b.cookie, 'content-type': audioReq.headers.get('content-type') as string },
      payload: Buffer.from(await audioReq.arrayBuffer()),
    });
    keep('telephonyAudio', ok(audio, 201).data.id);
    // A whole-workspace export (its job is not run, so it stays queued).
    keep('workspaceExport', ok(await asB('POST', '/api/v1/exports'), 202).data.id);
    ok(
      await asB('POST', `/api/v1/contacts/${bRecords.contacts}/consents`, {
        purpose: 'tracking',
        status: 'granted',
        wording: MARK,
      }),
      201,
    );
    ok(await asB('POST', `/api/v1/contacts/${contact}/shares`, { teamId: team.id, access: 'edit' }), 201);
    const trashed = ok(await asB('POST', '/api/v1/contacts', { lastName: `${MARK} trashed` }), 201).data.id;
    keep('trashedContact', trashed);
    ok(await asB('DELETE', `/api/v1/contacts/${trashed}`), 204);

    const view = ok(
      await asB('POST', '/api/v1/views', { object: 'contacts', name: `${MARK} view`, shared: true }),
      201,
    );
    keep('view', view.data.id);
    const template = ok(
      await asB('POST', '/api/v1/mail/templates', {
        name: `${MARK} template`,
        subject: `${MARK} subject`,
        html: `<p>${MARK}</p>`,
        text: MARK,
      }),
      201,
    ).data;
    keep('template', template.id);
    const sent = ok(await asB('POST', `/api/v1/mail/templates/${template.id}/send`, { contactId: contact }), 202).data;
    keep('mail', sent.mailId);

    const sub = ok(
      await asB('POST', '/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/b-hook',
        eventTypes: ['contact.created'],
        description: MARK,
      }),
      201,
    ).data;
    keep('webhook', sub.id);
    const delivery = ok(await asB('POST', `/api/v1/webhooks/${sub.id}/ping`), 202).data;
    keep('delivery', delivery.id);
    const jobs = ok(await asB('GET', '/api/v1/admin/jobs'), 200).data;
    keep('job', jobs[0].id);

    const workflow = ok(
      await asB('POST', '/api/v1/workflows', {
        name: `${MARK} workflow`,
        definition: {
          trigger: { type: 'manual', object: 'accounts' },
          steps: [{ id: 'tell', type: 'notify', users: ['run_as'], title: `${MARK} notice` }],
        },
      }),
      201,
    ).data;
    keep('workflow', workflow.id);
    ok(await asB('POST', `/api/v1/workflows/${workflow.id}/activate`, {}), 200);
    ok(await asB('POST', `/api/v1/workflows/${workflow.id}/run`, { recordIds: [account] }), 202);
    for (let i = 0; i < 3; i++) {
      await t.events.drain();
      await t.modules.workflows.runner.drain();
    }
    const runs = ok(await asB('GET', `/api/v1/workflows/${workflow.id}/runs`), 200).data;
    keep('run', runs[0].id);
    const run = ok(await asB('GET', `/api/v1/workflows/${workflow.id}/runs/${runs[0].id}`), 200).data;
    keep('runStep', run.steps[0].id);

    const bLead = ok(await asB('POST', '/api/v1/leads', { lastName: `${MARK} nurtured` }), 201).data;
    const sequence = ok(
      await asB('POST', '/api/v1/sequences', {
        name: `${MARK} sequence`,
        object: 'leads',
        steps: [{ id: 'w', type: 'wait', amount: 30, unit: 'days' }],
        active: true,
      }),
      201,
    ).data;
    keep('sequence', sequence.id);
    ok(await asB('POST', `/api/v1/sequences/${sequence.id}/enrolments`, { recordIds: [bLead.id] }), 200);
    const enrolled = ok(await asB('GET', `/api/v1/sequences/${sequence.id}/enrolments`), 200).data;
    keep('enrolment', enrolled[0].id);
    const notes = ok(await asB('GET', '/api/v1/notifications'), 200).data;
    keep('notification', notes[0].id);

    const invitation = ok(
      await asB('POST', '/api/v1/invitations', { email: uniqueEmail('binvite'), role: 'sales_rep' }),
      201,
    );
    keep('invitation', invitation.data.id);
    needles.add(invitation.data.email);
    await createApiKeyVia(t.app, b.cookie, { name: `${MARK} key` });
    keep('apiKey', ok(await asB('GET', '/api/v1/api-keys'), 200).data[0].id);
    const appPassword = ok(await asB('POST', '/api/v1/me/app-passwords', { name: `${MARK} phone` }), 201).data;
    keep('appPassword', appPassword.id);
    needles.add(appPassword.username);
    B.suppressedEmail = `supp-${MARK.toLowerCase()}@example.com`;
    needles.add(B.suppressedEmail);
    ok(await asB('POST', '/api/v1/email-suppressions', { email: B.suppressedEmail }), 201);
    B.mailSuppression = `bounced-${MARK.toLowerCase()}@example.com`;
    needles.add(B.mailSuppression);
    ok(await asB('POST', '/api/v1/mail/suppressions', { address: B.mailSuppression }), 201);
    ok(await asB('POST', '/api/v1/calendar/feed'), 201);
    keep(
      'mailbox',
      ok(await asB('POST', '/api/v1/service/mailboxes', { address: `help-${MARK.toLowerCase()}@b.example` }), 201).data
        .id,
    );
    const idem = await call(
      { method: 'POST', url: '/api/v1/contacts', payload: { lastName: 'Same body' } },
      { cookie: b.cookie, headers: { 'idempotency-key': 'shared-key-1' } },
    );
    keep('idempotentContact', ok(idem, 201).data.id);
    const rule = { name: `${MARK} rule`, kind: 'fit', condition: { field: 'lastName', op: 'isNotEmpty' }, points: 1 };
    keep('scoringRule', ok(await asB('POST', '/api/v1/scoring/rules', rule), 201).data.id);
    keep(
      'privacyRequest',
      ok(
        await asB('POST', '/api/v1/privacy/requests', {
          type: 'access',
          email: `dsr-${MARK.toLowerCase()}@example.com`,
          verified: true,
          details: MARK,
        }),
        201,
      ).data.id,
    );
    keep(
      'retentionPolicy',
      ok(
        await asB('POST', '/api/v1/privacy/retention-policies', {
          name: `${MARK} policy`,
          object: 'leads',
          months: 24,
          action: 'delete',
          active: false,
        }),
        201,
      ).data.id,
    );
    await t.events.drain();
  }

  async function seedA() {
    const mk = async (object: string, body: Record<string, unknown>) =>
      ok(await asA('POST', `/api/v1/${object}`, body), 201).data.id as string;
    A.account = await mk('accounts', { name: 'A account' });
    A.contact = await mk('contacts', { lastName: 'A contact', email: 'a-contact@example.com' });
    A.contact2 = await mk('contacts', { lastName: 'A other' });
    A.lead = await mk('leads', { lastName: 'A lead', company: 'A Ltd' });
    A.opportunity = await mk('opportunities', { name: 'A deal' });
    A.product = await mk('products', { name: 'A product' });
    A.quote = await mk('quotes', { name: 'A quote', opportunityId: A.opportunity, currency: 'EUR' });
    A.ticket = await mk('tickets', { subject: 'A ticket' });
    A.socialMessage = await mk('social_messages', { network: 'facebook', kind: 'message', text: 'A message' });
    A.team = ok(await asA('POST', '/api/v1/teams', { name: 'A team' }), 201).data.id;
    A.book = ok(await asA('GET', '/api/v1/price-books'), 200).data[0].id;
    A.template = ok(
      await asA('POST', '/api/v1/mail/templates', { name: 'A template', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' }),
      201,
    ).data.id;
    A.workflow = ok(
      await asA('POST', '/api/v1/workflows', {
        name: 'A workflow',
        definition: {
          trigger: { type: 'manual', object: 'accounts' },
          steps: [{ id: 't', type: 'add_tag', tags: ['x'] }],
        },
      }),
      201,
    ).data.id;
    ok(await asA('POST', `/api/v1/workflows/${A.workflow}/activate`, {}), 200);
    A.view = ok(await asA('POST', '/api/v1/views', { object: 'contacts', name: 'A view' }), 201).data.id;
    A.webhook = ok(
      await asA('POST', '/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/a-hook',
        eventTypes: ['contact.created'],
      }),
      201,
    ).data.id;
  }

  beforeAll(async () => {
    // Webhooks point at 127.0.0.1:9: the operator allows private networks here.
    t = await createTestApp({ rateLimitPerMinute: 0, webhooksAllowPrivate: true });
    a = await signUp(t.app, { workspaceName: 'Workspace A', name: 'Alice A' });
    b = await signUp(t.app, { workspaceName: `${MARK} workspace`, name: `${MARK} admin` });
    await t.events.drain(); // consumers start here
    objects = t.records.registry.all().map((d) => d.name);
    await seedB();
    await seedA();
    aKey = await createApiKeyVia(t.app, a.cookie, { name: 'A key' });
    await t.events.drain();
    doc = ok(await t.app.inject({ method: 'GET', url: '/api/openapi.json' }), 200);
    bBefore = await snapshot(b.workspaceId);
  }, 120_000);
  afterAll(() => t?.stop());

  // ---------------------------------------------------------------------------------------------
  // Path parameters → B's ids.

  /** B's value for a path parameter, from the segment before it (its collection) and the path's object. */
  function bValue(prev: string, param: string, object: string | undefined): string | undefined {
    if (param === 'id' && objects.includes(prev)) return bRecords[prev];
    if (param === 'commentId' && object) return bComments[object];
    const byKey: Record<string, string | undefined> = {
      'pipelines/{id}': B.pipeline,
      'price-books/{id}': B.priceBook,
      'entries/{productId}': B.product,
      '{productId}/{currency}': 'EUR', // not an id: the price's currency (B's price is in EUR)
      'views/{id}': B.view,
      'jobs/{id}': B.job,
      'templates/{id}': B.template,
      'senders/{id}': B.sender,
      'outbox/{id}': B.mail,
      'webhooks/{id}': B.webhook,
      'deliveries/{deliveryId}': B.delivery,
      'workflows/{id}': B.workflow,
      'runs/{runId}': B.run,
      'steps/{stepId}': B.runStep,
      'teams/{id}': B.team,
      'members/{userId}': B.member,
      'roles/{key}': B.roleKey,
      'fields/{name}': B.fieldName,
      'invitations/{id}': B.invitation,
      'api-keys/{id}': B.apiKey,
      'app-passwords/{id}': B.appPassword,
      'sessions/{id}': B.session,
      'notifications/{id}': B.notification,
      'feed/{id}': B.feedEntry,
      'forms/{id}': B.form,
      'reports/{id}': B.savedReport,
      'dashboards/{id}': B.dashboard,
      'report-schedules/{id}': B.reportSchedule,
      'quotas/{id}': B.quota,
      'imports/{id}': B.import,
      'mappings/{id}': B.importMapping,
      'exports/{id}': B.workspaceExport,
      'sla-policies/{id}': B.slaPolicy,
      'business-calendars/{id}': B.businessCalendar,
      'email-suppressions/{email}': B.suppressedEmail,
      'suppressions/{address}': B.mailSuppression,
      'rules/{id}': B.scoringRule,
      'mailboxes/{id}': B.mailbox,
      'ticket-macros/{id}': B.macro,
      'macros/{macroId}': B.macro,
      'attachments/{attachmentId}': B.attachment,
      'agents/{id}': B.member,
      'agents/{userId}': B.member,
      'chats/{id}': B.chat,
      'sequences/{id}': B.sequence,
      'segments/{segmentId}': B.segment,
      'posts/{postId}': B.campaignPost,
      'enrolments/{enrolmentId}': B.enrolment,
      'requests/{id}': B.privacyRequest,
      'retention-policies/{id}': B.retentionPolicy,
      'connections/{id}': B.socialConnection,
      'events/{id}': B.socialEvent,
      'messages/{id}': bRecords.social_messages,
      'numbers/{id}': B.telephonyNumber,
      'flows/{id}': B.telephonyFlow,
      'audio/{id}': B.telephonyAudio,
    };
    return byKey[`${prev}/{${param}}`];
  }

  /** The concrete calls for one documented (method, path): `{object}` is expanded over every object. */
  function callsFor(method: Method, path: string): { calls: Call[]; missing?: string } {
    const segs = path.split('/');
    const objectsHere = segs.includes('{object}')
      ? segs[segs.indexOf('{object}') - 1] === 'objects'
        ? ['contacts'] // custom fields: B's is on contacts
        : objects
      : [undefined];
    const calls: Call[] = [];
    for (const o of objectsHere) {
      const object = o ?? (objects.includes(segs[3] ?? '') ? segs[3] : undefined);
      const out: string[] = [];
      for (const [i, s] of segs.entries()) {
        const m = /^\{(\w+)\}$/.exec(s);
        if (!m) {
          out.push(s);
          continue;
        }
        if (m[1] === 'object') {
          out.push(o as string);
          continue;
        }
        const prev = segs[i - 1] === '{object}' ? (o as string) : (segs[i - 1] as string);
        const v = bValue(prev, m[1] as string, object);
        if (v === undefined) return { calls: [], missing: `{${m[1]}}` };
        out.push(encodeURIComponent(v));
      }
      const generic = `${method} ${path.replace(new RegExp(`^/api/v1/(${objects.join('|')})/`), '/api/v1/{object}/')}`;
      const url = out.join('/');
      calls.push({ method, url, payload: bodyFor(generic, object) });
      // Deleting for good is the same route with ?permanent=true.
      if (generic === 'DELETE /api/v1/{object}/{id}') calls.push({ method, url: `${url}?permanent=true` });
    }
    return { calls };
  }

  /** A body valid apart from B's id, so that the id is what the answer is about. */
  function bodyFor(generic: string, object: string | undefined): unknown {
    const bodies: Record<string, unknown> = {
      'PATCH /api/v1/{object}/{id}': { tags: [HIJACK] },
      'POST /api/v1/{object}/{id}/comments': { body: HIJACK },
      'POST /api/v1/{object}/{id}/shares': { userId: a.userId, access: 'edit' },
      'POST /api/v1/{object}/{id}/merge':
        object === 'tickets'
          ? { intoId: A.ticket }
          : { otherId: object === 'accounts' ? A.account : object === 'leads' ? A.lead : A.contact2 },
      'POST /api/v1/{object}/{id}/messages': { kind: 'note', body: HIJACK },
      'POST /api/v1/{object}/{id}/convert': {},
      'PUT /api/v1/{object}/{id}/contacts': { contacts: [{ contactId: A.contact }] },
      'PUT /api/v1/{object}/{id}/lines': { lines: [{ name: HIJACK, quantity: '1', unitPrice: '1' }] },
      'POST /api/v1/{object}/{id}/accept': {},
      'PATCH /api/v1/pipelines/{id}': { name: HIJACK },
      'PATCH /api/v1/sla-policies/{id}': { name: HIJACK },
      'PATCH /api/v1/business-calendars/{id}': { name: HIJACK },
      'PATCH /api/v1/price-books/{id}': { name: HIJACK },
      'PUT /api/v1/price-books/{id}/entries': {
        entries: [{ productId: A.product, currency: 'EUR', unitPrice: '1.00' }],
      },
      'PATCH /api/v1/roles/{key}': { name: HIJACK },
      'PATCH /api/v1/members/{userId}': { role: 'sales_rep' },
      'PATCH /api/v1/teams/{id}': { name: HIJACK },
      'PATCH /api/v1/objects/{object}/fields/{name}': { label: HIJACK },
      'PATCH /api/v1/views/{id}': { name: HIJACK },
      'PATCH /api/v1/imports/mappings/{id}': { name: HIJACK },
      'PATCH /api/v1/mail/templates/{id}': { subject: HIJACK },
      'POST /api/v1/mail/templates/{id}/preview': {},
      'POST /api/v1/mail/templates/{id}/send': { contactId: A.contact },
      'PATCH /api/v1/webhooks/{id}': { description: HIJACK },
      'PATCH /api/v1/service/mailboxes/{id}': { name: HIJACK },
      'PATCH /api/v1/ticket-macros/{id}': { name: HIJACK },
      'PATCH /api/v1/service/agents/{id}': { capacity: 1 },
      'PUT /api/v1/{object}/{id}/presence': { state: 'viewing' },
      'POST /api/v1/{object}/{id}/assign': {},
      'PATCH /api/v1/workflows/{id}': { name: HIJACK },
      'POST /api/v1/workflows/{id}/activate': {},
      'POST /api/v1/workflows/{id}/run': { recordIds: [A.account] },
      'PATCH /api/v1/sequences/{id}': { name: HIJACK },
      'POST /api/v1/sequences/{id}/enrolments': { recordIds: [A.lead] },
      'POST /api/v1/{object}/{id}/members': object === 'campaigns' ? { contactIds: [A.contact] } : { ids: [A.contact] },
      'POST /api/v1/{object}/{id}/send': { templateId: A.template },
      'POST /api/v1/mail/templates/{id}/test-send': {},
      'DELETE /api/v1/{object}/{id}/members': { ids: [A.contact] },
      'POST /api/v1/{object}/{id}/members/import': { emails: ['a-contact@example.com'] },
      'POST /api/v1/{object}/{id}/consents': { purpose: 'marketing_email', status: 'granted' },
      'PUT /api/v1/forms/{id}': { name: HIJACK, object: 'leads', fields: [{ name: 'email', field: 'email' }] },
      'PATCH /api/v1/reports/{id}': { name: HIJACK },
      'PATCH /api/v1/dashboards/{id}': { name: HIJACK },
      'POST /api/v1/report-schedules/{id}/send': {},
      'PATCH /api/v1/scoring/rules/{id}': { name: HIJACK },
      'PATCH /api/v1/feed/{id}': { body: HIJACK },
      'POST /api/v1/{object}/{id}/reject-mql': { reason: HIJACK },
      'POST /api/v1/chats/{id}/messages': { body: HIJACK },
      'PATCH /api/v1/privacy/requests/{id}': { details: HIJACK },
      'POST /api/v1/privacy/requests/{id}/extend': { reason: HIJACK },
      'POST /api/v1/privacy/requests/{id}/complete': {},
      'PUT /api/v1/privacy/retention-policies/{id}': { name: HIJACK, object: 'leads', months: 1, action: 'delete' },
      'PATCH /api/v1/social/connections/{id}': { name: HIJACK },
      'POST /api/v1/{object}/{id}/posts': { network: 'x', postId: '987654321' },
      'POST /api/v1/social/messages/{id}/reply': { text: HIJACK },
      'POST /api/v1/social/messages/{id}/convert': { to: 'task' },
      'POST /api/v1/social/messages/{id}/assign': { assigneeId: a.userId },
      'PATCH /api/v1/telephony/numbers/{id}': { name: HIJACK },
      'PATCH /api/v1/telephony/agents/{userId}': { priority: 2 },
      'POST /api/v1/{object}/{id}/wrap-up': { disposition: 'other', notes: HIJACK, followUp: { title: HIJACK } },
      'PUT /api/v1/telephony/flows/{id}': {
        name: HIJACK,
        definition: { start: 'a', nodes: [{ id: 'a', kind: 'hangup' }] },
      },
    };
    return bodies[generic];
  }

  /** Every documented (method, path) with a path parameter, as calls with B's ids (or the reason it cannot be). */
  function idCalls(): { label: string; calls: Call[] }[] {
    const out: { label: string; calls: Call[] }[] = [];
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.includes('{')) continue;
      for (const m of Object.keys(ops)) {
        const method = m.toUpperCase() as Method;
        const label = `${method} ${path}`;
        if (EXEMPT[label]) continue;
        const { calls, missing: param } = callsFor(method, path);
        if (param) missing.push(`no workspace-B id known for ${label} (${param}): add one to the map`);
        else out.push({ label, calls });
      }
    }
    expect(missing).toEqual([]);
    return out;
  }

  it('every documented path with a parameter has a B id mapped (or a reasoned exemption)', () => {
    const all = idCalls();
    // Sanity: the document really is the whole API (generic record routes for every object included).
    expect(all.length).toBeGreaterThanOrEqual(150);
    for (const label of Object.keys(EXEMPT)) {
      const [method, path] = label.split(' ') as [string, string];
      expect(doc.paths[path]?.[method.toLowerCase()], `exemption for an undocumented ${label}`).toBeDefined();
    }
  });

  /** Calls every path with B's ids as `auth`; each must be 404 not_found and show nothing of B. */
  async function sweepIdPaths(auth: { cookie?: string; key?: string }): Promise<number> {
    const failures: string[] = [];
    let count = 0;
    for (const { label, calls } of idCalls()) {
      for (const c of calls) {
        count++;
        const res = await call(c, auth);
        const json = String(res.headers['content-type'] ?? '').includes('json') && res.body !== '';
        if (res.statusCode !== 404 || !json || res.json().code !== 'not_found')
          failures.push(`${label} → ${c.method} ${c.url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        const leaks = leaksIn(res, c);
        if (leaks.length) failures.push(`${label} → ${c.url} leaks ${leaks.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
    return count;
  }

  it('A’s administrator gets 404 for each of B’s ids on every such path, sees nothing of B, changes nothing', async () => {
    expect(await sweepIdPaths({ cookie: a.cookie })).toBeGreaterThanOrEqual(170);
    await expectBUnchanged();
  });

  it('the same through one of A’s API keys', async () => {
    await sweepIdPaths({ key: aKey });
    await expectBUnchanged();
  });

  it('exempted paths: B’s workflow with a wrong secret and a B id as feed token are 404', async () => {
    const hook = await t.app.inject({
      method: 'POST',
      url: `/api/v1/workflows/${B.workflow}/hooks/not-the-secret`,
      payload: {},
    });
    expect(hook.statusCode, hook.body).toBe(404);
    const feed = await t.app.inject({ method: 'GET', url: `/api/v1/calendar/${B.user}.ics` });
    expect(feed.statusCode, feed.body).toBe(404);
    await expectBUnchanged();
  });

  it('every list, export, search and setting A can read holds nothing of B', async () => {
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    // Query strings the routes need (or that aim at B's data: its marker, its ids).
    const query: Record<string, string> = {
      '/api/v1/views': '?object=contacts',
      '/api/v1/imports/mappings': '?object=contacts',
      '/api/v1/contacts/vcard': `?ids=${bRecords.contacts}`, // B's contact: an empty file
      '/api/v1/calendar': `?from=${since}&to=${until}`,
      '/api/v1/search': `?q=${encodeURIComponent(MARK)}`,
      '/api/v1/tags': `?q=${encodeURIComponent(MARK.toLowerCase())}`,
      '/api/v1/deals': `?ownerId=${B.user}&pipelineId=${B.pipeline}`, // another workspace's pipeline has no deals here
      '/api/v1/deals/stats': `?pipelineId=${B.pipeline}`,
      '/api/v1/audit-log': `?recordId=${bRecords.contacts}`,
      '/api/v1/audit-log/export': `?actorUserId=${B.user}`,
      '/api/v1/admin/jobs': `?before=${B.job}`,
      '/api/v1/mail/outbox': `?before=${B.mail}`,
      '/api/v1/notifications': `?cursor=${B.notification}`,
      '/api/v1/feed': `?actorId=${B.user}&teamId=${B.team}`,
      '/api/v1/articles/suggest': `?q=${encodeURIComponent(MARK)}`,
      '/api/v1/tickets/queue': '?queue=unassigned',
      '/api/v1/geo/places': '?q=Lyon',
    };
    // Aggregates group by a select field; objects without one answer 422 naming groupBy (and still leak nothing).
    const groupBy = (object: string) =>
      t.records.registry.get(object)?.fields.find((f) => f.type === 'select' && !f.hidden)?.name;
    const failures: string[] = [];
    const check = async (c: Call, auth: { cookie?: string; key?: string } = { cookie: a.cookie }, status = 200) => {
      const res = await call(c, auth);
      if (res.statusCode !== status) failures.push(`${c.method} ${c.url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      const leaks = leaksIn(res, c);
      if (leaks.length) failures.push(`${c.method} ${c.url} leaks ${leaks.join(', ')}`);
    };
    const skip = new Set([
      '/api/v1/invitations/lookup', // public, by invitation token (not an id)
      '/api/v1/notifications/stream', // WebSocket
    ]);
    let count = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path.includes('{') || !ops.get || skip.has(path) || !path.startsWith('/api/v1/')) continue;
      const object = /^\/api\/v1\/(\w+)\/aggregate$/.exec(path)?.[1];
      const field = object && groupBy(object);
      count++;
      if (object && !field) await check({ method: 'GET', url: `${path}?groupBy=name` }, { cookie: a.cookie }, 422);
      else await check({ method: 'GET', url: `${path}${field ? `?groupBy=${field}` : (query[path] ?? '')}` });
    }
    expect(count).toBeGreaterThan(60);
    for (const object of objects) {
      const ids = { field: 'id', op: 'in', value: Object.values(bRecords) };
      await check({ method: 'POST', url: `/api/v1/${object}/query`, payload: { filter: ids } });
      await check({ method: 'GET', url: `/api/v1/${object}?filter=${encodeURIComponent(JSON.stringify(ids))}` });
      await check({ method: 'GET', url: `/api/v1/${object}/export` }, { key: aKey });
    }
    for (const format of ['geojson', 'kml']) {
      await check({ method: 'GET', url: `/api/v1/geo/export/contacts?format=${format}` }, { key: aKey });
    }
    const byAccount = encodeURIComponent(JSON.stringify({ field: 'accountId', op: 'eq', value: bRecords.accounts }));
    await check({ method: 'GET', url: `/api/v1/contacts?filter=${byAccount}&include=account` });
    await check({ method: 'GET', url: `/api/v1/contacts/aggregate?groupBy=lifecycleStage&filter=${byAccount}` });
    const byName = encodeURIComponent(JSON.stringify({ field: 'account.name', op: 'contains', value: MARK }));
    await check({ method: 'GET', url: `/api/v1/contacts?filter=${byName}` });
    await check({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(MARK)}` }, { key: aKey });
    for (const object of ['contacts', 'accounts', 'leads']) {
      const probe = {
        contacts: { firstName: MARK, lastName: 'Bee', email: `${MARK.toLowerCase()}@example.com` },
        accounts: { name: `${MARK} account` },
        leads: { lastName: MARK, company: `${MARK} Ltd`, email: `lead-${MARK.toLowerCase()}@example.com` },
      }[object];
      await check({ method: 'POST', url: `/api/v1/${object}/duplicates`, payload: probe });
    }
    await check({
      method: 'GET',
      url: `/api/v1/contacts/${A.contact}/recent-contacts?opportunityId=${bRecords.opportunities}`,
    });
    await check({ method: 'GET', url: `/api/v1/price-books/${A.book}/entries?productId=${B.product}` });
    await check({ method: 'GET', url: `/api/v1/workflows/${A.workflow}/runs?cursor=${B.run}` });
    await check({ method: 'GET', url: `/api/v1/accounts/${A.account}/timeline?includeContacts=true` });
    await check({ method: 'GET', url: '/api/v1/objects/contacts' });
    await check({ method: 'GET', url: `/api/v1/webhooks/${A.webhook}/deliveries?before=${B.delivery}` });
    expect(failures).toEqual([]);
    await expectBUnchanged();
  });

  it('A’s session cannot choose B’s workspace (Rapport-Workspace): 403, nothing of B', async () => {
    for (const c of [
      { method: 'GET', url: '/api/v1/contacts' },
      { method: 'GET', url: `/api/v1/contacts/${bRecords.contacts}` },
      { method: 'PATCH', url: `/api/v1/contacts/${bRecords.contacts}`, payload: { tags: [HIJACK] } },
      { method: 'GET', url: '/api/v1/members' },
    ] as Call[]) {
      const res = await call(c, { cookie: a.cookie, headers: { 'rapport-workspace': b.workspaceId } });
      expect(res.statusCode, `${c.method} ${c.url}: ${res.body}`).toBe(403);
      expect(leaksIn(res, c)).toEqual([]);
    }
    await expectBUnchanged();
  });

  it('A’s records cannot point at B’s ids: 422 naming the field (404 for the record acted on), nothing written', async () => {
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    const post = (url: string, payload?: unknown): Call => ({ method: 'POST', url, payload });
    const put = (url: string, payload?: unknown): Call => ({ method: 'PUT', url, payload });
    const patch = (url: string, payload: unknown): Call => ({ method: 'PATCH', url, payload });
    const workflow = (step: Record<string, unknown>) =>
      post('/api/v1/workflows', {
        name: 'A refers to B',
        definition: { trigger: { type: 'manual', object: 'accounts' }, steps: [{ id: 's', ...step }] },
      });
    const cases: [Call, number, string?][] = [
      [post('/api/v1/contacts', { lastName: 'x', accountId: bRecords.accounts }), 422, 'accountId'],
      [post('/api/v1/contacts', { lastName: 'x', ownerId: B.user }), 422, 'ownerId'],
      [post('/api/v1/contacts', { lastName: 'x', teamId: B.team }), 422, 'teamId'],
      [patch(`/api/v1/contacts/${A.contact}`, { accountId: bRecords.accounts }), 422, 'accountId'],
      [patch(`/api/v1/contacts/${A.contact}`, { ownerId: B.member }), 422, 'ownerId'],
      [post('/api/v1/accounts', { name: 'x', parentAccountId: bRecords.accounts }), 422, 'parentAccountId'],
      [post('/api/v1/opportunities', { name: 'x', accountId: bRecords.accounts }), 422, 'accountId'],
      [post('/api/v1/opportunities', { name: 'x', pipelineId: B.pipeline, stageId: B.stage }), 422, 'pipelineId'],
      [patch(`/api/v1/opportunities/${A.opportunity}`, { stageId: B.stage }), 422, 'stageId'],
      [
        post('/api/v1/quotes', { name: 'x', opportunityId: bRecords.opportunities, currency: 'EUR' }),
        422,
        'opportunityId',
      ],
      [
        post('/api/v1/quotes', {
          name: 'x',
          opportunityId: A.opportunity,
          contactId: bRecords.contacts,
          currency: 'EUR',
        }),
        422,
        'contactId',
      ],
      [
        post('/api/v1/quotes', { name: 'x', opportunityId: A.opportunity, priceBookId: B.priceBook, currency: 'EUR' }),
        422,
        'priceBookId',
      ],
      [
        post('/api/v1/tasks', { title: 'x', relatedObject: 'contacts', relatedId: bRecords.contacts }),
        422,
        'relatedId',
      ],
      [post('/api/v1/tasks', { title: 'x', assigneeId: B.member }), 422, 'assigneeId'],
      [post('/api/v1/meetings', { title: 'x', startAt: soon, attendeeContactIds: [bRecords.contacts] }), 422],
      [post('/api/v1/meetings', { title: 'x', startAt: soon, attendeeUserIds: [B.user] }), 422],
      [post('/api/v1/interactions', { topic: 'x', channel: 'email', contactId: bRecords.contacts }), 422, 'contactId'],
      [post('/api/v1/interactions', { topic: 'x', channel: 'email', accountId: bRecords.accounts }), 422, 'accountId'],
      [post('/api/v1/interactions', { topic: 'x', channel: 'call', participantUserIds: [B.user] }), 422],
      [post('/api/v1/notes', { body: 'x', relatedObject: 'accounts', relatedId: bRecords.accounts }), 422, 'relatedId'],
      [post('/api/v1/staff', { displayName: 'x', managerId: bRecords.staff }), 422, 'managerId'],
      [
        post('/api/v1/contacts/batch', {
          mode: 'create',
          atomic: true,
          records: [{ lastName: 'x', accountId: bRecords.accounts }],
        }),
        422,
      ],
      [
        post('/api/v1/contacts/bulk', { ids: [A.contact], action: 'update', values: { accountId: bRecords.accounts } }),
        422,
        'values.accountId',
      ],
      [post(`/api/v1/contacts/${A.contact}/merge`, { otherId: bRecords.contacts }), 422, 'otherId'],
      [post(`/api/v1/accounts/${A.account}/merge`, { otherId: bRecords.accounts }), 422, 'otherId'],
      [post(`/api/v1/leads/${A.lead}/merge`, { otherId: bRecords.leads }), 422, 'otherId'],
      [post(`/api/v1/leads/${A.lead}/convert`, { accountId: bRecords.accounts }), 422, 'accountId'],
      [post(`/api/v1/leads/${A.lead}/convert`, { contactId: bRecords.contacts }), 422, 'contactId'],
      [post(`/api/v1/leads/${A.lead}/convert`, { ownerId: B.user }), 422, 'ownerId'],
      [post(`/api/v1/social/messages/${A.socialMessage}/assign`, { assigneeId: B.user }), 422, 'assigneeId'],
      [post(`/api/v1/social/messages/${A.socialMessage}/assign`, { teamId: B.team }), 422, 'teamId'],
      [post(`/api/v1/leads/${A.lead}/convert`, { opportunity: { pipelineId: B.pipeline, stageId: B.stage } }), 422],
      [
        put(`/api/v1/opportunities/${A.opportunity}/contacts`, { contacts: [{ contactId: bRecords.contacts }] }),
        422,
        'contacts.0.contactId',
      ],
      [
        put(`/api/v1/price-books/${A.book}/entries`, {
          entries: [{ productId: B.product, currency: 'EUR', unitPrice: '1.00' }],
        }),
        422,
        'entries.0.productId',
      ],
      [
        put(`/api/v1/quotes/${A.quote}/lines`, { lines: [{ productId: B.product, quantity: '1', unitPrice: '1' }] }),
        422,
        'lines.0.productId',
      ],
      [post(`/api/v1/contacts/${A.contact}/shares`, { userId: B.user }), 422, 'userId'],
      [post(`/api/v1/contacts/${A.contact}/shares`, { teamId: B.team }), 422, 'teamId'],
      [put(`/api/v1/teams/${A.team}/members/${B.member}`), 404],
      [patch(`/api/v1/members/${a.userId}`, { role: B.roleKey }), 422, 'role'],
      [post('/api/v1/api-keys', { name: 'x', role: B.roleKey }), 422, 'role'],
      [post('/api/v1/invitations', { email: uniqueEmail('ainvite'), role: B.roleKey }), 422, 'role'],
      [
        post('/api/v1/webhooks', {
          url: 'http://127.0.0.1:9/a',
          eventTypes: ['*'],
          role: B.roleKey,
        }),
        422,
        'role',
      ],
      [post(`/api/v1/contacts/${A.contact}/comments`, { body: `hi @[Bee](user:${B.user})` }), 422, 'body'],
      [post('/api/v1/feed', { body: 'x', parentId: B.feedEntry }), 422, 'parentId'],
      [post('/api/v1/feed', { body: 'x', teamId: B.team }), 422, 'teamId'],
      [post('/api/v1/feed', { body: `hi @[Bee](user:${B.user})` }), 422, 'body'],
      [post('/api/v1/feed', { body: `see @[Bee](contacts:${bRecords.contacts})` }), 422, 'body'],
      [
        post('/api/v1/mail/templates/preview', { subject: 's', html: 'h', text: 't', contactId: bRecords.contacts }),
        404,
      ],
      [post(`/api/v1/mail/templates/${A.template}/preview`, { contactId: bRecords.contacts }), 404],
      [post(`/api/v1/mail/templates/${A.template}/send`, { contactId: bRecords.contacts }), 404],
      [workflow({ type: 'send_email', templateId: B.template }), 422, 'definition.steps.0.templateId'],
      [workflow({ type: 'assign_owner', mode: 'user', userId: B.user }), 422, 'definition.steps.0.userId'],
      [workflow({ type: 'assign_owner', mode: 'round_robin', teamId: B.team }), 422, 'definition.steps.0.teamId'],
      [workflow({ type: 'notify', users: [B.user], title: 'x' }), 422, 'definition.steps.0.users.0'],
      [workflow({ type: 'create_task', title: 'x', assignTo: B.member }), 422, 'definition.steps.0.assignTo'],
      [
        patch(`/api/v1/pipelines/${(await defaultPipeline()).id}`, {
          stages: [
            { id: B.stage, name: 'Open', kind: 'open' },
            { name: 'Won', kind: 'won' },
            { name: 'Lost', kind: 'lost' },
          ],
        }),
        422,
        'stages.0.id',
      ],
    ];
    // A's parent, B's child.
    const del = (url: string): Call => ({ method: 'DELETE', url });
    const get = (url: string): Call => ({ method: 'GET', url });
    cases.push(
      [del(`/api/v1/contacts/${A.contact}/comments/${bComments.contacts}`), 404],
      [del(`/api/v1/teams/${A.team}/members/${B.member}`), 404],
      [del(`/api/v1/price-books/${A.book}/entries/${B.product}/EUR`), 404],
      [get(`/api/v1/workflows/${A.workflow}/runs/${B.run}`), 404],
      [post(`/api/v1/workflows/${A.workflow}/runs/${B.run}/cancel`), 404],
      [post(`/api/v1/workflows/${A.workflow}/runs/${B.run}/steps/${B.runStep}/retry`), 404],
      [get(`/api/v1/webhooks/${A.webhook}/deliveries/${B.delivery}`), 404],
      [post(`/api/v1/webhooks/${A.webhook}/deliveries/${B.delivery}/replay`), 404],
    );
    for (const [c, status, path] of cases) await refused(c, status, path);

    // Many records at once: each of B's is "not found", and nothing is written.
    for (const c of [
      post('/api/v1/contacts/bulk', { ids: [bRecords.contacts], action: 'trash' }),
      post('/api/v1/contacts/bulk', { ids: [bRecords.contacts], action: 'addTags', tags: [HIJACK] }),
      post('/api/v1/contacts/bulk', { ids: [bRecords.contacts], action: 'update', values: { title: HIJACK } }),
      post('/api/v1/contacts/batch', { mode: 'update', records: [{ id: bRecords.contacts, title: HIJACK }] }),
      post('/api/v1/contacts/batch', {
        mode: 'upsert',
        matchOn: 'email',
        records: [{ email: `${MARK.toLowerCase()}@example.com`, title: HIJACK }],
      }),
    ]) {
      const before = await snapshot(a.workspaceId);
      const res = await call(c, { cookie: a.cookie });
      const where = `${c.method} ${c.url} ${JSON.stringify(c.payload)}`;
      expect(leaksIn(res, c), where).toEqual([]);
      if ((c.payload as { mode?: string }).mode === 'upsert') {
        // The email is B's contact's: in A it matches nothing, so the upsert creates A's own contact.
        expect(res.statusCode, `${where} → ${res.body}`).toBe(200);
        expect(res.json().data[0].status, res.body).toBe('created');
        continue;
      }
      expect(res.statusCode, `${where} → ${res.body}`).toBe(200);
      expect(
        res.json().data.map((r: { error?: { code: string } }) => r.error?.code),
        res.body,
      ).toEqual(['not_found']);
      expect(await snapshot(a.workspaceId), `${where} wrote something`).toEqual(before);
    }

    // The same Idempotency-Key and body B used: A gets its own new contact, not B's stored answer.
    const same = await call(
      { method: 'POST', url: '/api/v1/contacts', payload: { lastName: 'Same body' } },
      { cookie: a.cookie, headers: { 'idempotency-key': 'shared-key-1' } },
    );
    expect(same.statusCode, same.body).toBe(201);
    expect(same.headers['idempotent-replayed']).toBeUndefined();
    expect(same.json().data.id).not.toBe(B.idempotentContact);
    expect(leaksIn(same, { method: 'POST', url: '/api/v1/contacts' })).toEqual([]);

    // Accepted, but about A only: nothing of B is enrolled, marked or changed.
    const run = await acceptedWritingNothing(
      post(`/api/v1/workflows/${A.workflow}/run`, { recordIds: [bRecords.accounts] }),
    );
    expect(run.json().data).toMatchObject({ runIds: [], enrolled: 0 });
    ok(await asA('POST', '/api/v1/notifications/read', { ids: [B.notification] }), 200);
    ok(
      await asA('POST', '/api/v1/objects/contacts/fields', { name: B.fieldName, type: 'integer', label: 'A’s own' }),
      201,
    );
    await expectBUnchanged();
  });
});
