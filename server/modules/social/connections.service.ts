import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TSocialConnection, TSocialConnectionRequest } from '../../../common/contracts/social';
import type { Actor } from '../../platform/auth/actor';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import type { SocialNetwork } from './social-messages.object';

export interface ConnectionRow {
  workspace_id: string;
  id: string;
  network: SocialNetwork;
  external_id: string;
  name: string;
  app_secret: string;
  verify_token: string | null;
  access_token: string | null;
  token_status: 'ok' | 'expired' | 'revoked';
  token_error: string | null;
  token_failed_at: Date | null;
  last_event_at: Date | null;
  active: boolean;
  created_at: Date;
}

/** An opened connection: its secrets in clear, for the webhook and the reply adapter only (never presented). */
export interface OpenConnection {
  workspaceId: string;
  id: string;
  network: SocialNetwork;
  externalId: string;
  active: boolean;
  appSecret: string;
  verifyToken: string | null;
  accessToken: string | null;
}

/** What binds each sealed secret to its row and column (a value copied elsewhere does not open). */
const ctx = (workspaceId: string, id: string, column: string) => `social_connections.${column}:${workspaceId}:${id}`;

export const webhookUrl = (baseUrl: string, id: string) => `${baseUrl.replace(/\/$/, '')}/social/webhooks/${id}`;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export const presentConnection = (r: ConnectionRow, baseUrl: string): TSocialConnection => ({
  id: r.id,
  network: r.network,
  pageId: r.external_id,
  name: r.name,
  webhookUrl: webhookUrl(baseUrl, r.id),
  hasAccessToken: r.access_token !== null,
  tokenStatus: r.token_status,
  tokenError: r.token_error,
  tokenFailedAt: iso(r.token_failed_at),
  lastEventAt: iso(r.last_event_at),
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Connects a page or account; its secrets are sealed. 409 when the same page is connected already. */
export async function createConnection(
  tx: Tx,
  secrets: SecretBox,
  actor: Actor,
  input: TSocialConnectionRequest,
): Promise<string> {
  const id = uuidv7();
  const ws = actor.workspaceId;
  const seal = (v: string | undefined, column: string) => (v ? secrets.seal(v, ctx(ws, id, column)) : null);
  const { rows } = await sql<{ id: string }>`
    insert into social_connections (workspace_id, id, network, external_id, name, app_secret, verify_token,
      access_token, created_by)
    values (${ws}::uuid, ${id}::uuid, ${input.network}, ${input.pageId},
      ${(input.name ?? `${input.network} ${input.pageId}`).slice(0, 200)}, ${seal(input.appSecret, 'app_secret')},
      ${seal(input.verifyToken, 'verify_token')}, ${seal(input.pageAccessToken, 'access_token')}, ${actor.userId}::uuid)
    on conflict (workspace_id, network, external_id) do nothing
    returning id`.execute(tx);
  if (!rows[0])
    throw new AppError('already_exists', `This ${input.network} page or account is connected already`, {
      errors: [{ path: 'pageId', message: 'is connected already' }],
    });
  return id;
}

export async function listConnections(tx: Tx): Promise<ConnectionRow[]> {
  const { rows } = await sql<ConnectionRow>`
    select * from social_connections where workspace_id = rapport_workspace() order by created_at`.execute(tx);
  return rows;
}

export async function getConnection(tx: Tx, id: string): Promise<ConnectionRow> {
  const { rows } = await sql<ConnectionRow>`
    select * from social_connections where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  if (!rows[0]) throw notFound('Connection');
  return rows[0];
}

/** Changes a connection; a new access token clears the expired/revoked state. */
export async function updateConnection(
  tx: Tx,
  secrets: SecretBox,
  id: string,
  input: { name?: string; appSecret?: string; verifyToken?: string; pageAccessToken?: string; active?: boolean },
): Promise<void> {
  const row = await getConnection(tx, id);
  const sets = [sql`updated_at = now()`];
  const seal = (v: string, column: string) => secrets.seal(v, ctx(row.workspace_id, id, column));
  if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
  if (input.active !== undefined) sets.push(sql`active = ${input.active}`);
  if (input.appSecret !== undefined) sets.push(sql`app_secret = ${seal(input.appSecret, 'app_secret')}`);
  if (input.verifyToken !== undefined) {
    if (row.network !== 'facebook' && row.network !== 'instagram')
      throw invalidField('verifyToken', 'is for Facebook and Instagram connections only');
    sets.push(sql`verify_token = ${seal(input.verifyToken, 'verify_token')}`);
  }
  if (input.pageAccessToken !== undefined) {
    sets.push(sql`access_token = ${seal(input.pageAccessToken, 'access_token')}`);
    sets.push(sql`token_status = 'ok', token_error = null, token_failed_at = null`);
  }
  await sql`update social_connections set ${sql.join(sets)}
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
}

export async function deleteConnection(tx: Tx, id: string): Promise<void> {
  await getConnection(tx, id);
  await sql`delete from social_connections where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
}

/** Opens a connection's secrets; a value no key opens counts as absent (verifies nothing, sends nothing). */
export function openConnection(secrets: SecretBox, r: ConnectionRow): OpenConnection {
  const open = (v: string | null, column: string) => {
    if (!v) return null;
    try {
      return secrets.open(v, ctx(r.workspace_id, r.id, column));
    } catch {
      return null;
    }
  };
  return {
    workspaceId: r.workspace_id,
    id: r.id,
    network: r.network,
    externalId: r.external_id,
    active: r.active,
    appSecret: open(r.app_secret, 'app_secret') ?? '',
    verifyToken: open(r.verify_token, 'verify_token'),
    accessToken: open(r.access_token, 'access_token'),
  };
}

/** A connection by its id alone (the public webhook URL names no workspace): owner connection, no tenant yet. */
export async function connectionById(db: Tx, secrets: SecretBox, id: string): Promise<OpenConnection | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const { rows } = await sql<ConnectionRow>`select * from social_connections where id = ${id}::uuid`.execute(db);
  const r = rows[0];
  return r ? openConnection(secrets, r) : null;
}

/** Marks a connection's token as no longer working (the provider said so): shown to administrators. */
export async function markTokenFailed(tx: Tx, id: string, status: 'expired' | 'revoked', error: string): Promise<void> {
  await sql`update social_connections set token_status = ${status}, token_error = ${error.slice(0, 500)},
      token_failed_at = now(), updated_at = now()
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
}

export async function getKeywords(tx: Tx): Promise<string[]> {
  const { rows } = await sql<{ keywords: string[] }>`
    select keywords from social_settings where workspace_id = rapport_workspace()`.execute(tx);
  return rows[0]?.keywords ?? [];
}

export async function setKeywords(tx: Tx, workspaceId: string, keywords: string[]): Promise<string[]> {
  const unique = [...new Set(keywords.map((k) => k.trim()).filter(Boolean))];
  await sql`insert into social_settings (workspace_id, keywords) values (${workspaceId}::uuid, ${unique}::text[])
    on conflict (workspace_id) do update set keywords = excluded.keywords, updated_at = now()`.execute(tx);
  return unique;
}
