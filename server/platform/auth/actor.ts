import type { IncomingHttpHeaders } from 'node:http';
import { sql } from 'kysely';
import type { RolePermissions } from '../access/permissions';
import type { Database } from '../db/database';
import type { RoleKey } from '../db/schema';
import { AppError } from '../http/errors';
import { type Auth, SESSION_COOKIE } from './auth';

/** Who is calling, in which workspace, with which role. Every service receives this. */
export interface Actor {
  kind: 'user' | 'api_key';
  /** The signed-in user, or the user who created the API key (may be null). */
  userId: string | null;
  workspaceId: string;
  role: RoleKey;
  /**
   * For an API key with a creator: the creator's CURRENT role in the workspace. The
   * key acts with what both its role and this role allow (AccessService.policy).
   */
  creatorRole?: RoleKey;
  apiKeyId?: string;
  /** Narrowing scopes of an API key ([] = everything its role allows). */
  scopes: string[];
  /**
   * Permissions to act with instead of the role's: set only by a service that lets
   * the caller act on their own data (e.g. their staff entry), never from a request.
   */
  permissions?: RolePermissions;
}

export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Turns Node's header object into the Web `Headers` Better Auth expects. */
export function toWebHeaders(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** The session's user, or null when no session cookie was sent. Throws 401 for an expired or forged session. */
export async function sessionUser(auth: Auth, headers: IncomingHttpHeaders): Promise<SessionUser | null> {
  const cookie = headers.cookie ?? '';
  if (!cookie.includes(SESSION_COOKIE)) return null;
  const session = await auth.api.getSession({ headers: toWebHeaders(headers) });
  if (!session) throw new AppError('unauthenticated', 'Your session has expired or is invalid; sign in again.');
  return { id: session.user.id, email: session.user.email, name: session.user.name };
}

/**
 * The user's membership: the workspace asked for (Rapport-Workspace header),
 * else their default workspace, else their oldest membership.
 */
export async function membershipOf(
  database: Database,
  userId: string,
  workspaceId?: string,
): Promise<{ workspaceId: string; role: RoleKey } | null> {
  const { rows } = await sql<{ workspace_id: string; role: RoleKey }>`
    select m.workspace_id, m.role
    from workspace_members m join users u on u.id = m.user_id
    where m.user_id = ${userId}
      and (${workspaceId ?? null}::uuid is null or m.workspace_id = ${workspaceId ?? null}::uuid)
    order by (m.workspace_id = u.default_workspace_id) desc nulls last, m.created_at
    limit 1`.execute(database.db);
  const r = rows[0];
  return r ? { workspaceId: r.workspace_id, role: r.role } : null;
}
