import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { systemActor } from '../tickets';
import { AudioUrls, insertAudio } from './audio';
import { silentMp3 } from './audio-sniff';
import { TelephonyService } from './telephony.service';

/** The demo's number: Twilio's documented magic test number (it never rings anywhere). */
export const DEMO_PHONE_NUMBER = '+15005550006';
const quietLog = { warn: () => undefined };

/**
 * The demo workspace's contact centre, once: a Twilio number answering with the default
 * IVR flow (greeting, business hours, caller lookup, menu, queues, voicemail), and a few
 * calls from demo contacts taken through that flow exactly as Twilio's webhooks would
 * drive it, so they carry their IVR path and sit on the callers' timelines; and an uploaded
 * audio prompt.
 */
export async function seedTelephonyDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log, secrets } = deps;
  if (!secrets) return null;
  const { rows } = await sql<{ workspace_id: string }>`
    select m.workspace_id from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const ws = rows[0]?.workspace_id;
  if (!ws) return null;
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
    now: () => new Date(),
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
    // An uploaded prompt (Administration → IVR flows → audio) to play in a flow: a placeholder of 3 s.
    await insertAudio(tx, ws, { kind: 'prompt', name: 'Hold message', bytes: silentMp3(3) }, () => '');
    const { data } = await records.list(tx, systemActor(ws), 'contacts', {
      limit: 3,
      sort: 'createdAt',
      filter: { field: 'phone', op: 'isNotEmpty' },
    });
    return { id: num.id, callers: data.map((c) => String(c.phone)) };
  });
  if (!setUp) return null;
  const num = await service.webhookNumber(setUp.id);
  if (!num) return null;
  // Callers choose sales or support; the calls were recorded (Twilio's status callback carries the recording).
  // (A voicemail would make a ticket: the tickets demo keeps its own.)
  const keys = ['1', '2', '1'];
  for (const [i, from] of setUp.callers.entries()) {
    const params = {
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      AccountSid: accountSid,
      From: from,
      To: DEMO_PHONE_NUMBER,
      CallStatus: 'ringing',
      Direction: 'inbound',
    };
    const key = keys[i % keys.length] as string;
    await service.voice(num, params, {}, quietLog);
    await service.voice(
      num,
      { ...params, CallStatus: 'in-progress', Digits: key },
      { node: 'menu', attempt: '1' },
      quietLog,
    );
    const recording = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/RE${randomBytes(16).toString('hex')}`;
    await service.status(
      num,
      { ...params, CallStatus: 'completed', CallDuration: String(45 + i * 80), RecordingUrl: recording },
      {},
      quietLog,
    );
  }
  log.info({ workspaceId: ws, calls: setUp.callers.length }, 'seeded the demo contact centre (number and calls)');
  return null;
}
