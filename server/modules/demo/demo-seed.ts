import { randomInt } from 'node:crypto';
import type { Actor } from '../../platform/auth/actor';
import { passwordProblem } from '../../platform/auth/password-policy';
import type { Database } from '../../platform/db/database';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { runBatch } from '../../platform/records/batch';
import type { RecordService } from '../../platform/records/records.service';
import { signUp } from '../../platform/workspaces/identity.service';
import { seedSalesSamples } from './sales-sample';
import { sampleRecords } from './sample-data';

export const DEMO_EMAIL = 'demo@rapport.local';

// No 0/O, 1/l/I: read off a terminal and typed by hand.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password that passes the password policy: 4 groups of 5 (about 116 bits). */
export function generateDemoPassword(): string {
  for (;;) {
    const groups = Array.from({ length: 4 }, () =>
      Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    );
    const password = groups.join('-');
    if (!passwordProblem(password, { email: DEMO_EMAIL, name: 'Dana Demo' })) return password;
  }
}

/**
 * On first start of an empty installation: a demo workspace, its administrator
 * and realistic sample data. The administrator's password is `password`
 * (RAPPORT_DEMO_PASSWORD) or else generated here and returned once, for the
 * caller to print; it is stored only as a hash, so later starts cannot show it
 * (no install reachable from a network has a known login). Returns the demo
 * login while the demo user exists, null on a real installation.
 */
export async function seedDemoIfEmpty(deps: DemoDeps, opts: { password?: string } = {}): Promise<DemoLogin | null> {
  const { database, auth, records, log } = deps;
  const demoUser = await database.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', DEMO_EMAIL)
    .executeTakeFirst();
  if (demoUser) return { email: DEMO_EMAIL, generatedPassword: null, created: false };
  const anyUser = await database.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null; // a real installation: never add a demo user to it
  if (opts.password) {
    const problem = passwordProblem(opts.password, { email: DEMO_EMAIL, name: 'Dana Demo' });
    if (problem) throw new Error(`RAPPORT_DEMO_PASSWORD ${problem}`); // stops the start-up, saying why
  }
  const generatedPassword = opts.password ? null : generateDemoPassword();
  const { data } = await signUp(
    { database, auth },
    {
      name: 'Dana Demo',
      email: DEMO_EMAIL,
      password: opts.password ?? (generatedPassword as string),
      workspaceName: 'Acme Demo',
    },
    {},
  );
  await seedSampleRecords(database, records, data.workspace.id, data.user?.id ?? null);
  log.info({ workspaceId: data.workspace.id }, 'seeded the demo workspace');
  return { email: DEMO_EMAIL, generatedPassword, created: true };
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
