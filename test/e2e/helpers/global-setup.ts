import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { TestProject } from 'vitest/node';
import { buildBundle } from '../../../cli/server-bundle.js';
import { embeddedTemplate } from '../../helpers/global-setup';
import { FakeTwilioRest } from '../../helpers/twilio-fake';
import { CHROMIUM } from './browser';
import { startRapport } from './rapport';

/**
 * Fails the run (never skips) when the browser is missing, saying how to install it; then
 * builds the migrated database every `rapport serve` of the run starts from, and starts the
 * pass's shared Rapport and SMTP sink (helpers/shared.ts, which declares the provided keys),
 * and a local Twilio REST API taking every account (click-to-call; no network in tests).
 */
export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the browser tests need it.\n` +
        'Install it (as root) with:  apt-get update && apt-get install -y chromium\n' +
        'or point RAPPORT_CHROMIUM at another Chromium binary.',
    );
  }
  if (!existsSync('dist/web/index.html')) {
    throw new Error('The web app is not built: run `npm run build:web` (npm run test:e2e does it first).');
  }
  await buildBundle(); // the `rapport serve`s below run it (cli/server-bundle.js)
  const removeTemplate = await embeddedTemplate();
  let output = () => '';
  const mailbox = await startSharedMailbox(() => output());
  const twilio = new FakeTwilioRest('any');
  const rapport = await startRapport({
    SMTP_URL: mailbox.smtpUrl,
    RAPPORT_TWILIO_API_URL: await twilio.start(),
    // What some files need, and no browser file tests the default of (the server tests do):
    // a person in a test fills a form faster than the 3 s the bot check asks for.
    RAPPORT_FORM_MIN_FILL_MS: '0',
  });
  output = rapport.output;
  project.provide('sharedRapportUrl', rapport.url);
  project.provide('sharedMailboxUrl', mailbox.mailboxUrl);
  return async () => {
    await rapport.stop();
    await mailbox.close();
    await twilio.stop();
    removeTemplate();
  };
}

/**
 * An SMTP sink that keeps every raw message, served to the test files (forked workers) over
 * loopback HTTP: GET /mail?from=N (the messages from the N-th on, base64), GET /output (the
 * shared server's log, for a failing file to read).
 */
async function startSharedMailbox(output: () => string) {
  const raws: Buffer[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        raws.push(Buffer.concat(chunks));
        callback();
      });
      stream.on('error', callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/mail') {
      const from = Math.max(0, Number(url.searchParams.get('from')) || 0);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(raws.slice(from).map((b) => b.toString('base64'))));
    } else if (url.pathname === '/output') {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(output());
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    mailboxUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
