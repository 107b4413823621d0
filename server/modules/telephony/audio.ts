import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { TAudio } from '../../../common/contracts/telephony';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, notFound } from '../../platform/http/errors';
import { sniffAudio } from './audio-sniff';

/**
 * Audio of the contact centre (table `telephony_audio`): prompts administrators upload for IVR
 * greetings and answers, and voicemail recordings fetched from the provider. A prompt reaches the
 * provider as a signed, expiring URL made fresh in each TwiML answer (`AudioUrls`); the file route
 * is public (the provider has no session) and answers the same 403 to an unknown id, a wrong
 * signature or an expired one.
 */

export const MAX_AUDIO_BYTES = 5 * 1024 * 1024;
export const MAX_AUDIO_SECONDS = 600;
/** How long a signed prompt URL works: longer than any call's walk through the IVR between two answers. */
export const AUDIO_URL_TTL_SECONDS = 3600;

export const audioFileUrl = (baseUrl: string, id: string) =>
  `${baseUrl.replace(/\/$/, '')}/api/v1/telephony/audio/${id}/file`;
export const recordingUrlOf = (baseUrl: string, callId: string) =>
  `${baseUrl.replace(/\/$/, '')}/api/v1/calls/${callId}/recording`;

/**
 * Signs prompt URLs: HMAC-SHA256 of the id and the expiry under an instance key made once and
 * kept in `instance_settings` (every app process signs and checks alike).
 */
export class AudioUrls {
  private key: Promise<Buffer> | null = null;

  constructor(
    private readonly database: Database,
    private readonly baseUrl: string,
  ) {}

  private load(): Promise<Buffer> {
    this.key ??= (async () => {
      await sql`insert into instance_settings (key, value) values ('telephony_audio_key', encode(gen_random_bytes(32), 'hex'))
        on conflict (key) do nothing`.execute(this.database.db);
      const { rows } = await sql<{ value: string }>`select value from instance_settings
        where key = 'telephony_audio_key'`.execute(this.database.db);
      return Buffer.from(rows[0]?.value as string, 'hex');
    })().catch((err) => {
      this.key = null;
      throw err;
    });
    return this.key;
  }

  private static mac(key: Buffer, id: string, expires: number) {
    return createHmac('sha256', key).update(`telephony-audio:${id}:${expires}`).digest('base64url');
  }

  /** A signer for the TwiML of one answer: `id` → its URL, valid AUDIO_URL_TTL_SECONDS from `now`. */
  async signer(now: Date): Promise<(id: string) => string> {
    const key = await this.load();
    const expires = Math.floor(now.getTime() / 1000) + AUDIO_URL_TTL_SECONDS;
    return (id) =>
      `${audioFileUrl(this.baseUrl, id)}?${new URLSearchParams({ expires: String(expires), signature: AudioUrls.mac(key, id, expires) })}`;
  }

  async verify(id: string, expires: string | undefined, signature: string | undefined, now: Date): Promise<boolean> {
    if (!expires || !/^\d{1,12}$/.test(expires) || !signature) return false;
    if (Number(expires) * 1000 < now.getTime()) return false;
    const want = Buffer.from(AudioUrls.mac(await this.load(), id, Number(expires)));
    const got = Buffer.from(signature);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}

/** Checks an upload's bytes: MP3 or WAV whatever it claims, at most 5 MB and 10 minutes; else a 4xx naming `file`. */
export function checkAudio(bytes: Buffer) {
  if (bytes.length > MAX_AUDIO_BYTES) {
    throw new AppError('payload_too_large', 'file: at most 5 MB', {
      errors: [{ path: 'file', message: 'may be at most 5 MB' }],
    });
  }
  const sniffed = bytes.length ? sniffAudio(bytes) : null;
  if (!sniffed) {
    throw new AppError('unsupported_media_type', 'file: is not MP3 or WAV audio', {
      errors: [{ path: 'file', message: 'must be an MP3 or WAV audio file' }],
    });
  }
  if (sniffed.durationMs > MAX_AUDIO_SECONDS * 1000) {
    throw new AppError('validation_failed', 'file: at most 10 minutes', {
      errors: [{ path: 'file', message: 'may be at most 10 minutes long' }],
    });
  }
  return sniffed;
}

interface AudioRow {
  id: string;
  name: string;
  content_type: TAudio['contentType'];
  size: number;
  duration_ms: number | null;
  created_at: Date | string;
}

const present = (r: AudioRow, sign: (id: string) => string): TAudio => ({
  id: r.id,
  name: r.name,
  contentType: r.content_type,
  size: r.size,
  durationSeconds: Math.round((r.duration_ms ?? 0) / 100) / 10,
  url: sign(r.id),
  createdAt: new Date(r.created_at).toISOString(),
});

const COLUMNS = sql`id, name, content_type, size, duration_ms, created_at`;

export async function insertAudio(
  tx: Tx,
  workspaceId: string,
  a: {
    kind: 'prompt' | 'recording';
    name: string;
    bytes: Buffer;
    createdBy?: string | null;
    callId?: string;
    providerSid?: string;
  },
  sign: (id: string) => string,
): Promise<TAudio> {
  const sniffed = checkAudio(a.bytes);
  const { rows } = await sql<AudioRow>`insert into telephony_audio
      (workspace_id, kind, name, content_type, size, duration_ms, content, call_id, provider_sid, created_by)
    values (${workspaceId}::uuid, ${a.kind}, ${a.name.slice(0, 200)}, ${sniffed.contentType}, ${a.bytes.length},
      ${sniffed.durationMs}, ${a.bytes}, ${a.callId ?? null}::uuid, ${a.providerSid ?? null}, ${a.createdBy ?? null}::uuid)
    on conflict (workspace_id, provider_sid) where provider_sid is not null do nothing
    returning ${COLUMNS}`.execute(tx);
  const row =
    rows[0] ??
    (
      await sql<AudioRow>`select ${COLUMNS} from telephony_audio
        where workspace_id = rapport_workspace() and provider_sid = ${a.providerSid ?? null}`.execute(tx)
    ).rows[0];
  return present(row as AudioRow, sign);
}

export async function listPrompts(tx: Tx, sign: (id: string) => string): Promise<TAudio[]> {
  const { rows } = await sql<AudioRow>`select ${COLUMNS} from telephony_audio
    where workspace_id = rapport_workspace() and kind = 'prompt' order by created_at, id`.execute(tx);
  return rows.map((r) => present(r, sign));
}

/** The uploaded prompts among `ids` that do not exist in the workspace. */
export async function missingPrompts(tx: Tx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const { rows } = await sql<{ id: string }>`select id from telephony_audio
    where workspace_id = rapport_workspace() and kind = 'prompt' and id = any(${ids}::uuid[])`.execute(tx);
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

/** Deletes a prompt no flow's current version plays (409 naming the flow otherwise). */
export async function deletePrompt(tx: Tx, id: string): Promise<void> {
  const { rows: using } = await sql<{ name: string }>`select f.name from telephony_flows f
    join telephony_flow_versions v on v.workspace_id = f.workspace_id and v.flow_id = f.id and v.version = f.current_version
    where f.workspace_id = rapport_workspace() and strpos(v.definition::text, ${id}) > 0
    order by f.name limit 1`.execute(tx);
  if (using[0]) throw new AppError('conflict', `The flow “${using[0].name}” plays this audio: change it first`);
  const { numAffectedRows } = await sql`delete from telephony_audio
    where workspace_id = rapport_workspace() and kind = 'prompt' and id = ${id}::uuid`.execute(tx);
  if (!numAffectedRows) throw notFound('Audio');
}

/** A prompt's bytes by id alone, across workspaces (the signed public file route). */
export async function promptFile(database: Database, id: string) {
  return database.system(async (tx) => {
    const { rows } = await sql<{ content_type: string; content: Buffer }>`select content_type, content
      from telephony_audio where id = ${id}::uuid and kind = 'prompt'`.execute(tx);
    return rows[0] ?? null;
  });
}

/** A call's stored recording (the caller has been allowed to read the call). */
export async function callRecording(tx: Tx, callId: string) {
  const { rows } = await sql<{ content_type: string; content: Buffer }>`select content_type, content
    from telephony_audio where workspace_id = rapport_workspace() and call_id = ${callId}::uuid and kind = 'recording'
    order by created_at desc limit 1`.execute(tx);
  return rows[0] ?? null;
}
