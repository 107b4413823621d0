import { sql } from 'kysely';
import type { SecretBox } from '../crypto/secret-box';
import type { Tx } from '../db/database';

/** What a sealed signing secret is bound to: a sealed value moved to another row or workspace does not open. */
const context = (workspaceId: string, subscriptionId: string) =>
  `webhook_subscriptions.secret:${workspaceId}:${subscriptionId}`;

/** The stored form of a new signing secret. */
export const sealWebhookSecret = (box: SecretBox, workspaceId: string, subscriptionId: string, secret: string) =>
  box.seal(secret, context(workspaceId, subscriptionId));

/** The signing secret from its stored form (a plain value from before sealing is taken as it is). */
export const openWebhookSecret = (box: SecretBox, workspaceId: string, subscriptionId: string, stored: string) =>
  box.openStored(stored, context(workspaceId, subscriptionId));

/**
 * Seals every signing secret that is plain (stored before 0014) or sealed under a
 * previous key, across workspaces; run at start-up, as the owner. A row changed since it
 * was read (a rotation) is left to its new value, and one that cannot be opened is left
 * as it is. Returns how many were sealed.
 */
export async function resealWebhookSecrets(db: Tx, box: SecretBox): Promise<number> {
  const { rows } = await sql<{ workspace_id: string; id: string; secret: string }>`
    select workspace_id, id, secret from webhook_subscriptions
    where left(secret, ${box.currentPrefix.length}) <> ${box.currentPrefix}`.execute(db);
  let sealed = 0;
  for (const r of rows) {
    let plain: string;
    try {
      plain = openWebhookSecret(box, r.workspace_id, r.id, r.secret);
    } catch {
      continue; // unreadable here (an unknown key, a value moved from another row): its deliveries say to rotate it
    }
    const { numAffectedRows } = await sql`update webhook_subscriptions
      set secret = ${sealWebhookSecret(box, r.workspace_id, r.id, plain)}
      where workspace_id = ${r.workspace_id} and id = ${r.id} and secret = ${r.secret}`.execute(db);
    sealed += Number(numAffectedRows ?? 0);
  }
  return sealed;
}
