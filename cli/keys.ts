import type { Command } from 'commander';
import type { RotationView } from '../server/platform/crypto/rotation';
import type { Database } from '../server/platform/db/database';

type WithDatabase = <T>(fn: (db: Database) => Promise<T>, opts?: { migrate?: boolean }) => Promise<T>;

const describe = (r: RotationView) =>
  `rotation ${r.id}: ${r.state}, ${r.done.toLocaleString('en')} of ${r.total.toLocaleString('en')} values sealed under key ${r.keyId}` +
  (r.failed ? `, ${r.failed} could not be opened` : '') +
  (r.error ? ` (${r.error})` : '');

/** What the commands need, loaded when one runs (the modules are heavy: `rapport --help` stays quick). */
async function load() {
  const [{ STANDARD_OBJECTS }, { loadConfig }, { loadSecretBox }, rotation, { JobQueue }, { ObjectRegistry }] =
    await Promise.all([
      import('../server/modules'),
      import('../server/platform/config'),
      import('../server/platform/crypto/instance-key'),
      import('../server/platform/crypto/rotation'),
      import('../server/platform/jobs/job-queue'),
      import('../server/platform/records/registry'),
    ]);
  return { STANDARD_OBJECTS, loadConfig, loadSecretBox, rotation, JobQueue, ObjectRegistry };
}

/** `rapport keys rotate` and `rapport keys status` (docs/OPERATIONS.md, "Encryption keys"). */
export function addKeysCommands(program: Command, out: (s: string) => void, withDatabase: WithDatabase): void {
  const keys = program.command('keys').description('Encryption keys of sensitive fields and stored secrets');
  keys
    .command('rotate')
    .description(
      'Seal every sensitive field value and stored secret again under the newest key of RAPPORT_ENCRYPTION_KEYS, with progress; ' +
        'resumable (run it again after an interruption). With --background the running server does it as a job. ' +
        'Embedded database: stop the server first, or use --background and start it.',
    )
    .option('--background', 'queue the rotation for the server (rapport keys status shows its progress)')
    .action(async (opts: { background?: boolean }) => {
      const { STANDARD_OBJECTS, loadConfig, loadSecretBox, rotation, JobQueue, ObjectRegistry } = await load();
      const { enqueueRotation, requestRotation, runRotation } = rotation;
      await withDatabase(async (database) => {
        const box = await loadSecretBox(loadConfig(), database);
        const registry = new ObjectRegistry(STANDARD_OBJECTS);
        const run = await requestRotation(database.db, box);
        if (opts.background) {
          const jobs = new JobQueue({ database, log: { warn: () => {} } });
          await enqueueRotation(database.db, jobs, run.id);
          out(`Queued ${describe(run)}.\nThe server carries it out; \`rapport keys status\` shows its progress.\n`);
          return;
        }
        const tty = process.stderr.isTTY === true;
        let lastTenth = -1;
        const done = await runRotation(database, box, registry, run.id, ({ done, total }) => {
          const ratio = total ? Math.min(1, done / total) : 1;
          if (tty)
            process.stderr.write(`\rRe-encrypting: ${Math.floor(ratio * 100)}% (${done} of ${total} values)\x1b[K`);
          else if (Math.floor(ratio * 10) > lastTenth) {
            lastTenth = Math.floor(ratio * 10);
            process.stderr.write(`Re-encrypting: ${lastTenth * 10}% (${done} of ${total} values)\n`);
          }
        });
        if (tty) process.stderr.write('\n');
        out(`${describe(done)}.\n`);
        if (done.state !== 'completed') throw new Error(done.error ?? 'the rotation did not complete');
        out(
          'Every value is sealed under the newest key: older keys may now be removed from RAPPORT_ENCRYPTION_KEYS.\n',
        );
      });
    });
  keys
    .command('status')
    .description('The latest rotation and how many values are not yet sealed under the newest key')
    .action(async () => {
      const { STANDARD_OBJECTS, loadConfig, loadSecretBox, rotation, ObjectRegistry } = await load();
      const { countPending, latestRotation, rotationById } = rotation;
      await withDatabase(async (database) => {
        const box = await loadSecretBox(loadConfig(), database);
        const latest = await latestRotation(database.db);
        const pending = await countPending(database.db, box, new ObjectRegistry(STANDARD_OBJECTS));
        out(`Newest key: ${box.currentKeyId} (ring: ${box.keyIds.join(', ')}).\n`);
        out(
          latest
            ? `Latest ${describe((await rotationById(database.db, latest.id)) ?? latest)}.\n`
            : 'No rotation yet.\n',
        );
        out(`${pending} value(s) not sealed under the newest key.\n`);
      });
    });
}
