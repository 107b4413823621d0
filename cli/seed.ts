import type { Database } from '../server/platform/db/database';

/** Bulk sample data for benchmarks and demos (filled in with the contacts object). */
export async function seedContacts(
  _database: Database,
  _workspaceId: string,
  opts: { contacts: number; accounts?: number },
  _progress: (n: number) => void,
): Promise<{ contacts: number; accounts: number }> {
  return { contacts: 0, accounts: opts.accounts ?? 0 };
}
