import type { IncomingHttpHeaders } from 'node:http';
import { sql } from 'kysely';
import type { Database } from '../db/database';
import type { RoleKey } from '../db/schema';
import { AppError } from '../http/errors';
import { type Actor, membershipOf, type SessionUser, sessionUser } from './actor';
import { type ApiKeyIdentity, authenticateApiKey } from './api-keys.service';
import { type Auth, SESSION_COOKIE } from './auth';
import { hashToken } from './tokens';
import { TtlCache } from './ttl-cache';

/** How long a credential check is trusted before the database is asked again. */
export const CREDENTIAL_CACHE_MS = 5_000;

/** NOTIFY channel: a user's sessions ended (payload: the user id); every app server forgets its cached ones. */
export const SESSIONS_CHANNEL = 'rapport_sessions';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sessionToken(headers: IncomingHttpHeaders): string | undefined {
  const cookie = headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}

/**
 * Resolves who is calling (API key or session cookie), with a few seconds of
 * in-process caching so a request does not pay three lookups before its own query.
 * Revoking a key takes effect at once here and on other app servers within
 * CREDENTIAL_CACHE_MS; ending sessions (`sessionsEnded`) at once on every server,
 * through NOTIFY SESSIONS_CHANNEL (`listenForEndedSessions`).
 */
export class CallerResolver {
  private readonly keys = new TtlCache<ApiKeyIdentity>(CREDENTIAL_CACHE_MS);
  private readonly sessions = new TtlCache<SessionUser>(CREDENTIAL_CACHE_MS);
  private readonly members = new TtlCache<{ workspaceId: string; role: RoleKey } | null>(CREDENTIAL_CACHE_MS);

  constructor(
    readonly database: Database,
    readonly auth: Auth,
  ) {}

  async resolve(headers: IncomingHttpHeaders): Promise<Actor | null> {
    const authorization = headers.authorization;
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match?.[1]) throw new AppError('unauthenticated', 'Authorization must be "Bearer <api key>"');
      const key = await this.apiKey(match[1]);
      // A key never carries more than its creator has now: their current membership
      // (cached like any membership, dropped at once on a role change here and via
      // NOTIFY on other servers) narrows it. A creator no longer a member leaves the
      // key powerless. Keys made with the CLI have no creator and keep their role.
      let creatorRole: RoleKey | undefined;
      if (key.createdBy) {
        const creator = await this.membership(key.createdBy, key.workspaceId);
        if (!creator) throw new AppError('unauthenticated', 'Invalid, revoked or expired API key');
        creatorRole = creator.role;
      }
      return {
        kind: 'api_key',
        userId: key.createdBy,
        workspaceId: key.workspaceId,
        role: key.role,
        ...(creatorRole ? { creatorRole } : {}),
        apiKeyId: key.id,
        scopes: key.scopes,
      };
    }
    const user = await this.session(headers);
    if (!user) return null;
    const requested = headers['rapport-workspace'];
    if (requested !== undefined && (typeof requested !== 'string' || !UUID.test(requested))) {
      throw new AppError('malformed_request', 'Rapport-Workspace must be a workspace id');
    }
    const membership = await this.membership(user.id, requested);
    if (!membership) {
      throw new AppError(
        'forbidden',
        requested ? 'You are not a member of that workspace' : 'You belong to no workspace',
      );
    }
    return { kind: 'user', userId: user.id, ...membership, scopes: [] };
  }

  /** The signed-in user of a request, or null without a session cookie (401 if it is stale). */
  async session(headers: IncomingHttpHeaders): Promise<SessionUser | null> {
    const token = sessionToken(headers);
    if (!token) return null;
    const cached = this.sessions.get(token);
    if (cached) return cached;
    const user = await sessionUser(this.auth, headers);
    if (user) this.sessions.set(token, user);
    return user;
  }

  private async apiKey(token: string): Promise<ApiKeyIdentity> {
    const hash = hashToken(token);
    const cached = this.keys.get(hash);
    if (cached && (cached.expiresAt === null || cached.expiresAt > Date.now())) return cached;
    const key = await authenticateApiKey(this.database, token);
    this.keys.set(hash, key);
    return key;
  }

  private async membership(userId: string, workspaceId?: string) {
    const k = `${userId}:${workspaceId ?? ''}`;
    const cached = this.members.get(k);
    if (cached !== undefined) return cached;
    const m = await membershipOf(this.database, userId, workspaceId);
    this.members.set(k, m);
    return m;
  }

  /** Forget a revoked API key now. */
  forgetApiKey(id: string): void {
    this.keys.deleteWhere((k) => k.id === id);
  }

  /** Forget a session (sign-out) now. */
  forgetSession(headers: IncomingHttpHeaders): void {
    const token = sessionToken(headers);
    if (token) this.sessions.delete(token);
  }

  /** Forget every cached session of a user on this server only. */
  forgetUserSessions(userId: string): void {
    this.sessions.deleteWhere((u) => u.id === userId);
  }

  /**
   * Some of a user's sessions ended (sign-out, revoked, password changed or reset):
   * forget their cached sessions here and, through NOTIFY, on every other app server
   * (each then asks the database again, which knows which sessions still live).
   * Call after the revocation committed.
   */
  async sessionsEnded(userId: string): Promise<void> {
    this.forgetUserSessions(userId);
    await sql`select pg_notify(${SESSIONS_CHANNEL}, ${userId})`.execute(this.database.db);
  }

  /** Subscribes this server to other servers' `sessionsEnded` (once, at start). */
  async listenForEndedSessions(): Promise<void> {
    await this.database.listen(SESSIONS_CHANNEL, (userId) => {
      if (userId) this.forgetUserSessions(userId);
    });
  }

  /** Forget a user's memberships (role or workspace changes). */
  forgetMember(userId: string): void {
    this.members.deletePrefix(`${userId}:`);
  }
}
