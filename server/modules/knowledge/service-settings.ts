import { sql } from 'kysely';
import type { ServiceSettings, ServiceSettingsPatch } from '../../../common/contracts/service';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { isPgError } from '../../platform/db/pg-errors';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { slugify } from './slug';

interface SettingsRow {
  workspace_id: string;
  help_centre_slug: string;
  help_centre_title: string;
  help_centre_enabled: boolean;
}

/** The help centre's absolute address. */
export const helpCentreUrl = (baseUrl: string, slug: string) => `${baseUrl.replace(/\/$/, '')}/help/${slug}`;

const present = (baseUrl: string, r: SettingsRow): ServiceSettings => ({
  helpCentreUrl: helpCentreUrl(baseUrl, r.help_centre_slug),
  helpCentreSlug: r.help_centre_slug,
  helpCentreTitle: r.help_centre_title,
  helpCentreEnabled: r.help_centre_enabled,
});

/**
 * A workspace's settings row, made on first use: the help centre's slug comes from the
 * workspace's name, with -2, -3… when another workspace has it (slugs are unique across
 * workspaces, so this runs as a system transaction, before any tenant transaction).
 */
export async function ensureServiceSettings(database: Database, workspaceId: string): Promise<SettingsRow> {
  return makeServiceSettings(database, workspaceId).catch((err) => {
    // The slug's cross-workspace check (a trigger, 0040) refused: another workspace took it meanwhile.
    if (isPgError(err, 'uniqueViolation'))
      throw new AppError('service_unavailable', 'The help centre’s settings are being created; try again');
    throw err;
  });
}

async function makeServiceSettings(database: Database, workspaceId: string): Promise<SettingsRow> {
  return database.system(async (tx) => {
    const existing = await settingsRow(tx, workspaceId);
    if (existing) return existing;
    const { rows } = await sql<{ name: string }>`select name from workspaces where id = ${workspaceId}`.execute(tx);
    const name = rows[0]?.name ?? 'help';
    const base = slugify(name).slice(0, 50).replace(/-+$/, '') || 'help';
    const { rows: taken } = await sql<{ slug: string }>`
      select help_centre_slug as slug from service_settings
      where help_centre_slug = ${base} or help_centre_slug like ${`${base}-%`}`.execute(tx);
    const used = new Set(taken.map((t) => t.slug));
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    await sql`insert into service_settings (workspace_id, help_centre_slug, help_centre_title)
      values (${workspaceId}, ${slug}, ${`${name} help centre`.slice(0, 120)})
      on conflict do nothing`.execute(tx);
    const made = await settingsRow(tx, workspaceId);
    // A workspace that took the same slug at the same moment: the next free one is found on the next call.
    if (!made) throw new AppError('service_unavailable', 'The help centre’s settings are being created; try again');
    return made;
  });
}

async function settingsRow(tx: Tx, workspaceId: string): Promise<SettingsRow | undefined> {
  const { rows } = await sql<SettingsRow>`
    select workspace_id, help_centre_slug, help_centre_title, help_centre_enabled
    from service_settings where workspace_id = ${workspaceId}`.execute(tx);
  return rows[0];
}

/** The caller's workspace's service settings (anyone in the workspace may read them). */
export async function readServiceSettings(database: Database, baseUrl: string, workspaceId: string) {
  return present(baseUrl, await ensureServiceSettings(database, workspaceId));
}

/** Changes the settings (administrators); a slug another workspace has is 409 naming helpCentreSlug. */
export async function updateServiceSettings(
  database: Database,
  records: RecordService,
  baseUrl: string,
  actor: Actor,
  patch: ServiceSettingsPatch,
): Promise<ServiceSettings> {
  await ensureServiceSettings(database, actor.workspaceId);
  try {
    const row = await records.access.asAdmin(actor, async (tx) => {
      const { rows } = await sql<SettingsRow>`
        update service_settings set
          help_centre_slug = coalesce(${patch.helpCentreSlug ?? null}, help_centre_slug),
          help_centre_title = coalesce(${patch.helpCentreTitle ?? null}, help_centre_title),
          help_centre_enabled = coalesce(${patch.helpCentreEnabled ?? null}::boolean, help_centre_enabled),
          updated_at = now()
        where workspace_id = ${actor.workspaceId}
        returning workspace_id, help_centre_slug, help_centre_title, help_centre_enabled`.execute(tx);
      return rows[0] as SettingsRow;
    });
    return present(baseUrl, row);
  } catch (err) {
    if (isPgError(err, 'uniqueViolation'))
      throw new AppError('already_exists', 'Another help centre has this address', {
        errors: [{ path: 'helpCentreSlug', message: 'is already used by another help centre' }],
      });
    throw err;
  }
}

/** The workspace whose help centre is at `slug`, if it is switched on (a system read: no workspace yet). */
export async function helpCentreBySlug(
  database: Database,
  slug: string,
): Promise<{ workspaceId: string; slug: string; title: string } | null> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug) || slug.length > 60) return null;
  const row = await database.system(async (tx) => {
    const { rows } = await sql<SettingsRow>`
      select workspace_id, help_centre_slug, help_centre_title, help_centre_enabled
      from service_settings where help_centre_slug = ${slug}`.execute(tx);
    return rows[0];
  });
  if (!row?.help_centre_enabled) return null;
  return { workspaceId: row.workspace_id, slug: row.help_centre_slug, title: row.help_centre_title };
}
