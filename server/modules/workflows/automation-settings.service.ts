import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Database } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { workspaceCooldownHours } from './automated-send-guard';
import { assertWorkflowManager } from './workflows.service';

/** Workspace automation settings and the email suppression list (workflow managers). */
export class AutomationSettingsService {
  constructor(private readonly deps: { database: Database; records: RecordService }) {}

  private manage<T>(actor: Actor, fn: (tx: Parameters<Parameters<Database['tenant']>[1]>[0]) => Promise<T>) {
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await assertWorkflowManager(tx, this.deps.records.access, actor);
      return fn(tx);
    });
  }

  get(actor: Actor) {
    return this.manage(actor, async (tx) => ({ emailCooldownHours: await workspaceCooldownHours(tx) }));
  }

  update(actor: Actor, input: { emailCooldownHours: number }) {
    return this.manage(actor, async (tx) => {
      await sql`insert into automation_settings (workspace_id, email_cooldown_hours) values (${actor.workspaceId}, ${input.emailCooldownHours})
        on conflict (workspace_id) do update set email_cooldown_hours = excluded.email_cooldown_hours, updated_at = now()`.execute(
        tx,
      );
      return { emailCooldownHours: input.emailCooldownHours };
    });
  }

  suppressions(actor: Actor) {
    return this.manage(actor, async (tx) => {
      const { rows } = await sql<{ email: string; reason: string; created_by: string | null; created_at: Date }>`
        select email, reason, created_by, created_at from email_suppressions order by created_at desc limit 1000`.execute(
        tx,
      );
      return rows.map((r) => ({ email: r.email, reason: r.reason, createdBy: r.created_by, createdAt: r.created_at }));
    });
  }

  suppress(actor: Actor, email: string, reason: string) {
    return this.manage(actor, async (tx) => {
      const e = email.trim().toLowerCase();
      await sql`insert into email_suppressions (workspace_id, email, reason, created_by) values (${actor.workspaceId}, ${e}, ${reason}, ${actor.userId})
        on conflict (workspace_id, email) do update set reason = excluded.reason`.execute(tx);
      return { email: e, reason };
    });
  }

  unsuppress(actor: Actor, email: string) {
    return this.manage(actor, async (tx) => {
      const { rows } =
        await sql`delete from email_suppressions where email = ${email.trim().toLowerCase()} returning email`.execute(
          tx,
        );
      if (rows.length === 0) throw notFound('Suppression');
    });
  }
}
