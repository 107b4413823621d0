import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Where Debian's PostgreSQL 15 keeps its programs (RAPPORT_PG_BIN overrides). */
const PG_BIN = process.env.RAPPORT_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throw-away PostgreSQL primary and a streaming replica of it (pg_basebackup -R) in a
 * temporary directory, on free ports of 127.0.0.1, trust authentication. The shared test
 * server does not allow replication connections and cannot be restarted, so the replica
 * tests bring their own pair. PostgreSQL refuses to run as root: as root, the servers run
 * as the `postgres` user.
 */
export interface ReplicaCluster {
  /** The primary's `rapport` database (owner: postgres). */
  primaryUrl: string;
  /** The same database on the replica. */
  replicaUrl: string;
  /** Runs SQL as the superuser on the replica (pg_wal_replay_pause() and such). */
  onReplica<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  /** Stops both servers and removes their files. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startReplicaCluster(): Promise<ReplicaCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-replica-'));
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined;
  if (owner !== undefined) chownSync(dir, owner, Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  // As root, every PostgreSQL program runs as the postgres user.
  const pgRun = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, program), ...args])
      : run(path.join(PG_BIN, program), args);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const options = (port: number) =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=60`;
  const start = (dataDir: string, port: number, log: string) =>
    pgRun('pg_ctl', ['-D', dataDir, '-o', options(port), '-l', path.join(dir, log), '-w', '-t', '60', 'start']);
  const stopServer = (dataDir: string) =>
    pgRun('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() => undefined);
  const running = new Set<string>();
  // A test process that ends without stop() (killed, crashed) leaves no server behind.
  const onExit = () => {
    for (const dataDir of running) {
      try {
        execFileSync(asRoot ? 'runuser' : path.join(PG_BIN, 'pg_ctl'), [
          ...(asRoot ? ['-u', 'postgres', '--', path.join(PG_BIN, 'pg_ctl')] : []),
          ...['-D', dataDir, '-m', 'immediate', 'stop'],
        ]);
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/rapport`;
  try {
    await pgRun('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-N']);
    appendFileSync(path.join(primaryDir, 'pg_hba.conf'), '\nhost replication all 127.0.0.1/32 trust\n');
    await start(primaryDir, primaryPort, 'primary.log');
    running.add(primaryDir);
    await pgRun('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
      ...['-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast'],
    ]);
    await start(replicaDir, replicaPort, 'replica.log');
    running.add(replicaDir);
    const admin = new pg.Client({ connectionString: url(primaryPort).replace(/\/rapport$/, '/postgres') });
    await admin.connect();
    await admin.query('create database rapport').finally(() => admin.end());
  } catch (err) {
    onExit();
    process.removeListener('exit', onExit);
    throw err;
  }
  return {
    primaryUrl: url(primaryPort),
    replicaUrl: url(replicaPort),
    async onReplica(text, values) {
      const client = new pg.Client({ connectionString: url(replicaPort) });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async stopReplica() {
      await stopServer(replicaDir);
      running.delete(replicaDir);
    },
    async startReplica() {
      await start(replicaDir, replicaPort, 'replica.log');
      running.add(replicaDir);
    },
    async stop() {
      for (const dataDir of [replicaDir, primaryDir]) if (running.has(dataDir)) await stopServer(dataDir);
      running.clear();
      rmSync(dir, { recursive: true, force: true });
      process.removeListener('exit', onExit);
    },
  };
}
