import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrashTestbed, crashTestbed, until } from './helpers/crash-testbed';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink';

// Both stories run on one server and database (each in its own workspace): the second
// starts from the server the first restarted, which saves a database and a server start.
describe('a workflow survives SIGKILL during a wait: every step once, nothing lost', () => {
  let bed: CrashTestbed;
  let smtp: SmtpSink;
  let receiver: Server | undefined;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    bed = await crashTestbed({
      SMTP_URL: smtp.url,
      RAPPORT_WEBHOOKS_ALLOW_PRIVATE: '1',
      // The lease must outlast the first attempt's trip to the receiver on a busy machine, or a
      // second worker would resend before the kill; after the restart it is what the retry waits for.
      RAPPORT_WORKFLOW_WEBHOOK_LEASE_SECONDS: '10',
    });
  });
  afterAll(async () => {
    await bed?.close();
    await smtp?.close();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  });

  it('tags, waits, is killed, restarts, then emails and calls the webhook exactly once', async () => {
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

    const server = await bed.start();
    const { json: api } = await bed.signUp('Kim Kill', 'Crash Co');

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
    expect(server).toBe(bed.server);
    expect(await bed.kill()).toBeNull();
    // The sign-up's verification mail may have gone; the workflow's must not have.
    expect(smtp.messages.filter((m) => m.subject === 'Crash test for Kai')).toHaveLength(0);
    expect(deliveries).toHaveLength(0);

    await bed.start();
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
    if (!bed.server) await bed.start(); // the first story left it running, unless it failed
    const victim = bed.server;
    const seen: string[] = [];
    let killOnFirst = true;
    const rx = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(String(req.headers['rapport-delivery']));
        if (killOnFirst) {
          // The receiver got it; the sender dies before it hears back (so before it can mark the step done).
          killOnFirst = false;
          victim?.child.kill('SIGKILL');
          res.destroy();
          return;
        }
        res.end('ok');
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    try {
      const { json: api } = await bed.signUp('Rex', 'Crash 2');
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
      expect(await bed.kill()).toBeNull(); // killed by the receiver already: this waits for the exit
      await bed.start();
      const run = await until(
        'the run to complete',
        async () => {
          const runs = (await api('GET', `/api/v1/workflows/${wf.json.data.id}/runs`)).json.data as unknown as {
            id: string;
            status: string;
          }[];
          return runs[0]?.status === 'completed' ? runs[0] : undefined;
        },
        300_000,
      );
      const detail = (await api('GET', `/api/v1/workflows/${wf.json.data.id}/runs/${run.id}`)).json.data as {
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
    }
  }, 1_800_000);
});
