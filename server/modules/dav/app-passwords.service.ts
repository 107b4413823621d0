import { createHash, randomInt } from 'node:crypto';
import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TAppPassword } from '../../../common/contracts/dav';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import { hashPassword } from '../../platform/auth/auth';
import { TtlCache } from '../../platform/auth/ttl-cache';
import type { Database, Tx } from '../../platform/db/database';
import type { RoleKey } from '../../platform/db/schema';
import { AppError, notFound } from '../../platform/http/errors';
import { hit, peek } from '../../platform/http/rate-limits';

/** Letters and digits that cannot be mistaken for each other when typed into a phone. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

function randomWord(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** `rapport-` and 10 characters: unique, and says which app password it is (the hash is checked for that one only). */
export const newUsername = () => `rapport-${randomWord(10)}`;
/** Five groups of four (~98 bits): typed once into a phone's account settings. */
export const newAppPassword = () => Array.from({ length: 5 }, () => randomWord(4)).join('-');

const USERNAME = /^rapport-[a-z0-9]{10}$/;

type Row = {
  id: string;
  name: string;
  username: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const present = (r: Row): TAppPassword => ({
  id: r.id,
  name: r.name,
  username: r.username,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

function me(actor: Actor): string {
  // An API key acts for its creator, but an app password is a person's own credential.
  if (actor.kind !== 'user' || !actor.userId) {
    throw new AppError('forbidden', 'App passwords belong to a signed-in person; sign in to manage yours');
  }
  return actor.userId;
}

/** Creates an app password for the caller; the password is in the answer only (its argon2id hash is stored). */
export async function createAppPassword(
  tx: Tx,
  actor: Actor,
  name: string,
): Promise<TAppPassword & { password: string }> {
  const userId = me(actor);
  const password = newAppPassword();
  const passwordHash = await hashPassword(password);
  const id = uuidv7();
  const username = newUsername();
  const { rows } = await sql<Row>`
    insert into app_passwords (workspace_id, id, user_id, name, username, password_hash)
    values (${actor.workspaceId}, ${id}, ${userId}, ${name}, ${username}, ${passwordHash})
    returning id, name, username, created_at, last_used_at, revoked_at`.execute(tx);
  await audit(tx, actor, { action: 'app_password.created', detail: { id, name, username } });
  return { ...present(rows[0] as Row), password };
}

/** The caller's app passwords (never a secret), newest first. */
export async function listAppPasswords(tx: Tx, actor: Actor): Promise<TAppPassword[]> {
  const userId = me(actor);
  const { rows } = await sql<Row>`
    select id, name, username, created_at, last_used_at, revoked_at from app_passwords
    where workspace_id = ${actor.workspaceId} and user_id = ${userId}
    order by created_at desc, id desc`.execute(tx);
  return rows.map(present);
}

/** Revokes one of the caller's app passwords (it stops working at once on this server). */
export async function revokeAppPassword(tx: Tx, actor: Actor, id: string): Promise<TAppPassword> {
  // An API key has no app passwords: any id is one it does not have (404, as in another workspace).
  if (actor.kind !== 'user' || !actor.userId) throw notFound('App password');
  const userId = actor.userId;
  const { rows } = await sql<Row>`
    update app_passwords set revoked_at = coalesce(revoked_at, now())
    where workspace_id = ${actor.workspaceId} and user_id = ${userId} and id = ${id}
    returning id, name, username, created_at, last_used_at, revoked_at`.execute(tx);
  const row = rows[0];
  if (!row) throw notFound('App password');
  await audit(tx, actor, { action: 'app_password.revoked', detail: { id, name: row.name, username: row.username } });
  return present(row);
}

/** Failed DAV sign-ins per client address, and per app password username (like the sign-in guard's two limits). */
export const DAV_AUTH_LIMITS = {
  address: { name: 'dav.auth.address', max: 30, windowSeconds: 900 },
  username: { name: 'dav.auth.username', max: 10, windowSeconds: 900 },
} as const;

interface Identity {
  id: string;
  workspaceId: string;
  userId: string;
  role: RoleKey;
}

const CACHE_MS = 5_000;

/** A DAV request's Basic credentials, checked: cached briefly (argon2id costs ~50 ms), failures throttled and audited. */
export class AppPasswordAuth {
  private readonly verified = new TtlCache<Identity>(CACHE_MS);

  constructor(private readonly database: Database) {}

  /** The actor for `Authorization: Basic …`; 401 for missing or wrong credentials, 429 past the failure limits. */
  async authenticate(authorization: string | undefined, ip: string): Promise<Actor> {
    const creds = parseBasic(authorization);
    if (!creds) throw new AppError('unauthenticated', 'Sign in with an app password (HTTP Basic authentication)');
    const key = createHash('sha256').update(`${creds.username}\u0000${creds.password}`).digest('hex');
    let identity = this.verified.get(key);
    if (!identity) {
      identity = await this.check(creds.username, creds.password, ip);
      this.verified.set(key, identity);
    }
    return {
      kind: 'user',
      userId: identity.userId,
      workspaceId: identity.workspaceId,
      role: identity.role,
      scopes: [],
    };
  }

  /** Forget a revoked app password now (other servers within CACHE_MS). */
  forget(id: string): void {
    this.verified.deleteWhere((i) => i.id === id);
  }

  private async check(username: string, password: string, ip: string): Promise<Identity> {
    const { address, username: perName } = DAV_AUTH_LIMITS;
    const db = this.database.db;
    const [byAddress, byName] = await Promise.all([
      peek(db, address.name, ip),
      peek(db, perName.name, username.toLowerCase()),
    ]);
    if (byAddress.hits >= address.max || byName.hits >= perName.max) {
      throw new AppError('rate_limited', 'Too many failed sign-ins; try again later', {
        retryAfterSeconds: Math.max(byAddress.hits >= address.max ? byAddress.resetSeconds : 0, byName.resetSeconds),
      });
    }
    const row = USERNAME.test(username)
      ? await this.database.system(async (tx) => {
          const { rows } = await sql<{
            id: string;
            workspace_id: string;
            user_id: string;
            password_hash: string;
            revoked_at: Date | null;
            last_used_at: Date | null;
            role: RoleKey | null;
          }>`
            select p.id, p.workspace_id, p.user_id, p.password_hash, p.revoked_at, p.last_used_at, m.role
            from app_passwords p
            left join workspace_members m on m.workspace_id = p.workspace_id and m.user_id = p.user_id
            where p.username = ${username}`.execute(tx);
          return rows[0];
        })
      : undefined;
    const ok = row ? await verify(row.password_hash, password).catch(() => false) : false;
    if (!row || !ok || row.revoked_at || !row.role) {
      await hit(db, address.name, ip, address.windowSeconds);
      await hit(db, perName.name, username.toLowerCase(), perName.windowSeconds);
      if (row) {
        await this.database.system((tx) =>
          audit(
            tx,
            { workspaceId: row.workspace_id, userId: row.user_id },
            { action: 'app_password.failed', detail: { id: row.id, reason: ok ? 'revoked' : 'wrong password' } },
          ),
        );
      }
      throw new AppError('unauthenticated', 'Wrong, revoked or unknown app password');
    }
    // Record use at most once a minute per app password, with an audit row, as API keys do.
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      await this.database.system(async (tx) => {
        await sql`update app_passwords set last_used_at = now() where workspace_id = ${row.workspace_id} and id = ${row.id}`.execute(
          tx,
        );
        await audit(
          tx,
          { workspaceId: row.workspace_id, userId: row.user_id },
          { action: 'app_password.used', detail: { id: row.id } },
        );
      });
    }
    return { id: row.id, workspaceId: row.workspace_id, userId: row.user_id, role: row.role };
  }
}

/** `Basic base64(username:password)` → its parts, or null. */
export function parseBasic(header: string | undefined): { username: string; password: string } | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m?.[1]) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1 || text.length > 400) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
