import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, uniqueEmail } from './helpers/app';
import { freshDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { networkClient, signUpOver } from './helpers/http';
import { type ServerProcess, startServerProcess } from './helpers/server-process';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink';

/** Polls until `fn` returns a value (not undefined), or fails naming `what`. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a workflow survives SIGKILL during a wait: every step once, nothing lost', () => {
  let db: TestDatabase | undefined;
  let dataDir = '';
  let smtp: SmtpSink | undefined;
  let receiver: Server | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await smtp?.close();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    await db?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('tags, waits, is killed, restarts, then emails and calls the webhook exactly once', async () => {
    smtp = await startSmtpSink();
    const deliveries: string[] = [];
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        deliveries.push(String(req.headers['rapport-delivery']));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/erp`;

    db = await freshDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-crash-'));
    const env: Record<string, string> = {
      ...(ENGINE === 'postgres' ? { DATABASE_URL: db.databaseUrl ?? '' } : { RAPPORT_DATA_DIR: dataDir }),
      RAPPORT_SEED_DEMO: 'false',
      SMTP_URL: smtp.url,
      RAPPORT_WEBHOOKS_ALLOW_PRIVATE: '1',
    };
    server = await startServerProcess(env);
    let base = server.url;

    const cookie = await signUpOver(base, {
      name: 'Kim Kill',
      email: uniqueEmail('kill'),
      password: STRONG_PASSWORD,
      workspaceName: 'Crash Co',
    });
    const call = networkClient(() => base, cookie);
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await call(method, url, body);
      return { status: res.status, json: (await res.json().catch(() => null)) as { data: Record<string, unknown> } };
    };

    const wf = await api('POST', '/api/v1/workflows', {
      name: 'Welcome with a pause',
      active: true,
      definition: {
        trigger: { type: 'record_created', object: 'contacts' },
        steps: [
          { id: 'first', type: 'add_tag', tags: ['step1'] },
          // Long enough that the kill surely comes during it: the test sees the step waiting
          // through the API, which can take seconds on a busy machine.
          { id: 'pause', type: 'wait', amount: 20, unit: 'seconds' },
          {
            id: 'mail',
            type: 'send_email',
            to: 'record',
            subject: 'Crash test for {{record.firstName}}',
            body: 'Hello',
          },
          { id: 'erp', type: 'webhook', url: hookUrl },
          { id: 'last', type: 'add_tag', tags: ['done'] },
        ],
      },
    });
    expect(wf.status, JSON.stringify(wf.json)).toBe(201);
    const workflowId = wf.json.data.id as string;
    const contact = await api('POST', '/api/v1/contacts', {
      firstName: 'Kai',
      lastName: 'Crash',
      email: 'kai@example.com',
    });
    expect(contact.status).toBe(201);
    const contactId = contact.json.data.id as string;

    // The run reaches the wait; kill the process while it waits.
    const runId = await until('the run', async () => {
      const runs = (await api('GET', `/api/v1/workflows/${workflowId}/runs`)).json.data as unknown as { id: string }[];
      return runs[0]?.id;
    });
    const waiting = await until('the wait step waiting', async () => {
      const run = (await api('GET', `/api/v1/workflows/${workflowId}/runs/${runId}`)).json.data as {
        steps: { stepId: string; status: string; wakeAt: string | null }[];
      };
      return run.steps.find((s) => s.stepId === 'pause' && s.status === 'waiting');
    });
    expect(Date.parse(waiting.wakeAt as string)).toBeGreaterThan(Date.now()); // killed *during* the wait
    server.child.kill('SIGKILL');
    expect(await server.exited).toBeNull();
    // The sign-up's verification mail may have gone; the workflow's must not have.
    expect(smtp.messages.filter((m) => m.subject === 'Crash test for Kai')).toHaveLength(0);
    expect(deliveries).toHaveLength(0);

    server = await startServerProcess(env);
    base = server.url;
    const done = await until(
      'the run to complete after the restart',
      async () => {
        const run = (await api('GET', `/api/v1/workflows/${workflowId}/runs/${runId}`)).json.data as {
          status: string;
          steps: { stepId: string; status: string; attempts: number }[];
        };
        return run.status === 'completed' ? run : undefined;
      },
      300_000,
    );
    expect(done.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['_conditions', 'completed'],
      ['first', 'completed'],
      ['pause', 'completed'],
      ['mail', 'completed'],
      ['erp', 'completed'],
      ['last', 'completed'],
    ]);
    await smtp.waitForMail((m) => m.subject === 'Crash test for Kai', 20_000);
    // Give a duplicate every chance to show up.
    await new Promise((r) => setTimeout(r, 2500));
    const crashMails = smtp.messages.filter((m) => m.subject === 'Crash test for Kai');
    expect(new Set(crashMails.map((m) => m.messageId)).size).toBe(1);
    expect(crashMails).toHaveLength(1);
    expect(new Set(deliveries).size).toBe(1);
    expect(deliveries).toHaveLength(1);
    const tags = (await api('GET', `/api/v1/contacts/${contactId}`)).json.data.tags;
    expect(tags).toEqual(['step1', 'done']);
    const runs = (await api('GET', `/api/v1/workflows/${workflowId}/runs`)).json.data as unknown as unknown[];
    expect(runs).toHaveLength(1);
  }, 1_800_000);

  it('a crash after the webhook reached the receiver but before the step was marked done resends the same delivery id', async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await db?.drop();
    db = await freshDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-crash2-'));
    const seen: string[] = [];
    let killOnFirst = true;
    const rx = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(String(req.headers['rapport-delivery']));
        if (killOnFirst) {
          // The receiver got it; the sender dies before it hears back (so before it can mark the step done).
          killOnFirst = false;
          server?.child.kill('SIGKILL');
          res.destroy();
          return;
        }
        res.end('ok');
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    try {
      const env: Record<string, string> = {
        ...(ENGINE === 'postgres' ? { DATABASE_URL: db.databaseUrl ?? '' } : { RAPPORT_DATA_DIR: dir }),
        RAPPORT_SEED_DEMO: 'false',
        RAPPORT_WEBHOOKS_ALLOW_PRIVATE: '1',
        // The lease must outlast the first attempt's trip to the receiver on a busy machine, or a
        // second worker would resend before the kill; after the restart it is what the retry waits for.
        RAPPORT_WORKFLOW_WEBHOOK_LEASE_SECONDS: '10',
      };
      server = await startServerProcess(env);
      let base = server.url;
      const cookie = await signUpOver(base, {
        name: 'Rex',
        email: uniqueEmail('rex'),
        password: STRONG_PASSWORD,
        workspaceName: 'Crash 2',
      });
      const call = networkClient(() => base, cookie);
      const api = async (method: string, url: string, body?: unknown) => {
        const res = await call(method, url, body);
        return (await res.json().catch(() => null)) as { data: Record<string, unknown> };
      };
      const wf = await api('POST', '/api/v1/workflows', {
        name: 'Tell the ERP',
        active: true,
        definition: {
          trigger: { type: 'record_created', object: 'accounts' },
          steps: [{ id: 'erp', type: 'webhook', url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/x` }],
        },
      });
      await api('POST', '/api/v1/accounts', { name: 'Killed Mid-Request' });
      await until('the receiver to get the first delivery', async () => (seen.length > 0 ? true : undefined));
      await server.exited;
      server = await startServerProcess(env);
      base = server.url;
      const run = await until(
        'the run to complete',
        async () => {
          const runs = (await api('GET', `/api/v1/workflows/${wf.data.id}/runs`)).data as unknown as {
            id: string;
            status: string;
          }[];
          return runs[0]?.status === 'completed' ? runs[0] : undefined;
        },
        300_000,
      );
      const detail = (await api('GET', `/api/v1/workflows/${wf.data.id}/runs/${run.id}`)).data as {
        steps: { stepId: string; attempts: number; output: { deliveryId: string } }[];
      };
      const erp = detail.steps.find((s) => s.stepId === 'erp');
      // Two requests reached the receiver, both with the one delivery id: it processes the effect once.
      expect(seen).toHaveLength(2);
      expect(new Set(seen).size).toBe(1);
      expect(seen[0]).toBe(erp?.output.deliveryId);
      expect(erp?.attempts).toBe(2);
    } finally {
      await new Promise<void>((r) => rx.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 1_800_000);
});
