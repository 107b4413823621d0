/**
 * Import benchmark (npm run bench:import): N contacts (default 1,000,000) from a CSV file
 * through the real import path — `startImport` as `POST /api/v1/imports` calls it (the file
 * read for its header and stored in chunks, the import row and its job), then the import
 * job run to completion by the job queue, batch by batch through the record engine with
 * dedupe by email (mode upsert), validation, the per-batch checkpoint, the one audit entry
 * and summary event — into the bench workspace that already holds RAPPORT_BENCH_CONTACTS
 * contacts (default 1,000,000; every index of the table in place). Next to it, in the same
 * process and run, the raw-SQL baseline: `COPY contacts (…) FROM STDIN` of the same rows
 * (same columns, same table, into a workspace of its own so the two never collide). Prints
 * rows/s, the import's share of COPY's rate, and memory (RSS and heap peaks while each runs).
 *
 * Environment: RAPPORT_BENCH_DB (database name), RAPPORT_BENCH_IMPORT_ROWS (default
 * 1000000), RAPPORT_BENCH_CONTACTS (contacts already in the workspace, default 1000000),
 * RAPPORT_BENCH_REUSE=1 to keep the database, RAPPORT_BENCH_NOTE (a paragraph for RESULTS.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { IMPORT_QUEUE, startImport } from '../server/modules/imports/imports.service';
import type { Actor } from '../server/platform/auth/actor';
import { signUp } from '../server/platform/workspaces/identity.service';
import { addResults, BENCH_CONTACTS, closeBench, loadAverage, machine, openBench } from './bench-db';

const ROWS = Number(process.env.RAPPORT_BENCH_IMPORT_ROWS ?? 1_000_000);
const HEADER = 'First Name,Last Name,Email,Phone Number,Job Title,City,Country';
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Wirth'];
const TITLES = ['Engineer', 'Director of IT', 'Analyst', 'VP Sales', 'Buyer'];
const CITIES: [string, string][] = [
  ['Paris', 'FR'],
  ['Berlin', 'DE'],
  ['London', 'GB'],
  ['Madrid', 'ES'],
  ['Milan', 'IT'],
];

/** Row i's fields, the same for the CSV and for COPY. */
function row(tag: string, i: number) {
  const [city, country] = CITIES[i % CITIES.length] as [string, string];
  return {
    first: FIRST[i % FIRST.length] as string,
    last: `${LAST[(i * 7) % LAST.length]} ${i}`,
    email: `import-${tag}-${i}@import.example`,
    phone: `+4420${String(10_000_000 + (i % 89_999_999)).slice(0, 8)}`,
    title: TITLES[i % TITLES.length] as string,
    city,
    country,
  };
}

/** Peaks of RSS and heap while `fn` runs (sampled every 200 ms), above what they were before it. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; rss: number; heap: number }> {
  const before = process.memoryUsage();
  let rss = before.rss;
  let heap = before.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 200);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, ms: performance.now() - t0, rss: rss - before.rss, heap: heap - before.heapUsed };
  } finally {
    clearInterval(timer);
  }
}

/**
 * `COPY … FROM STDIN` through a `pg` client: the copy-in sub-protocol driven directly (what
 * pg-copy-streams does), the rows streamed from `lines` with the socket's back-pressure.
 */
function copyFrom(client: pg.Client, text: string, lines: () => Generator<string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let rowCount = 0;
    let failed: Error | null = null;
    const submittable = {
      submit(connection: { query: (t: string) => void }) {
        connection.query(text);
      },
      async handleCopyInResponse(connection: {
        sendCopyFromChunk: (b: Buffer) => void;
        endCopyFrom: () => void;
        stream: import('node:stream').Writable;
      }) {
        let batch = '';
        for (const line of lines()) {
          batch += line;
          if (batch.length >= 256 * 1024) {
            connection.sendCopyFromChunk(Buffer.from(batch));
            batch = '';
            if (connection.stream.writableNeedDrain)
              await new Promise<void>((r) => connection.stream.once('drain', () => r()));
          }
        }
        if (batch) connection.sendCopyFromChunk(Buffer.from(batch));
        connection.endCopyFrom();
      },
      handleCommandComplete(msg: { text?: string; command?: string; rowCount?: number }) {
        rowCount = msg.rowCount ?? Number(/\d+$/.exec(msg.text ?? '')?.[0] ?? 0);
      },
      handleError(err: Error) {
        failed = err;
      },
      handleReadyForQuery() {
        if (failed) reject(failed);
        else resolve(rowCount);
      },
      handleEmptyQuery() {},
      handleRowDescription() {},
      handleDataRow() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    client.query(submittable as never);
  });
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function main() {
  const startLoad = loadAverage();
  const bench = await openBench({ contacts: BENCH_CONTACTS, poolSize: 4 });
  const { database, runtime } = bench;
  const tag = Date.now().toString(36);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-import-'));
  const file = path.join(dir, 'contacts.csv');
  try {
    // The file: written once, streamed (never held whole).
    {
      const out = fs.createWriteStream(file);
      let chunk = `${HEADER}\n`;
      for (let i = 0; i < ROWS; i++) {
        const r = row(tag, i);
        chunk += `${[r.first, r.last, r.email, r.phone, r.title, r.city, r.country].map(csvField).join(',')}\n`;
        if (chunk.length > 1 << 20) {
          if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
          chunk = '';
        }
      }
      out.end(chunk);
      await new Promise<void>((res) => out.on('finish', () => res()));
    }
    const size = fs.statSync(file).size;
    const existing = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from contacts where workspace_id = ${bench.workspaceId}::uuid`.execute(database.db)
      ).rows[0]?.n,
    );
    process.stderr.write(
      `  ${ROWS.toLocaleString('en')} rows (${mib(size)}) into a workspace of ${existing.toLocaleString('en')} contacts (load ${loadAverage()})\n`,
    );

    // Baseline: COPY of the same rows into the same table (its own workspace, same owner).
    const copyWs = (
      await signUp(
        { database, auth: runtime.auth },
        {
          name: 'Copy',
          email: `copy-${tag}@bench.example`,
          password: 'bench copy passphrase',
          workspaceName: `Copy ${tag}`,
        },
        {},
      )
    ).data.workspace.id;
    const copyOwner = (
      await sql<{
        user_id: string;
      }>`select user_id from workspace_members where workspace_id = ${copyWs}::uuid`.execute(database.db)
    ).rows[0]?.user_id as string;
    const loadBeforeCopy = loadAverage();
    const client = new pg.Client({ connectionString: bench.url });
    await client.connect();
    const copy = await measured(() =>
      copyFrom(
        client,
        `copy contacts (workspace_id, id, first_name, last_name, email, phone, title, address_city, address_country,
          owner_id, created_by, updated_by) from stdin (format csv)`,
        function* () {
          for (let i = 0; i < ROWS; i++) {
            const r = row(`copy${tag}`, i);
            yield `${[copyWs, crypto.randomUUID(), r.first, r.last, r.email, r.phone, r.title, r.city, r.country, copyOwner, copyOwner, copyOwner].map(csvField).join(',')}\n`;
          }
        },
      ),
    );
    await client.end();
    const loadAfterCopy = loadAverage();
    process.stderr.write(
      `  COPY: ${copy.value.toLocaleString('en')} rows in ${(copy.ms / 1000).toFixed(1)} s = ${rate(ROWS, copy.ms).toLocaleString('en')} rows/s (load ${loadAfterCopy})\n`,
    );

    // The import, as the API starts it and the job queue runs it.
    const actor: Actor = {
      kind: 'user',
      userId: bench.ownerId,
      workspaceId: bench.workspaceId,
      role: 'administrator',
      scopes: [],
    };
    const loadBeforeImport = loadAverage();
    let stored = 0;
    let lastLog = 0;
    const imported = await measured(async () => {
      const t0 = performance.now();
      const { id } = await startImport(
        database,
        runtime.records,
        runtime.jobs,
        actor,
        { fileName: 'contacts.csv', path: file, size },
        { object: 'contacts', mode: 'upsert', dryRun: false, createMissing: true },
      );
      stored = performance.now() - t0;
      for (;;) {
        await runtime.jobs.runDue({ queues: [IMPORT_QUEUE] });
        const { rows } = await sql<{
          status: string;
          read_rows: number;
          created_rows: number;
          failed_rows: number;
          error: string | null;
        }>`select status, read_rows, created_rows, failed_rows, error from imports
          where workspace_id = ${bench.workspaceId}::uuid and id = ${id}::uuid`.execute(database.db);
        const s = rows[0];
        if (!s) throw new Error('the import vanished');
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          process.stderr.write(
            `  import: ${s.read_rows.toLocaleString('en')} read, ${rate(s.read_rows, performance.now() - t0).toLocaleString('en')} rows/s (load ${loadAverage()}, rss ${mib(process.memoryUsage().rss)})\n`,
          );
        }
        if (s.status === 'completed' || s.status === 'failed') return s;
      }
    });
    const loadAfterImport = loadAverage();
    const result = imported.value;
    if (result.status !== 'completed' || result.created_rows !== ROWS || result.failed_rows !== 0) {
      throw new Error(`the import did not create every row: ${JSON.stringify(result)}`);
    }
    process.stderr.write(
      `  import: ${result.created_rows.toLocaleString('en')} rows in ${(imported.ms / 1000).toFixed(1)} s = ${rate(ROWS, imported.ms).toLocaleString('en')} rows/s (load ${loadAfterImport})\n`,
    );

    const share = (100 * (ROWS / imported.ms)) / (ROWS / copy.ms);
    const line = (name: string, m: { ms: number; rss: number; heap: number }, load: string) =>
      `| ${name} | ${ROWS.toLocaleString('en')} | ${(m.ms / 1000).toFixed(1)} | ${rate(ROWS, m.ms).toLocaleString('en')} | ${mib(m.rss)} | ${mib(m.heap)} | ${load} |`;
    const section = [
      `## ${new Date().toISOString().slice(0, 10)} — import of ${ROWS.toLocaleString('en')} contacts from CSV against COPY`,
      '',
      `Machine: ${machine()}, PostgreSQL server (${bench.name}), load average ${startLoad} at the start. ` +
        `${ROWS.toLocaleString('en')} contacts (${mib(size)} of CSV: first and last name, email, phone, title, city, country) ` +
        `into a workspace already holding ${existing.toLocaleString('en')} contacts, every index of \`contacts\` in place. ` +
        'The import runs the real path: `startImport` (what `POST /api/v1/imports` calls: header read, mapping suggested, ' +
        'file stored in 1 MiB chunks, import row and job) and the import job run by the job queue to `completed` ' +
        '(mode upsert: dedupe by email, validation, the per-batch checkpoint, one audit entry and one summary event). ' +
        'The baseline is `COPY contacts (…) FROM STDIN` of the same rows (same columns, same table, a workspace of its own) ' +
        `from the same process; it ran first. \`bench/import.ts\`.`,
      '',
      '| path | rows | s | rows/s | RSS peak above start | heap peak above start | load average (1/5/15) after |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      line('raw SQL: `COPY … FROM STDIN`', copy, `${loadBeforeCopy} → ${loadAfterCopy}`),
      line('import (API path + job)', imported, `${loadBeforeImport} → ${loadAfterImport}`),
      '',
      `The import ran at ${share.toFixed(0)} % of COPY's rate (target ≥ 70 %) and took ${(imported.ms / 1000).toFixed(0)} s ` +
        `(target < 120 s for 1,000,000); storing the upload (\`startImport\`) took ${(stored / 1000).toFixed(1)} s of it.`,
      ...(process.env.RAPPORT_BENCH_NOTE ? ['', process.env.RAPPORT_BENCH_NOTE] : []),
    ].join('\n');
    process.stdout.write(`${section}\n`);
    addResults(section);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await closeBench(bench);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
