import type { Tx } from '../db/database';

/** A record an event is about. */
export interface PersonRef {
  object: string;
  recordId: string;
}

/**
 * Which of these records a third party must not receive data about (`object:recordId`
 * keys): a module's rule, e.g. the consent ledger's "opted out of sale/sharing". Webhook
 * subscriptions marked `sharing` get no event about them (fan-out.ts); the platform names
 * no CRM rule itself, as with mail suppression checks.
 */
export type SharingCheck = (tx: Tx, workspaceId: string, refs: PersonRef[]) => Promise<Set<string>>;

const sharingChecks = new Set<SharingCheck>();

/** Adds a check (once, however many runtimes a process starts). */
export function registerSharingCheck(check: SharingCheck): void {
  sharingChecks.add(check);
}

/** The `object:recordId` keys of `refs` some module refuses to share, in one workspace. */
export async function sharingRefused(tx: Tx, workspaceId: string, refs: PersonRef[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (refs.length === 0) return out;
  for (const check of sharingChecks) for (const key of await check(tx, workspaceId, refs)) out.add(key);
  return out;
}
