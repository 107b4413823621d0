import { loadConfig } from './platform/config';
import type { DemoLogin } from './platform/modules';
import { startRuntime } from './runtime';

/** `rapport serve`: start Rapport and shut down gracefully on SIGTERM/SIGINT. */
export async function serve(overrides: Parameters<typeof loadConfig>[0] = {}): Promise<void> {
  const config = loadConfig(overrides);
  const runtime = await startRuntime(config);
  const { app } = runtime;
  const demo = config.seedDemo ? await runtime.seedDemo({ password: config.demoPassword }) : null;

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('shutdown took over 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    runtime
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const address = await app.listen({ host: config.host, port: config.port });
  const url = config.port === 0 ? address : config.baseUrl;
  const lines = [
    '',
    `  Rapport is running at ${url}`,
    `  Database: ${runtime.database.kind} (${runtime.database.version})${
      runtime.database.kind === 'embedded' ? ` in ${config.dataDir}` : ''
    }`,
    `  API docs: ${url}/api/docs`,
  ];
  // The generated password is shown here once, on stdout beside the URL, never through the logger.
  if (demo) lines.push(...demoBanner(demo));
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/**
 * The demo workspace's sign-ins, one line per person (`email … password …`): the
 * generated password on the start that created it (the only time it is known), else
 * where the password comes from.
 */
export function demoBanner(demo: DemoLogin): string[] {
  const password = demo.generatedPassword
    ? demo.generatedPassword
    : demo.created
      ? '(the one in RAPPORT_DEMO_PASSWORD)'
      : '(shown at the first start)';
  const users = demo.users.length > 0 ? demo.users : [{ email: demo.email, name: '', role: '', team: null }];
  const width = Math.max(...users.map((u) => u.email.length));
  return [
    '',
    demo.generatedPassword
      ? '  Demo workspace: sign in as any of these people. The password was generated for this installation'
      : '  Demo workspace: sign in as any of these people.',
    ...(demo.generatedPassword ? ['  and is shown only this once: keep it.'] : []),
    ...users.map((u) => {
      const who = [u.role, u.team].filter(Boolean).join(', ');
      return `    email ${u.email.padEnd(width)}  password ${password}${who ? `  (${who})` : ''}`;
    }),
  ];
}
