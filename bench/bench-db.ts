/**
 * What the benchmarks share: the database each one seeds on the PostgreSQL server
 * (kept and reused with RAPPORT_BENCH_REUSE=1), percentiles, and writing a run's section
 * into bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ADMIN_URL = process.env.RAPPORT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REUSE = process.env.RAPPORT_BENCH_REUSE === '1';

/** The URL of database `name` on the benchmark's server. */
export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** p-th percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Database `name`, ready to seed: true when RAPPORT_BENCH_REUSE=1 and an earlier run
 * left it complete (`complete` answers that, run on it), else it is (re)created empty.
 */
export async function ensureDatabase(name: string, complete: (db: pg.Client) => Promise<boolean>): Promise<boolean> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
    if (exists && REUSE) {
      const db = new pg.Client({ connectionString: databaseUrl(name) });
      await db.connect();
      const ok = await complete(db).catch(() => false);
      await db.end();
      if (ok) return true;
    }
    if (exists) await admin.query(`drop database ${name} with (force)`);
    await admin.query(`create database ${name}`);
    return false;
  } finally {
    await admin.end();
  }
}

/** Drops database `name` unless RAPPORT_BENCH_REUSE=1 keeps it for the next run. */
export async function dropUnlessReused(name: string): Promise<void> {
  if (REUSE) return;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/**
 * Adds a run's section to bench/RESULTS.md, newest first (after the title and the intro
 * paragraph), then formats the file as `npm run lint` checks it (Biome aligns the tables).
 */
export function addResults(section: string): void {
  const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const previous = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmark results\n\nNewest first. Produced by `npm run bench`.\n\n';
  const [title, ...rest] = previous.split('\n\n');
  const text = [title, rest[0], section.trim(), ...rest.slice(1)].filter((s) => s !== undefined).join('\n\n');
  fs.writeFileSync(file, text);
  const format = spawnSync(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'format', '--write', file], {
    encoding: 'utf8',
  });
  if (format.status !== 0) process.stderr.write(`could not format ${file}: ${format.stderr}\n`);
}

/** One keep-alive socket: the benchmarks' sequential requests reuse it (destroy it when done). */
export const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One API call with an API key; the body comes back as text. */
export function request(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  via: http.Agent = keepAlive,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent: via,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
