import { type ServerProcess, startServerProcess } from '../../helpers/server-process';

export interface RunningRapport {
  /** Where the browser goes: the server's own base URL (its origin passes the CSRF check). */
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/** A real `rapport serve` on a throw-away embedded database (PGlite in memory), no demo data; `env` adds settings (SMTP_URL…). */
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
      await server.exited;
    },
  };
}

export const PASSWORD = 'correct horse battery staple';
