import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Auth } from '../../platform/auth/auth';
import type { Database } from '../../platform/db/database';
import { signUp } from '../../platform/workspaces/identity.service';

export const DEMO_LOGIN = { email: 'demo@rapport.local', password: 'rapport-demo-2026' } as const;

/**
 * On first start of an empty installation: a demo workspace, its administrator
 * and realistic sample data. Returns the demo login while the demo user exists.
 */
export async function seedDemoIfEmpty(
  database: Database,
  auth: Auth,
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
  await seedSampleRecords(database, data.workspace.id, data.user?.id ?? null);
  log.info({ workspaceId: data.workspace.id }, 'seeded the demo workspace');
  return DEMO_LOGIN;
}

/** Sample CRM records for the demo workspace (filled in by the record modules). */
async function seedSampleRecords(_database: Database, _workspaceId: string, _ownerId: string | null): Promise<void> {}
