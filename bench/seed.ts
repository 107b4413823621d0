/**
 * Seeds the benchmarks' shared database and keeps it (npm run bench:seed): the workspace
 * 'Bench' with RAPPORT_BENCH_CONTACTS contacts (default 1,000,000) and as many leads
 * (RAPPORT_BENCH_LEADS), so the segments, scoring, geo and campaign benchmarks can then run
 * with RAPPORT_BENCH_REUSE=1 on one seed. RAPPORT_BENCH_SEED=leads seeds only the leads
 * (beside another process seeding the contacts). Drop the database with RAPPORT_BENCH_DROP=1.
 */
import { BENCH_CONTACTS, benchDatabaseName, dropDatabase, loadAverage, openBench } from './bench-db';

async function main() {
  if (process.env.RAPPORT_BENCH_DROP === '1') {
    await dropDatabase(benchDatabaseName());
    process.stderr.write(`dropped ${benchDatabaseName()}\n`);
    return;
  }
  const bench = await openBench({
    contacts: BENCH_CONTACTS,
    leads: Number(process.env.RAPPORT_BENCH_LEADS ?? BENCH_CONTACTS),
    // RAPPORT_BENCH_SEED=leads: only the leads (run beside a process seeding the contacts).
    seedContacts: process.env.RAPPORT_BENCH_SEED !== 'leads',
  });
  await bench.runtime.close();
  process.stderr.write(
    `${bench.name}: ${bench.seeded.length ? bench.seeded.join('; ') : 'nothing to seed'} (load average ${loadAverage()})\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
