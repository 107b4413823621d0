import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { TChatSettings, TChatSettingsRequest } from '../../../common/contracts/chat';
import type { Actor } from '../../platform/auth/actor';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { Tx } from '../../platform/db/database';
import { invalidField } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { type BusinessCalendar, businessMinutesBetween, getCalendar } from '../tickets';

interface SettingsRow {
  workspace_id: string;
  widget_key: string;
  enabled: boolean;
  colour: string;
  greeting: string;
  allowed_origins: string[];
  calendar_id: string | null;
  team_id: string | null;
  require_verification: boolean;
  identity_secret: string | null;
  updated_at: Date;
}

/** The settings the public endpoints work with (found by the widget key). */
export interface WidgetSite {
  workspaceId: string;
  enabled: boolean;
  colour: string;
  greeting: string;
  allowedOrigins: string[];
  calendarId: string | null;
  teamId: string | null;
  requireVerification: boolean;
  identitySecret: string | null;
}

const newKey = () => randomBytes(18).toString('base64url');
const newSecret = () => randomBytes(32).toString('hex');

/** What binds a sealed identity secret to its row (a sealed value copied elsewhere does not open). */
const secretContext = (workspaceId: string) => `chat_settings.identity_secret:${workspaceId}`;

/** Only administrators change the chat's settings. */
export async function assertChatAdmin(tx: Tx, records: RecordService, actor: Actor): Promise<void> {
  await records.access.assertAdmin(tx, actor);
}

export const snippetFor = (baseUrl: string, key: string) =>
  `<script src="${baseUrl}/chat/widget.js" data-key="${key}" async></script>`;

const present = (r: SettingsRow, baseUrl: string, identitySecret?: string): TChatSettings => ({
  widgetKey: r.widget_key,
  enabled: r.enabled,
  colour: r.colour,
  greeting: r.greeting,
  allowedOrigins: r.allowed_origins,
  calendarId: r.calendar_id,
  teamId: r.team_id,
  requireVerification: r.require_verification,
  hasIdentitySecret: r.identity_secret !== null,
  ...(identitySecret ? { identitySecret } : {}),
  snippet: snippetFor(baseUrl, r.widget_key),
  updatedAt: new Date(r.updated_at).toISOString(),
});

async function row(tx: Tx, workspaceId: string): Promise<SettingsRow> {
  await sql`insert into chat_settings (workspace_id, widget_key) values (${workspaceId}::uuid, ${newKey()})
    on conflict (workspace_id) do nothing`.execute(tx);
  const { rows } =
    await sql<SettingsRow>`select * from chat_settings where workspace_id = ${workspaceId}::uuid`.execute(tx);
  return rows[0] as SettingsRow;
}

/** The workspace's chat settings; the first read creates its widget key (chat off). */
export async function getChatSettings(tx: Tx, workspaceId: string, baseUrl: string): Promise<TChatSettings> {
  return present(await row(tx, workspaceId), baseUrl);
}

/** Changes the settings; a rotated identity secret is returned once, sealed in storage. */
export async function updateChatSettings(
  tx: Tx,
  secrets: SecretBox,
  workspaceId: string,
  baseUrl: string,
  input: TChatSettingsRequest,
): Promise<TChatSettings> {
  await row(tx, workspaceId);
  if (input.calendarId) {
    await getCalendar(tx, input.calendarId).catch(() => {
      throw invalidField('calendarId', 'is not a business calendar of this workspace');
    });
  }
  if (input.teamId) {
    const { rows } =
      await sql`select 1 from teams where workspace_id = ${workspaceId}::uuid and id = ${input.teamId}::uuid`.execute(
        tx,
      );
    if (!rows[0]) throw invalidField('teamId', 'is not a team of this workspace');
  }
  const sets = [sql`updated_at = now()`];
  if (input.enabled !== undefined) sets.push(sql`enabled = ${input.enabled}`);
  if (input.colour !== undefined) sets.push(sql`colour = ${input.colour.toLowerCase()}`);
  if (input.greeting !== undefined) sets.push(sql`greeting = ${input.greeting}`);
  if (input.allowedOrigins !== undefined)
    sets.push(sql`allowed_origins = ${[...new Set(input.allowedOrigins.map((o) => o.toLowerCase()))]}::text[]`);
  if (input.calendarId !== undefined) sets.push(sql`calendar_id = ${input.calendarId}::uuid`);
  if (input.teamId !== undefined) sets.push(sql`team_id = ${input.teamId}::uuid`);
  if (input.requireVerification !== undefined) sets.push(sql`require_verification = ${input.requireVerification}`);
  if (input.rotateKey) sets.push(sql`widget_key = ${newKey()}`);
  let secret: string | undefined;
  if (input.rotateIdentitySecret) {
    secret = newSecret();
    sets.push(sql`identity_secret = ${secrets.seal(secret, secretContext(workspaceId))}`);
  }
  const current = await row(tx, workspaceId);
  if (input.requireVerification && !current.identity_secret && !secret)
    throw invalidField('requireVerification', 'needs an identity secret first (rotateIdentitySecret: true)');
  await sql`update chat_settings set ${sql.join(sets)} where workspace_id = ${workspaceId}::uuid`.execute(tx);
  return present(await row(tx, workspaceId), baseUrl, secret);
}

/** The workspace a widget key belongs to, with its settings (owner connection: no workspace yet). */
export async function siteOfKey(db: Tx, secrets: SecretBox, key: string): Promise<WidgetSite | null> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(key)) return null;
  const { rows } = await sql<SettingsRow>`select * from chat_settings where widget_key = ${key}`.execute(db);
  const r = rows[0];
  if (!r) return null;
  let identitySecret: string | null = null;
  if (r.identity_secret) {
    try {
      identitySecret = secrets.open(r.identity_secret, secretContext(r.workspace_id));
    } catch {
      identitySecret = null; // a value that does not open verifies nobody
    }
  }
  return {
    workspaceId: r.workspace_id,
    enabled: r.enabled,
    colour: r.colour,
    greeting: r.greeting,
    allowedOrigins: r.allowed_origins,
    calendarId: r.calendar_id,
    teamId: r.team_id,
    requireVerification: r.require_verification,
    identitySecret,
  };
}

/** Whether a site may open the chat: any site when none are listed, else a listed one. */
export function originAllowed(site: WidgetSite, origin: string | undefined): boolean {
  if (site.allowedOrigins.length === 0) return true;
  return !!origin && site.allowedOrigins.includes(origin.toLowerCase());
}

/** The HMAC a site's server computes for a visitor: hex HMAC-SHA256 of the email under the identity secret. */
export const identityHash = (secret: string, email: string) =>
  createHmac('sha256', secret).update(email.trim().toLowerCase()).digest('hex');

/** Whether `hash` vouches for `email` (constant-time comparison). */
export function identityVerified(site: WidgetSite, email: string, hash: string | undefined): boolean {
  if (!site.identitySecret || !hash) return false;
  const expected = Buffer.from(identityHash(site.identitySecret, email), 'hex');
  const given = Buffer.from(hash.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether `at` is within the site's business hours (no calendar: always). */
export async function withinHours(tx: Tx, site: WidgetSite, at: Date): Promise<boolean> {
  if (!site.calendarId) return true;
  const cal = await getCalendar(tx, site.calendarId).catch(() => null);
  if (!cal) return true;
  return businessMinutesBetween(at, new Date(at.getTime() + 60_000), cal as BusinessCalendar) > 0;
}
