import { type ServerProcess, startServerProcess } from '../../helpers/server-process';

export interface RunningRapport {
  /** Where the browser goes: the server's own base URL (its origin passes the CSRF check). */
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * A real `rapport serve` of the file's own on a throw-away embedded database (PGlite in memory),
 * no demo data; `env` adds settings. Most files want the pass's shared server instead
 * (sharedRapport() in ./shared: no start-up cost, SMTP to a shared sink): start your own
 * only for settings the shared one cannot have (demo data, another base URL…).
 */
export async function startRapport(env: Record<string, string> = {}): Promise<RunningRapport> {
  const server: ServerProcess = await startServerProcess({
    RAPPORT_DATA_DIR: 'memory://',
    RAPPORT_SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const port = new URL(server.url).port;
  return {
    url: `http://localhost:${port}`,
    output: server.output,
    async stop() {
      server.child.kill('SIGTERM');
      // A clean shutdown takes a second or two; a server that hangs in it must not hang the suite.
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        server.exited.then(() => true),
        new Promise<false>((r) => {
          timer = setTimeout(r, 60_000, false);
        }),
      ]);
      clearTimeout(timer); // the pass's shared server stops in the main process, which must then exit
      if (!stopped) {
        // Said, not hidden: test/process.test.ts is where shutdown itself is tested.
        console.warn(`rapport serve did not exit within 60 s of SIGTERM; killed. Its output:\n${server.output()}`);
        server.child.kill('SIGKILL');
        await server.exited;
      }
    },
  };
}

export const PASSWORD = 'correct horse battery staple';
