import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { type CrashTestbed, crashTestbed, until } from './helpers/crash-testbed';

const RECIPIENTS = 30;
const KILL_AT = 8;

describe('a campaign send survives SIGKILL mid-send: every recipient mailed exactly once, counted at the SMTP sink', () => {
  let bed: CrashTestbed | undefined;
  let sink: SMTPServer | undefined;
  afterAll(async () => {
    await bed?.close();
    await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
  });

  it('is killed while mails go out and the send job is still queueing; after a restart the rest go, none twice', async () => {
    const received: ParsedMail[] = [];
    let arrivals = 0;
    let killed = false;
    // A real SMTP server. The KILL_AT-th campaign mail's DATA arrives and, before the sink
    // answers, the Rapport process is killed: that mail was never accepted (not counted),
    // and the send job is still queueing the others. Nothing else is ever refused.
    sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then(async (mail) => {
            if (mail.subject?.startsWith('Crash news')) {
              arrivals++;
              if (arrivals === KILL_AT && !killed) {
                killed = true;
                await bed?.kill();
                callback(new Error('the sender died'));
                return;
              }
            }
            received.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((r) => sink?.listen(0, '127.0.0.1', r));
    const smtpUrl = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;

    bed = await crashTestbed({
      SMTP_URL: smtpUrl,
      // After the restart, the mail that was in flight at the kill is retried this soon.
      RAPPORT_MAIL_LEASE_SECONDS: '5',
    });
    await bed.start();
    const { json: api } = await bed.signUp('Kim Kill', 'Crash Co');

    const contactIds: string[] = [];
    for (let i = 0; i < RECIPIENTS; i++) {
      const c = await api('POST', '/api/v1/contacts', {
        firstName: `R${i}`,
        lastName: 'Crash',
        email: `r${i}@example.org`,
      });
      expect(c.status).toBe(201);
      const id = c.json.data.id as string;
      const consent = await api('POST', `/api/v1/contacts/${id}/consents`, {
        purpose: 'marketing_email',
        status: 'granted',
      });
      expect(consent.status).toBe(201);
      contactIds.push(id);
    }
    const campaign = await api('POST', '/api/v1/campaigns', { name: 'Crash launch', type: 'email' });
    expect(campaign.status).toBe(201);
    const campaignId = campaign.json.data.id as string;
    expect((await api('POST', `/api/v1/campaigns/${campaignId}/members`, { contactIds })).status).toBe(200);
    const template = await api('POST', '/api/v1/mail/templates', {
      name: 'Crash news',
      subject: 'Crash news for {{ contact.firstName }}',
      html: '<p>Hello {{ contact.firstName }}, see <a href="https://example.com/news">the news</a>.</p>',
      text: '',
    });
    expect(template.status).toBe(201);
    // 10 a second: the job is still queueing when the kill comes.
    const send = await api('POST', `/api/v1/campaigns/${campaignId}/send`, {
      templateId: template.json.data.id,
      perMinute: 600,
    });
    expect(send.status).toBe(202);

    const first = bed.server;
    await until('the kill', async () => (killed ? true : undefined));
    expect(await first?.exited).toBeNull();
    const before = received.filter((m) => m.subject?.startsWith('Crash news')).length;
    expect(before).toBe(KILL_AT - 1);

    await bed.start();
    const done = await until(
      'the send to complete after the restart',
      async () => {
        const sends = (await api('GET', `/api/v1/campaigns/${campaignId}/sends`)).json.data as unknown as {
          state: string;
          queued: number;
        }[];
        return sends[0]?.state === 'completed' ? sends[0] : undefined;
      },
      300_000,
    );
    expect(done.queued).toBe(RECIPIENTS);
    await until(
      'every recipient at the sink',
      async () => (received.filter((m) => m.subject?.startsWith('Crash news')).length >= RECIPIENTS ? true : undefined),
      120_000,
    );
    const outbox = await until('the outbox to be empty', async () => {
      const page = (await api('GET', '/api/v1/mail/outbox?limit=1')).json as unknown as {
        counts: Record<string, number>;
      };
      return page.counts.queued === 0 ? page.counts : undefined;
    });
    expect(outbox.sent).toBeGreaterThanOrEqual(RECIPIENTS);
    // Give a duplicate every chance to show up.
    await new Promise((r) => setTimeout(r, 2500));
    const mails = received.filter((m) => m.subject?.startsWith('Crash news'));
    const to = mails.map((m) => (m.to && 'text' in m.to ? m.to.text : ''));
    expect(new Set(to).size).toBe(RECIPIENTS);
    expect(mails).toHaveLength(RECIPIENTS);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(RECIPIENTS);
    const results = (await api('GET', `/api/v1/campaigns/${campaignId}/results`)).json.data;
    expect(results).toMatchObject({ members: RECIPIENTS, sent: RECIPIENTS, delivered: RECIPIENTS, skipped: 0 });
  }, 1_800_000);
});
