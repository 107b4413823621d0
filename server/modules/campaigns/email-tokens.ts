import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database';

const SECRETS = new WeakMap<Database, Promise<string>>();

/**
 * The server secret campaign links are signed with (unsubscribe, open pixel, click
 * redirects): generated once and kept in `instance_settings`, so every app server agrees
 * and a restart does not break the links already mailed.
 */
export function campaignsSecret(database: Database): Promise<string> {
  let s = SECRETS.get(database);
  if (!s) {
    s = (async () => {
      await sql`insert into instance_settings (key, value) values ('campaigns_secret', encode(gen_random_bytes(32), 'hex'))
        on conflict (key) do nothing`.execute(database.db);
      const { rows } = await sql<{ value: string }>`
        select value from instance_settings where key = 'campaigns_secret'`.execute(database.db);
      if (!rows[0]) throw new Error('could not load the campaigns secret');
      return rows[0].value;
    })();
    s.catch(() => SECRETS.delete(database));
    SECRETS.set(database, s);
  }
  return s;
}

export type TokenPurpose = 'unsubscribe' | 'open' | 'click';

const mac = (secret: string, purpose: TokenPurpose, payload: string) =>
  createHmac('sha256', secret).update(`${purpose}:${payload}`).digest('base64url').slice(0, 22);

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const hex = (id: string) => id.replace(/-/g, '');
const uuid = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;

export interface MessageRef {
  workspaceId: string;
  messageId: string;
}

/**
 * A token naming one campaign message (its workspace and id) for one purpose, signed:
 * `<workspace hex><message hex>.<mac>`. A click token also binds the URL it redirects
 * to, so it can never be pointed elsewhere (no open redirect). The MAC is 128 bits, and
 * the token stays under the router's 100-character path parameter limit.
 */
export function messageToken(secret: string, purpose: TokenPurpose, ref: MessageRef, url?: string): string {
  const payload = `${hex(ref.workspaceId)}${hex(ref.messageId)}`;
  const signed = purpose === 'click' ? `${payload}|${url ?? ''}` : payload;
  return `${payload}.${mac(secret, purpose, signed)}`;
}

/** The message a token names, if it is genuine for this purpose (and this URL, for clicks). */
export function readMessageToken(
  secret: string,
  purpose: TokenPurpose,
  token: string,
  url?: string,
): MessageRef | null {
  const m = /^([0-9a-f]{64})\.([\w-]{22})$/.exec(token);
  if (!m) return null;
  const payload = m[1] as string;
  const signed = purpose === 'click' ? `${payload}|${url ?? ''}` : payload;
  if (!same(m[2] as string, mac(secret, purpose, signed))) return null;
  const ref = { workspaceId: uuid(payload.slice(0, 32)), messageId: uuid(payload.slice(32)) };
  return UUID.test(ref.workspaceId) && UUID.test(ref.messageId) ? ref : null;
}
