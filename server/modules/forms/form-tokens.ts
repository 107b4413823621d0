import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database';

const SECRETS = new WeakMap<Database, Promise<string>>();

/**
 * The server secret forms sign with (render timestamps, confirmation links) and hash
 * client addresses with: generated once and kept in `instance_settings`, so every app
 * server agrees and a restart does not invalidate the links already mailed.
 */
export function formsSecret(database: Database): Promise<string> {
  let s = SECRETS.get(database);
  if (!s) {
    s = (async () => {
      await sql`insert into instance_settings (key, value) values ('forms_secret', encode(gen_random_bytes(32), 'hex'))
        on conflict (key) do nothing`.execute(database.db);
      const { rows } = await sql<{ value: string }>`
        select value from instance_settings where key = 'forms_secret'`.execute(database.db);
      if (!rows[0]) throw new Error('could not load the forms secret');
      return rows[0].value;
    })();
    s.catch(() => SECRETS.delete(database));
    SECRETS.set(database, s);
  }
  return s;
}

const mac = (secret: string, purpose: string, payload: string) =>
  createHmac('sha256', secret).update(`${purpose}:${payload}`).digest('base64url');

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The client address as a keyed hash: submissions can be told apart by address without keeping it. */
export const hashIp = (secret: string, ip: string): string => mac(secret, 'ip', ip);

/** The signed time a form's page was rendered (`<ms>.<mac>`), posted back in a hidden field. */
export const renderStamp = (secret: string, formId: string, now = Date.now()): string =>
  `${now}.${mac(secret, 'render', `${formId}:${now}`)}`;

/** When the page posting `stamp` was rendered, or null for a forged or foreign stamp. */
export function stampTime(secret: string, formId: string, stamp: string): number | null {
  const m = /^(\d{10,16})\.([\w-]{20,100})$/.exec(stamp);
  if (!m) return null;
  return same(m[2] as string, mac(secret, 'render', `${formId}:${m[1]}`)) ? Number(m[1]) : null;
}

/** A double opt-in link's token: the submission and an expiry, signed. */
export const confirmToken = (secret: string, submissionId: string, expiresAt: Date): string => {
  const payload = `${submissionId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${mac(secret, 'confirm', payload)}`;
};

/** The submission a confirmation token names, if it is genuine and not expired. */
export function readConfirmToken(secret: string, token: string, now = new Date()): string | null {
  const m = /^([0-9a-f-]{36})\.(\d{9,12})\.([\w-]{20,100})$/.exec(token);
  if (!m) return null;
  if (!same(m[3] as string, mac(secret, 'confirm', `${m[1]}.${m[2]}`))) return null;
  if (Number(m[2]) * 1000 < now.getTime()) return null;
  return m[1] as string;
}
