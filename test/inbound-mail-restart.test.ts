import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/platform/config';
import type { InboundMail, InboundMailHandler } from '../server/platform/mail/inbound-mail';
import { type Runtime, startRuntime } from '../server/runtime';
import { signUp } from './helpers/app';
import { freshDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { client } from './helpers/http';
import { buildMessage, newMessageId, sendRawMail } from './helpers/inbound-smtp';

/**
 * The receiver answers 250 only once the message is in the database: an app stopped
 * right after (before any processing) loses nothing, and the next start handles it once.
 */
describe('inbound mail survives a stop between 250 and processing', () => {
  let db: TestDatabase | undefined;
  let dataDir = '';
  let runtime: Runtime | undefined;
  afterAll(async () => {
    await runtime?.close();
    await db?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // A safety net, not an expectation: embedded, three starts on a real directory.
  it('handles the stored message once after the restart', { timeout: 900_000 }, async () => {
    db = await freshDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-inbound-'));
    const config = loadConfig(
      {
        // Embedded: a real directory (what a restart reopens), started from the run's migrated template.
        ...(ENGINE === 'postgres'
          ? { databaseUrl: db.databaseUrl }
          : { dataDir, embeddedTemplate: db.embeddedTemplate }),
        baseUrl: 'http://localhost:3000',
        logLevel: 'silent',
        seedDemo: false,
        poolSize: 4,
        publicRateLimits: false,
        smtpInboundPort: 0,
        mailDomain: 'restart.test',
      },
      {},
    );
    runtime = await startRuntime(config, { backgroundWork: false });
    const owner = await signUp(runtime.app);
    const address = (await client(runtime, owner).get('/api/v1/service/mailboxes')).json().data[0].address;
    await runtime.inbound.receiver?.start();
    const messageId = newMessageId();
    const sent = await sendRawMail(runtime.inbound.receiver?.port ?? 0, {
      from: 'ann@example.com',
      to: [address],
      raw: buildMessage({ from: 'ann@example.com', to: address, subject: 'Before the crash', messageId }),
    });
    expect(sent.message?.code).toBe(250);
    // Gone before any processing.
    await runtime.close();
    runtime = undefined;

    runtime = await startRuntime(config, { backgroundWork: false });
    const seen: InboundMail[] = [];
    const handler: InboundMailHandler = {
      kind: 'support',
      async handle(_tx, mail) {
        seen.push(mail);
      },
    };
    runtime.inbound.processor.handlers.set('support', handler);
    expect(await runtime.inbound.processor.runOnce()).toEqual(['processed']);
    expect(await runtime.inbound.processor.runOnce()).toEqual([]);
    expect(seen.map((m) => [m.messageId, m.subject])).toEqual([[messageId, 'Before the crash']]);
    const { rows } = await sql<{ status: string }>`select status from inbound_mail`.execute(runtime.database.db);
    expect(rows).toEqual([{ status: 'processed' }]);
    await runtime.close();

    // With background work the receiver listens and the processor runs by itself (woken by the receiver).
    runtime = await startRuntime(config, { backgroundWork: true });
    runtime.inbound.processor.handlers.set('support', handler);
    const live = await sendRawMail(runtime.inbound.receiver?.port ?? 0, {
      from: 'ann@example.com',
      to: [address],
      raw: buildMessage({ from: 'ann@example.com', to: address, subject: 'Live' }),
    });
    expect(live.message?.code).toBe(250);
    const deadline = Date.now() + 60_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((m) => m.subject)).toEqual(['Before the crash', 'Live']);
  });
});
