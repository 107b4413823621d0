import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { audit } from '../access/access.service';
import { assertRoleExists } from '../access/permissions';
import type { Database } from '../db/database';
import type { RoleKey } from '../db/schema';
import { AppError, notFound } from '../http/errors';
import { hashToken, newToken } from './tokens';

export const API_KEY_PREFIX = 'rpk';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: RoleKey;
  scopes: string[];
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

type Row = {
  id: string;
  name: string;
  key_prefix: string;
  role: RoleKey;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function present(r: Row): ApiKeyView {
  return {
    id: r.id,
    name: r.name,
    prefix: r.key_prefix,
    role: r.role,
    scopes: r.scopes,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  };
}

const COLUMNS = [
  'id',
  'name',
  'key_prefix',
  'role',
  'scopes',
  'created_by',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
] as const;

/** Creates a key; the secret is returned here once and only its hash is stored. */
export async function createApiKey(
  database: Database,
  workspaceId: string,
  input: { name: string; role: RoleKey; scopes?: string[]; expiresAt?: Date | null; createdBy: string | null },
): Promise<ApiKeyView & { key: string }> {
  const key = newToken(API_KEY_PREFIX);
  const row = await database.tenant(workspaceId, async (tx) => {
    await assertRoleExists(tx, input.role);
    return tx
      .insertInto('api_keys')
      .values({
        workspace_id: workspaceId,
        id: uuidv7(),
        name: input.name,
        key_prefix: key.slice(0, API_KEY_PREFIX.length + 9),
        key_hash: hashToken(key),
        role: input.role,
        scopes: input.scopes ?? [],
        created_by: input.createdBy,
        expires_at: input.expiresAt ?? null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
  });
  return { ...present(row), key };
}

export async function listApiKeys(database: Database, workspaceId: string): Promise<ApiKeyView[]> {
  const rows = await database.tenant(workspaceId, (tx) =>
    tx.selectFrom('api_keys').select(COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').execute(),
  );
  return rows.map(present);
}

export async function revokeApiKey(database: Database, workspaceId: string, id: string): Promise<ApiKeyView> {
  const row = await database.tenant(workspaceId, (tx) =>
    tx
      .updateTable('api_keys')
      .set({ revoked_at: sql`coalesce(revoked_at, now())` })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst(),
  );
  if (!row) throw notFound('API key');
  return present(row);
}

export interface ApiKeyIdentity {
  id: string;
  workspaceId: string;
  role: RoleKey;
  scopes: string[];
  createdBy: string | null;
  /** Epoch ms, or null for keys that do not expire. */
  expiresAt: number | null;
}

/**
 * Finds the live key for a bearer token. Runs with system access because the
 * workspace is not known until the key is found. Throws 401 for unknown,
 * revoked or expired keys.
 */
export async function authenticateApiKey(database: Database, token: string): Promise<ApiKeyIdentity> {
  if (!token.startsWith(`${API_KEY_PREFIX}_`) || token.length > 200) {
    throw new AppError('unauthenticated', 'Invalid API key');
  }
  const row = await database.db
    .selectFrom('api_keys')
    .select(['id', 'workspace_id', 'role', 'scopes', 'created_by', 'revoked_at', 'expires_at', 'last_used_at'])
    .where('key_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= Date.now())) {
    throw new AppError('unauthenticated', 'Invalid, revoked or expired API key');
  }
  // Record use at most once a minute per key, not a write per request.
  // …and the audit log gets the same once-a-minute trace of the key's use.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await database.system(async (tx) => {
      await tx
        .updateTable('api_keys')
        .set({ last_used_at: new Date() })
        .where('workspace_id', '=', row.workspace_id)
        .where('id', '=', row.id)
        .execute();
      await audit(
        tx,
        { workspaceId: row.workspace_id, userId: row.created_by, apiKeyId: row.id },
        { action: 'api_key.used' },
      );
    });
  }
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    role: row.role,
    scopes: row.scopes,
    createdBy: row.created_by,
    expiresAt: row.expires_at ? row.expires_at.getTime() : null,
  };
}
