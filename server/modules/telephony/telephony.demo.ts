import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { TIvrDefinition } from '../../../common/contracts/telephony';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { systemActor } from '../tickets';
import { setPresence } from './agents';
import { AudioUrls, insertAudio } from './audio';
import { silentMp3 } from './audio-sniff';
import { DEFAULT_FLOW } from './ivr';
import { recountQueueDays } from './queue-days';
import { TelephonyService } from './telephony.service';

/** The demo's number: Twilio's documented magic test number (it never rings anywhere). */
export const DEMO_PHONE_NUMBER = '+15005550006';
/** The demo user's phone as an agent (a US 555 number). */
const DEMO_AGENT_PHONE = '+12025550142';
const DAY_MS = 86_400_000;

/**
 * The demo's flow: the default one, with VIP callers (their account tagged vip) put through to
 * their account owner, and key 4 saying the caller's latest open opportunity's stage (order status).
 */
export const DEMO_FLOW: TIvrDefinition = {
  start: DEFAULT_FLOW.start,
  nodes: [
    ...DEFAULT_FLOW.nodes.map((n) => {
      if (n.kind === 'lookup') return { ...n, vipTag: 'vip' };
      if (n.kind === 'menu') {
        return {
          ...n,
          prompt: {
            say: 'For sales, press 1. For support, press 2. To leave a message, press 3. For the status of your order, press 4.',
            language: 'en-US',
          },
          options: { ...n.options, '4': 'order-status' },
        };
      }
      return n;
    }),
    {
      id: 'order-status',
      kind: 'answer',
      object: 'opportunities',
      field: 'stageId',
      filter: { field: 'status', op: 'eq', value: 'open' },
      sort: '-updatedAt',
      say: 'Thank you {{name}}. Your latest order is at the {{value}} stage.',
      missing: 'We found no open order for this number.',
      language: 'en-US',
      next: 'goodbye',
    },
    { id: 'goodbye', kind: 'hangup', prompt: { say: 'Thank you for calling. Goodbye.', language: 'en-US' } },
  ],
};
const quietLog = { warn: () => undefined };

/**
 * The demo workspace's contact centre, once: a Twilio number answering with the default
 * IVR flow (greeting, business hours, caller lookup with VIP routing, menu, queues, voicemail,
 * an order-status answer), a week of calls from demo contacts taken through that flow exactly
 * as Twilio's webhooks would drive it, so they carry their IVR path, sit on the callers'
 * timelines and fill the daily queue figures; and an uploaded audio prompt.
 */
export async function seedTelephonyDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log, secrets } = deps;
  if (!secrets) return null;
  const { rows } = await sql<{ workspace_id: string }>`
    select m.workspace_id from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const ws = rows[0]?.workspace_id;
  if (!ws) return null;
  // The seeded calls happen over the past week: the service's clock is moved along as they go.
  let clock: Date | null = null;
  const tick = (seconds: number) => {
    clock = new Date((clock ?? new Date()).getTime() + seconds * 1000);
  };
  const service = new TelephonyService({
    database,
    records,
    secrets,
    baseUrl: '',
    provider: {
      placeCall: async () => {
        throw new Error('the demo places no calls');
      },
      fetchRecording: async () => {
        throw new Error('the demo fetches no recordings');
      },
    },
    now: () => clock ?? new Date(),
    audio: new AudioUrls(database, ''),
  });
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const setUp = await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql`select 1 from telephony_numbers where workspace_id = ${ws}::uuid`.execute(tx);
    if (existing.length > 0) return null;
    const num = await service.insertNumber(tx, ws, {
      provider: 'twilio',
      name: 'Main line',
      phoneNumber: DEMO_PHONE_NUMBER,
      accountSid,
      authToken: randomBytes(16).toString('hex'),
    });
    // The default flow's second version: VIP callers to their account owner, order status by key 4.
    await sql`update telephony_flows set current_version = 2, updated_at = now()
      where workspace_id = rapport_workspace() and id = ${num.flowId}::uuid`.execute(tx);
    await sql`insert into telephony_flow_versions (workspace_id, flow_id, version, definition)
      values (${ws}::uuid, ${num.flowId}::uuid, 2, ${JSON.stringify(DEMO_FLOW)}::jsonb)`.execute(tx);
    // An uploaded prompt (Administration → IVR flows → audio) to play in a flow: a placeholder of 3 s.
    await insertAudio(tx, ws, { kind: 'prompt', name: 'Hold message', bytes: silentMp3(3) }, () => '');
    const sys = systemActor(ws);
    const { data: found } = await records.list(tx, sys, 'contacts', {
      limit: 30,
      sort: 'createdAt',
      filter: {
        and: [
          { field: 'phone', op: 'isNotEmpty' },
          { field: 'accountId', op: 'isNotEmpty' },
        ],
      },
    });
    const { rows: me } = await sql<{ id: string }>`select id from users where email = ${DEMO_EMAIL}`.execute(tx);
    const userId = me[0]?.id;
    // Three callers of three accounts: the first one's is the VIP account.
    const data: typeof found = [];
    for (const c of found) if (data.length < 3 && !data.some((d) => d.accountId === c.accountId)) data.push(c);
    const vip = data[0];
    if (!userId || !vip) return null;
    // The first caller's account is a VIP one, owned by the demo user, who takes sales calls.
    const account = await records.get(tx, sys, 'accounts', String(vip.accountId));
    await records.systemWrite(tx, sys, 'accounts', String(account.id), {
      tags: [...new Set([...((account.tags as string[] | null) ?? []), 'vip'])],
      ownerId: userId,
    });
    await setPresence(tx, { ...sys, userId }, { status: 'available', phone: DEMO_AGENT_PHONE, skills: ['sales'] });
    return { id: num.id, userId, callers: data.map((c) => String(c.phone)) };
  });
  if (!setUp) return null;
  const num = await service.webhookNumber(setUp.id);
  if (!num) return null;
  const [vip, buyer = vip, customer = vip] = setUp.callers as [string, string?, string?];
  const ready = () =>
    database.tenant(ws, (tx) => setPresence(tx, { ...systemActor(ws), userId: setUp.userId }, { status: 'available' }));
  /** One call as Twilio drives it: it rings, the caller presses `key` (if the menu is reached), then it ends. */
  const call = async (from: string, key: string | null, waitSeconds: number, talkSeconds: number) => {
    const params = {
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      AccountSid: accountSid,
      From: from,
      To: DEMO_PHONE_NUMBER,
      CallStatus: 'ringing',
      Direction: 'inbound',
    };
    await service.voice(num, params, {}, quietLog);
    if (key) {
      tick(5);
      await service.voice(
        num,
        { ...params, CallStatus: 'in-progress', Digits: key },
        { node: 'menu', attempt: '1' },
        quietLog,
      );
    }
    tick(waitSeconds + talkSeconds);
    // The calls were recorded: Twilio's status callback carries the recording.
    const recording = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/RE${randomBytes(16).toString('hex')}`;
    await service.status(
      num,
      {
        ...params,
        CallStatus: 'completed',
        CallDuration: String(5 + waitSeconds + talkSeconds),
        RecordingUrl: recording,
      },
      {},
      quietLog,
    );
  };
  // A week of calls, so that the contact centre's daily figures have history: each day a sales
  // call reaches the demo user, a support caller waits and gives up (nobody takes support), and
  // on some days the VIP reaches their owner directly or a caller asks for their order's status.
  for (let daysAgo = 6; daysAgo >= 0; daysAgo--) {
    clock = new Date(Date.now() - daysAgo * DAY_MS - 3 * 3600_000);
    await call(buyer, '1', 0, 60 + daysAgo * 25);
    await ready();
    tick(600);
    await call(customer, '2', 20 + daysAgo * 15, 0);
    if (daysAgo % 3 === 0) {
      tick(600);
      await call(vip, null, 0, 240);
      await ready();
    }
    if (daysAgo === 1) {
      tick(600);
      await call(buyer, '4', 0, 15);
    }
  }
  clock = null;
  await database.tenant(ws, async (tx) => {
    // The demo user is off the phones until they choose otherwise; the week's figures counted.
    await setPresence(tx, { ...systemActor(ws), userId: setUp.userId }, { status: 'offline' });
    const today = new Date().toISOString().slice(0, 10);
    await recountQueueDays(tx, records, ws, new Date(Date.now() - 7 * DAY_MS).toISOString().slice(0, 10), today);
  });
  log.info({ workspaceId: ws }, 'seeded the demo contact centre (number, flow, calls and daily queue figures)');
  return null;
}
