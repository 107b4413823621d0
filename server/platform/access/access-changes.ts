import type { Actor } from '../auth/actor';
import type { CallerResolver } from '../auth/caller-resolver';
import type { Database, Tx } from '../db/database';
import {
  ACCESS_CHANNEL,
  type AccessChange,
  type AccessService,
  type AuditEntry,
  audit,
  notifyAccessChange,
  parseAccessChange,
} from './access.service';

/** What an access or administration change did, for AccessChanges to record. */
export interface Change<T> {
  /** What the service function returns. */
  result: T;
  /** The audit log entry of the change (written in its transaction). */
  audit: AuditEntry;
  /**
   * Set when the change makes cached policies stale (roles, memberships, teams, shares):
   * every app server is told on commit, and this one forgets them after it. `userId`:
   * a member whose cached role is stale; `apiKeyIds`: revoked keys.
   */
  stale?: Omit<AccessChange, 'workspaceId'>;
}

/**
 * The one place where a change to roles, members, teams, shares or settings gets its
 * audit row and, when access caches go stale, its NOTIFY rapport_access (both in the
 * change's transaction, so a rollback leaves neither), and where this server drops its
 * own cached policies after the commit. Services describe their change; this records it.
 */
export class AccessChanges {
  constructor(private readonly deps: { database: Database; access: AccessService; callers: CallerResolver }) {}

  /** Listens for changes made on other app servers and drops our cached policies at once, not at expiry. */
  async listen(): Promise<void> {
    await this.deps.database.listen(ACCESS_CHANNEL, (payload) => {
      const change = parseAccessChange(payload);
      if (change) this.forget(change);
    });
  }

  /** Runs an administration change: 403 unless `actor` administers the workspace (AccessService.asAdmin). */
  asAdmin<T>(actor: Actor, fn: (tx: Tx) => Promise<Change<T>>): Promise<T> {
    return this.record(actor, (run) => this.deps.access.asAdmin(actor, run), fn);
  }

  /** Runs a change in the actor's workspace whose authorisation `fn` checks itself (sharing a record). */
  asMember<T>(actor: Actor, fn: (tx: Tx) => Promise<Change<T>>): Promise<T> {
    return this.record(actor, (run) => this.deps.database.tenant(actor.workspaceId, run), fn);
  }

  private async record<T>(
    actor: Actor,
    inTransaction: (run: (tx: Tx) => Promise<Change<T>>) => Promise<Change<T>>,
    fn: (tx: Tx) => Promise<Change<T>>,
  ): Promise<T> {
    const change = await inTransaction(async (tx) => {
      const c = await fn(tx);
      await audit(tx, actor, c.audit);
      if (c.stale) await notifyAccessChange(tx, { workspaceId: actor.workspaceId, ...c.stale });
      return c;
    });
    if (change.stale) this.forget({ workspaceId: actor.workspaceId, ...change.stale });
    return change.result;
  }

  /** Drops this server's cached policies after a change (other servers hear the NOTIFY). */
  private forget(change: AccessChange): void {
    this.deps.access.forgetWorkspace(change.workspaceId);
    if (change.userId) this.deps.callers.forgetMember(change.userId);
    for (const id of change.apiKeyIds ?? []) this.deps.callers.forgetApiKey(id);
  }
}
