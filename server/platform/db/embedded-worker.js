// Runs embedded PostgreSQL (PGlite) on its own thread and serves it over the
// PostgreSQL wire protocol, so a heavy query never blocks the HTTP event loop
// and the app uses the same `pg` code as with a PostgreSQL server.
// Plain JavaScript on purpose: worker threads do not go through the TS loader.
import { readFile, writeFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { dataDir, template, wasmModule } = workerData;

try {
  const db = await PGlite.create(dataDir, {
    extensions: { pg_trgm, unaccent, pgcrypto, cube, earthdistance },
    // Compiled once per process (embedded.ts), not once per database.
    wasmModule,
    // A dump to start a new database from (embedded.ts passes it only when none exists yet).
    loadDataDir: template ? new Blob([await readFile(template)]) : undefined,
  });
  // The app holds one connection (see embedded.ts); a few more let tools connect.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  parentPort.postMessage({ type: 'ready', address: server.getServerConn() });
  parentPort.on('message', async (msg) => {
    if (msg?.type === 'dump') {
      try {
        const blob = await db.dumpDataDir('none');
        await writeFile(msg.file, Buffer.from(await blob.arrayBuffer()));
        parentPort.postMessage({ type: 'dumped' });
      } catch (err) {
        parentPort.postMessage({ type: 'dumped', error: String(err) });
      }
      return;
    }
    if (msg?.type !== 'close') return;
    try {
      await server.stop();
      await db.close();
      parentPort.postMessage({ type: 'closed' });
    } catch (err) {
      parentPort.postMessage({ type: 'closed', error: String(err) });
    }
  });
} catch (err) {
  parentPort.postMessage({ type: 'error', error: err instanceof Error ? err.message : String(err) });
}
