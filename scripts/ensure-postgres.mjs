// Makes sure the PostgreSQL server for the postgres test run answers; starts the
// local Debian cluster if it is installed but stopped. Exits non-zero with
// instructions otherwise.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';

const url = process.env.RAPPORT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable() {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

if (!(await reachable())) {
  const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : [];
  if (versions.length > 0) {
    process.stderr.write(`PostgreSQL at ${url} is not answering; starting cluster ${versions[0]}/main…\n`);
    try {
      execSync(`pg_ctlcluster --skip-systemctl-redirect ${versions[0]} main start`, { stdio: 'inherit' });
    } catch {
      // reported below if it still does not answer
    }
    for (let i = 0; i < 30 && !(await reachable()); i++) await new Promise((r) => setTimeout(r, 500));
  }
  if (!(await reachable())) {
    process.stderr.write(
      `The postgres test run needs a PostgreSQL server at ${url} (set RAPPORT_TEST_PG_URL to use another).\n` +
        'On Debian: apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect 15 main start\n',
    );
    process.exit(1);
  }
}
