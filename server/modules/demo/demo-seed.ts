import { randomInt } from 'node:crypto';
import { passwordProblem } from '../../platform/auth/password-policy';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { runBatch } from '../../platform/records/batch';
import { signUp } from '../../platform/workspaces/identity.service';
import { type DemoBook, seedActivity } from './demo-activity';
import { seedTemplates, seedWelcomeWorkflow } from './demo-automation';
import { seedMatchSamples } from './demo-match';
import {
  createDemoPeople,
  createDemoTeams,
  DEMO_EMAIL,
  DEMO_PEOPLE,
  type DemoPersonKey,
  demoUsers,
  listDemoUsers,
} from './demo-team';
import { seedSalesSamples } from './sales-sample';
import { sampleRecords } from './sample-data';

export { DEMO_EMAIL };

// No 0/O, 1/l/I: read off a terminal and typed by hand.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Who owns the sample accounts, uneven like a real book of business (suppliers: the administrator's). */
const ACCOUNT_OWNERS: DemoPersonKey[] = [
  'sam',
  'sam',
  'sam',
  'sam',
  'priya',
  'priya',
  'priya',
  'jonas',
  'jonas',
  'dana',
];

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
 * On first start of an empty installation: a demo workspace with its people (an
 * administrator, sales representatives in two teams, a marketing manager and a service
 * representative: DEMO_PEOPLE) and a realistic book of business (demo-activity.ts,
 * sales-sample.ts). Everyone's password is `password` (RAPPORT_DEMO_PASSWORD) or else
 * generated here and returned once, for the caller to print; it is stored only as a
 * hash, so later starts cannot show it (no install reachable from a network has a known
 * login). Returns the demo login while the demo user exists, null on a real installation.
 */
export async function seedDemoIfEmpty(deps: DemoDeps, opts: { password?: string } = {}): Promise<DemoLogin | null> {
  const { database, auth, records, log } = deps;
  const demoUser = await database.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', DEMO_EMAIL)
    .executeTakeFirst();
  if (demoUser) {
    return { email: DEMO_EMAIL, users: await listDemoUsers(database), generatedPassword: null, created: false };
  }
  const anyUser = await database.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null; // a real installation: never add a demo user to it
  if (opts.password) {
    const problem = passwordProblem(opts.password, { email: DEMO_EMAIL, name: 'Dana Demo' });
    if (problem) throw new Error(`RAPPORT_DEMO_PASSWORD ${problem}`); // stops the start-up, saying why
  }
  const started = Date.now();
  const generatedPassword = opts.password ? null : generateDemoPassword();
  const password = opts.password ?? (generatedPassword as string);
  const admin = DEMO_PEOPLE[0];
  const { data } = await signUp(
    { database, auth },
    { name: admin.name, email: admin.email, password, workspaceName: 'Acme Demo' },
    {},
  );
  const workspaceId = data.workspace.id;
  const crew = await createDemoPeople({ database, auth }, workspaceId, data.user?.id as string, password);
  const actor = crew.dana.actor;

  const welcomeTemplateId = await database.tenant(workspaceId, async (tx) => {
    await createDemoTeams(tx, workspaceId, crew);
    // Accounts and their contacts, owned by the sales people (suppliers, which sales
    // representatives do not see, by the administrator).
    const { accountBodies, contactsFor } = sampleRecords(40);
    const owners = accountBodies.map((a, i) =>
      a.type === 'supplier' ? 'dana' : (ACCOUNT_OWNERS[i % ACCOUNT_OWNERS.length] as DemoPersonKey),
    );
    const accounts = await runBatch(records, tx, actor, 'accounts', {
      mode: 'create',
      atomic: true,
      records: accountBodies.map((a, i) => ({ ...a, ownerId: crew[owners[i] as DemoPersonKey].id })),
    });
    const accountIds = accounts.data.map((r) => r.id as string);
    const ownerOf = new Map(accountIds.map((id, i) => [id, owners[i] as DemoPersonKey]));
    const contactBodies = contactsFor(accountIds).map((c) => ({
      ...c,
      ownerId: crew[ownerOf.get(c.accountId) ?? 'dana'].id,
    }));
    const contacts = await runBatch(records, tx, actor, 'contacts', {
      mode: 'create',
      atomic: true,
      records: contactBodies,
    });
    const book: DemoBook = {
      accounts: accounts.data.map((r, i) => ({
        id: r.id as string,
        name: accountBodies[i]?.name ?? '',
        ownerKey: owners[i] as DemoPersonKey,
      })),
      contacts: contacts.data.map((r, i) => ({
        id: r.id as string,
        name: `${contactBodies[i]?.firstName} ${contactBodies[i]?.lastName}`,
        accountId: contactBodies[i]?.accountId as string,
      })),
      opportunities: [],
    };
    book.opportunities = await seedSalesSamples(tx, records, actor, crew, book.accounts);
    await seedActivity(tx, records, crew, book);
    await seedMatchSamples(tx, records, crew);
    return seedTemplates(tx, actor);
  });
  await seedWelcomeWorkflow({ database, records }, actor, welcomeTemplateId);
  log.info({ workspaceId, ms: Date.now() - started }, 'seeded the demo workspace');
  return { email: DEMO_EMAIL, users: demoUsers(), generatedPassword, created: true };
}
