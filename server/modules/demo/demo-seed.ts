import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Actor } from '../../platform/auth/actor';
import type { Auth } from '../../platform/auth/auth';
import type { Database } from '../../platform/db/database';
import { runBatch } from '../../platform/records/batch';
import type { RecordService } from '../../platform/records/records.service';
import { signUp } from '../../platform/workspaces/identity.service';
import { seedSalesSamples } from './sales-sample';
import { sampleRecords } from './sample-data';

export const DEMO_LOGIN = { email: 'demo@rapport.local', password: 'rapport-demo-2026' } as const;

/**
 * On first start of an empty installation: a demo workspace, its administrator
 * and realistic sample data. Returns the demo login while the demo user exists.
 */
export async function seedDemoIfEmpty(
  database: Database,
  auth: Auth,
  records: RecordService,
  log: Logger,
): Promise<{ email: string; password: string } | null> {
  const demoUser = await database.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', DEMO_LOGIN.email)
    .executeTakeFirst();
  if (demoUser) return DEMO_LOGIN;
  const anyUser = await database.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null; // a real installation: never add a demo user to it
  const { data } = await signUp(
    { database, auth },
    { name: 'Dana Demo', email: DEMO_LOGIN.email, password: DEMO_LOGIN.password, workspaceName: 'Acme Demo' },
    {},
  );
  await seedSampleRecords(database, records, data.workspace.id, data.user?.id ?? null);
  log.info({ workspaceId: data.workspace.id }, 'seeded the demo workspace');
  return DEMO_LOGIN;
}

/** Sample accounts and contacts, written through the record engine like any API batch. */
async function seedSampleRecords(
  database: Database,
  records: RecordService,
  workspaceId: string,
  ownerId: string | null,
): Promise<void> {
  const actor: Actor = { kind: 'user', userId: ownerId, workspaceId, role: 'administrator', scopes: [] };
  const { accountBodies, contactsFor } = sampleRecords(40);
  await database.tenant(workspaceId, async (tx) => {
    const accounts = await runBatch(records, tx, actor, 'accounts', {
      mode: 'create',
      atomic: true,
      records: accountBodies,
    });
    const ids = accounts.data.map((r) => r.id as string);
    await runBatch(records, tx, actor, 'contacts', { mode: 'create', atomic: true, records: contactsFor(ids) });
    await seedSalesSamples(tx, records, actor, ids);
  });
}
