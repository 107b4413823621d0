import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ROOT } from '../root';

/** A running embedded PostgreSQL (PGlite) on a worker thread, reachable over TCP on loopback. */
export interface EmbeddedServer {
  host: string;
  port: number;
  /** Writes the whole data directory, uncompressed, to `file` (a template for startEmbedded). */
  dump(file: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts PGlite in a worker thread. `dataDir` is Rapport's data directory: the
 * database lives in `<dataDir>/pg` and a lock file stops a second process from
 * opening the same files (PGlite is single-process). A new database (in memory, or a
 * data directory not yet initialised) starts from `template` (a dump) when given: a
 * second instead of initdb plus migrations.
 */
export async function startEmbedded(dataDir: string, opts: { template?: string } = {}): Promise<EmbeddedServer> {
  const inMemory = dataDir.startsWith('memory://');
  let releaseLock = () => {};
  let pgDir = dataDir;
  if (!inMemory) {
    fs.mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireLock(path.join(dataDir, 'rapport.lock'));
    pgDir = path.join(dataDir, 'pg');
  }
  // A template only seeds a database that does not exist yet: in memory, or a data directory
  // PGlite has not initialised (no PG_VERSION). An existing directory is opened as it is.
  const fresh = inMemory || !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  const worker = new Worker(path.join(ROOT, 'server/platform/db/embedded-worker.js'), {
    workerData: { dataDir: pgDir, template: fresh ? opts.template : undefined, wasmModule: await pgliteModule() },
  });
  try {
    const ready = await new Promise<{ address: string }>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (msg: { type: string; address: string; error?: string }) => {
        if (msg.type === 'ready') resolve(msg);
        else reject(new Error(`embedded database failed to start: ${msg.error}`));
      });
    });
    const [host = '127.0.0.1', port = '0'] = ready.address.split(':');
    let stopped = false;
    const ask = (msg: { type: string; file?: string }, reply: string) =>
      new Promise<{ error?: string }>((resolve) => {
        const onMessage = (m: { type: string; error?: string }) => {
          if (m.type !== reply) return;
          worker.off('message', onMessage);
          resolve(m);
        };
        worker.on('message', onMessage);
        worker.postMessage(msg);
      });
    return {
      host,
      port: Number(port),
      async dump(file) {
        const { error } = await ask({ type: 'dump', file }, 'dumped');
        if (error) throw new Error(`could not dump the embedded database: ${error}`);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          ask({ type: 'close' }, 'closed'),
          new Promise((resolve) => {
            timer = setTimeout(resolve, 10_000);
          }),
        ]);
        clearTimeout(timer);
        await worker.terminate();
        releaseLock();
      },
    };
  } catch (err) {
    await worker.terminate();
    releaseLock();
    throw err;
  }
}

/** A compiled WebAssembly module (the project's TypeScript libraries do not declare WebAssembly). */
type WasmModule = object;
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };
};
let compiled: Promise<WasmModule> | undefined;
/**
 * PGlite's PostgreSQL, compiled once per process and handed to every embedded database's
 * worker instead of each worker compiling it again: a test process opens dozens of databases,
 * `rapport serve` one. The saving measured was small (a few tenths of a CPU-second per start).
 */
function pgliteModule(): Promise<WasmModule> {
  compiled ??= (async () => {
    const wasm = path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), 'pglite.wasm');
    return wasmApi.compile(await fs.promises.readFile(wasm));
  })();
  return compiled;
}

/** Creates `file` holding our pid; refuses if another live process holds it. */
function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `The data directory ${path.dirname(file)} is in use by process ${pid}. ` +
            'Stop it first, or set RAPPORT_DATA_DIR to another directory.',
        );
      }
      fs.rmSync(file, { force: true }); // stale lock from a crashed process
    }
  }
  throw new Error(`Could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
