import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { STANDARD_ROLES } from '../server/platform/access/permissions';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { createAuth, loadAuthSecret } from '../server/platform/auth/auth';
import { loadConfig } from '../server/platform/config';
import { type Database, openDatabase } from '../server/platform/db/database';
import { migrateDatabase } from '../server/platform/db/migrate';
import type { RoleKey } from '../server/platform/db/schema';
import { AppError } from '../server/platform/http/errors';
import { addMember, signUp } from '../server/platform/workspaces/identity.service';
import { addBackupCommands } from './backup';
import { addImportCommand } from './import';
import { addKeysCommands } from './keys';
import { seedContacts } from './seed';

const ROLES: RoleKey[] = [...STANDARD_ROLES];

const positiveInt = (value: string) => {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1 || n > 50_000_000)
    throw new InvalidArgumentError('must be a whole number from 1 to 50,000,000');
  return n;
};

/** Opens the configured database, migrated, for one command. */
async function withDatabase<T>(fn: (db: Database) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedTemplate: config.embeddedTemplate,
    appDatabaseUrl: config.appDatabaseUrl,
    poolSize: 4,
  });
  try {
    if (opts.migrate !== false) await migrateDatabase(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function workspaceIdFor(database: Database, ref: string | undefined): Promise<string> {
  const rows = await database.db.selectFrom('workspaces').select(['id', 'name']).execute();
  if (!ref) {
    if (rows.length === 1 && rows[0]) return rows[0].id;
    throw new Error(
      rows.length === 0
        ? 'There is no workspace yet: run `rapport users create` first'
        : 'Several workspaces exist: pass --workspace <id or name>',
    );
  }
  const found = rows.filter((w) => w.id === ref || w.name === ref);
  if (found.length !== 1 || !found[0]) throw new Error(`No single workspace matches "${ref}"`);
  return found[0].id;
}

export function buildProgram(
  out: (s: string) => void,
  err: (s: string) => void = (s) => process.stderr.write(s),
): Command {
  const program = new Command('rapport')
    .description(
      'Rapport CRM: serve, migrate, seed, back up, restore and administer an installation.\nEnvironment: DATABASE_URL (PostgreSQL server) or RAPPORT_DATA_DIR (embedded, default ./data).',
    )
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .showHelpAfterError();

  program
    .command('serve')
    .description('Start the HTTP server (applies migrations; seeds a demo workspace on an empty embedded database)')
    .option('--port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      if (opts.port) process.env.PORT = opts.port;
      if (opts.host) process.env.HOST = opts.host;
      const { serve } = await import('../server/main');
      await serve();
      await new Promise(() => {}); // runs until a signal ends the process
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const applied = await withDatabase((db) => migrateDatabase(db), { migrate: false });
      out(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date.\n');
    });

  program
    .command('seed')
    .description('Add generated sample contacts (and accounts) to a workspace, in bulk')
    .requiredOption('--contacts <n>', 'how many contacts to create', positiveInt)
    .option('--workspace <id|name>', 'target workspace (default: the only one)')
    .option('--accounts <n>', 'how many accounts to spread them over (default: contacts / 10)', positiveInt)
    .action(async (opts: { contacts: number; accounts?: number; workspace?: string }) => {
      await withDatabase(async (db) => {
        const workspaceId = await workspaceIdFor(db, opts.workspace);
        const started = Date.now();
        const result = await seedContacts(db, workspaceId, { contacts: opts.contacts, accounts: opts.accounts }, (n) =>
          process.stderr.write(`\r  ${n.toLocaleString('en')} contacts…`),
        );
        const secs = (Date.now() - started) / 1000;
        out(
          `\nCreated ${result.accounts.toLocaleString('en')} accounts and ${result.contacts.toLocaleString('en')} contacts in ${secs.toFixed(1)} s (${Math.round(result.contacts / secs).toLocaleString('en')} contacts/s).\n`,
        );
      });
    });

  const users = program.command('users').description('Manage users');
  users
    .command('create')
    .description(
      'Create a user: with --workspace-name, in a new workspace they administer; with --workspace, as a member of it',
    )
    .requiredOption('--email <email>', 'email address (the login)')
    .requiredOption('--name <name>', 'full name')
    .requiredOption(
      '--password <password>',
      'password (12+ characters, hard to guess: a phrase of several unrelated words); or set RAPPORT_PASSWORD',
      process.env.RAPPORT_PASSWORD,
    )
    .option('--workspace-name <name>', 'create a new workspace with this name')
    .option('--workspace <id|name>', 'join an existing workspace')
    .addOption(new Option('--role <role>', 'role in an existing workspace').choices(ROLES).default('administrator'))
    .action(
      async (opts: {
        email: string;
        name: string;
        password: string;
        workspaceName?: string;
        workspace?: string;
        role: RoleKey;
      }) => {
        if (!opts.workspaceName && !opts.workspace)
          throw new Error('Pass --workspace-name <name> (new workspace) or --workspace <id|name>');
        await withDatabase(async (database) => {
          const config = loadConfig();
          const auth = createAuth(config, database, await loadAuthSecret(config, database));
          if (opts.workspaceName) {
            const { data } = await signUp(
              { database, auth },
              { name: opts.name, email: opts.email, password: opts.password, workspaceName: opts.workspaceName },
              {},
            );
            out(
              `Created user ${data.user?.email} (${data.user?.id}), administrator of workspace "${data.workspace.name}" (${data.workspace.id}).\n`,
            );
          } else {
            const workspaceId = await workspaceIdFor(database, opts.workspace);
            const { createUser, normaliseEmail } = await import('../server/platform/workspaces/identity.service');
            const { assertPasswordPolicy } = await import('../server/platform/auth/password-policy');
            const email = normaliseEmail(opts.email);
            assertPasswordPolicy(opts.password, { email, name: opts.name });
            const { userId } = await createUser(
              { database, auth },
              { name: opts.name, email, password: opts.password },
              {},
            );
            await addMember(database, workspaceId, userId, opts.role);
            out(`Created user ${email} (${userId}) as ${opts.role} of workspace ${workspaceId}.\n`);
          }
        });
      },
    );

  const apikeys = program.command('apikeys').description('Manage API keys');
  apikeys
    .command('create')
    .description('Create an API key for a workspace and print it (shown once)')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .addOption(new Option('--role <role>', 'role the key acts with').choices(ROLES).default('administrator'))
    .option('--scopes <list>', 'comma-separated narrowing scopes: read, write, admin', (v: string) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .action(async (opts: { name: string; workspace?: string; role: RoleKey; scopes?: string[] }) => {
      const bad = (opts.scopes ?? []).filter((s) => !['read', 'write', 'admin'].includes(s));
      if (bad.length) throw new Error(`Unknown scope(s): ${bad.join(', ')} (allowed: read, write, admin)`);
      await withDatabase(async (database) => {
        const workspaceId = await workspaceIdFor(database, opts.workspace);
        const key = await createApiKey(database, workspaceId, {
          name: opts.name,
          role: opts.role,
          scopes: opts.scopes,
          createdBy: null,
        });
        out(`${key.key}\n`);
        process.stderr.write(
          `API key "${key.name}" (${key.id}, role ${key.role}) for workspace ${workspaceId}. Store it now: it is not shown again.\n`,
        );
      });
    });

  addBackupCommands(program, out, withDatabase, workspaceIdFor);
  addImportCommand(program, out, workspaceIdFor);
  addKeysCommands(program, out, withDatabase);

  return program;
}

/** Runs the CLI; returns the process exit status. */
export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  const program = buildProgram(out, err);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? 0
        : 2;
    }
    const detail =
      error instanceof AppError && error.errors.length
        ? ` (${error.errors.map((e) => `${e.path}: ${e.message}`).join('; ')})`
        : '';
    err(`rapport: ${(error as Error).message}${detail}\n`);
    return 1;
  }
}
