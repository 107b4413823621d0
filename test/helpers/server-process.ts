import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts `rapport serve` as a real child process and waits until it listens. `nodeFlags`
 * go to node itself (e.g. the CPU profiler, which NODE_OPTIONS does not take).
 */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 600_000,
  nodeFlags: string[] = [],
  /** The checkout whose `cli/rapport.js` runs (bench/ab.ts starts an older commit's). */
  root = ROOT,
): Promise<ServerProcess> {
  // freePort() releases the port before the child binds it; on a machine shared with other
  // test runs another process can take it in between. Only that case starts again, on a new port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, timeoutMs, nodeFlags, root);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTaken)) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(
  env: Record<string, string>,
  timeoutMs: number,
  nodeFlags: string[],
  root: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const args = [
    '--import',
    pathToFileURL(path.join(ROOT, 'test/helpers/exit-with-parent.mjs')).href,
    ...nodeFlags,
    path.join(root, 'cli/rapport.js'),
    'serve',
    '--port',
    String(port),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      RAPPORT_PUBLIC_RATE_LIMITS: 'off',
      RAPPORT_BASE_URL: `http://localhost:${port}`, // env may unset it with ''
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('Rapport is running at')) {
    // Ended by a signal (killed from outside), exitCode stays null: signalCode says so.
    if (child.exitCode !== null || child.signalCode !== null) {
      if (out.includes('EADDRINUSE')) throw new PortTaken(`port ${port} taken:\n${out}`);
      throw new Error(`server exited early:\n${out}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}
