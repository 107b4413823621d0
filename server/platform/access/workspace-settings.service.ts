import { sql } from 'kysely';
import type { TUpdateWorkspaceSettingsRequest, TWorkspaceSettings } from '../../../common/contracts/access';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { notFound } from '../http/errors';
import type { AccessService } from './access.service';
import type { AccessChanges } from './access-changes';

async function current(tx: Tx): Promise<TWorkspaceSettings> {
  const { rows } = await sql<TWorkspaceSettings>`
    select name, audit_retention_days as "auditRetentionDays", two_factor_policy as "twoFactorPolicy" from workspaces where id = rapport_workspace()`.execute(
    tx,
  );
  if (!rows[0]) throw notFound('Workspace');
  return rows[0];
}

/** The workspace's own settings (administrators): its name, how long the audit log is kept, who must use two-factor sign-in. */
export class WorkspaceSettingsService {
  constructor(private readonly deps: { access: AccessService; changes: AccessChanges }) {}

  get(actor: Actor): Promise<TWorkspaceSettings> {
    return this.deps.access.asAdmin(actor, current);
  }

  /** Changes the name and audit retention; every change is audited from → to. */
  async update(actor: Actor, patch: TUpdateWorkspaceSettingsRequest): Promise<TWorkspaceSettings> {
    return this.deps.changes.asAdmin(actor, async (tx) => {
      const before = await current(tx);
      const after = { ...before, ...patch };
      await sql`update workspaces set name = ${after.name}, audit_retention_days = ${after.auditRetentionDays},
        two_factor_policy = ${after.twoFactorPolicy}
        where id = rapport_workspace()`.execute(tx);
      const changes: Record<string, [unknown, unknown]> = {};
      for (const k of ['name', 'auditRetentionDays', 'twoFactorPolicy'] as const)
        if (before[k] !== after[k]) changes[k] = [before[k], after[k]];
      // Who must use two-factor changed: every app server re-checks its members (TwoFactorService.listen).
      const stale = changes.twoFactorPolicy ? {} : undefined;
      return { result: after, audit: { action: 'workspace.settings_changed', changes }, ...(stale ? { stale } : {}) };
    });
  }
}
