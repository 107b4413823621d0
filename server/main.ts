import { loadConfig } from './platform/config';
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
  if (demo?.generatedPassword) {
    lines.push(`  Demo login: ${demo.email} / ${demo.generatedPassword}`, '  (shown this once; keep it)');
  } else if (demo?.created) {
    lines.push(`  Demo login: ${demo.email} / the password in RAPPORT_DEMO_PASSWORD`);
  } else if (demo) {
    lines.push(`  Demo login: ${demo.email} (its password was shown at the first start)`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
