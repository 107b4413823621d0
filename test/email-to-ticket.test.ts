import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { client, type HttpClient } from './helpers/http';
import { buildMessage, newMessageId, sendRawMail } from './helpers/inbound-smtp';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink';

// Issue 17, email-to-ticket end to end through real SMTP both ways: a customer's mail to
// the workspace's support address (the inbound receiver) opens a ticket; the agent's reply
// goes out (the SMTP sink) carrying Message-ID and Reply-To; the customer's answer, with
// In-Reply-To, joins the same ticket; an out-of-office auto-reply joins it too but is
// never acknowledged (no mail loop).
describe('email-to-ticket through the inbound SMTP receiver', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let owner: SignedUp;
  let as: HttpClient;
  let port: number;
  let support: string;

  const send = (raw: string, from = 'carol@customer.example') => sendRawMail(port, { from, to: [support], raw });
  const process = async () => {
    while ((await t.inbound.processor.runOnce()).length > 0) {}
    await t.events.drain();
  };
  const tickets = async () =>
    (await as.get('/api/v1/tickets?sort=-createdAt')).json().data as Record<string, unknown>[];

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({ smtpInboundPort: 0, mailDomain: 'support.test', smtpUrl: sink.url });
    await t.inbound.receiver?.start();
    port = t.inbound.receiver?.port ?? 0;
    owner = await signUp(t.app, { workspaceName: 'Helpful Ltd' });
    as = client(t, owner.cookie);
    const res = await as.get('/api/v1/service/mailboxes');
    expect(res.statusCode, res.body).toBe(200);
    support = res.json().data[0].address;
    expect(support).toMatch(/^support-[0-9a-f]{12}@support\.test$/);
  });
  afterAll(async () => {
    await t?.stop();
    await sink?.close();
  });

  it('a new mail opens a ticket; the reply threads back into it; an auto-reply gets no acknowledgement', async () => {
    const first = newMessageId();
    const sent = await send(
      buildMessage({
        from: 'Carol Customer <carol@customer.example>',
        to: support,
        subject: 'The invoice total is wrong',
        text: 'Invoice 1042 shows 1,200 EUR; we agreed 1,000.',
        messageId: first,
      }),
    );
    expect(sent.message?.code).toBe(250);
    await process();
    const [ticket] = await tickets();
    expect(ticket).toMatchObject({ subject: 'The invoice total is wrong', channel: 'email' });
    const id = ticket?.id as string;

    // The acknowledgement goes out as an auto-reply, pointing back at the support address.
    await t.mail.runOnce();
    const ack = await sink.waitForMail((m) => /The invoice total is wrong/.test(m.subject ?? ''));
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied');

    // The agent answers from the ticket: emailed with its own Message-ID, Reply-To the mailbox.
    const reply = await as.post(`/api/v1/tickets/${id}/messages`, { kind: 'reply', body: 'Sorry — corrected.' });
    expect(reply.statusCode, reply.body).toBe(201);
    await t.mail.runOnce();
    const out = await sink.waitForMail((m) => (m.text ?? '').includes('Sorry — corrected.'));
    expect(out.inReplyTo).toBe(`<${first}>`);
    const replyTo = out.headers.get('reply-to') as { value: { address: string }[] } | undefined;
    expect(replyTo?.value[0]?.address).toBe(support);

    // The customer answers that mail: In-Reply-To its Message-ID; same ticket, no new one.
    const answer = await send(
      buildMessage({
        from: 'carol@customer.example',
        to: support,
        subject: `Re: ${out.subject}`,
        text: 'Thanks, received.',
        headers: { 'In-Reply-To': String(out.messageId), References: `<${first}> ${out.messageId}` },
      }),
    );
    expect(answer.message?.code).toBe(250);
    // An out-of-office answer to the same thread: joins it, acknowledged never.
    const ooo = await send(
      buildMessage({
        from: 'carol@customer.example',
        to: support,
        subject: 'Out of office',
        text: 'I am away until Monday.',
        headers: { 'Auto-Submitted': 'auto-replied', 'In-Reply-To': String(out.messageId) },
      }),
    );
    expect(ooo.message?.code).toBe(250);
    await process();
    expect((await tickets()).map((x) => x.id)).toEqual([id]);
    const messages = (await as.get(`/api/v1/tickets/${id}/messages`)).json().data as { kind: string; body: string }[];
    // The acknowledgement is kept in the thread as a note (answers to it thread by its Message-ID).
    expect(messages.map((m) => m.kind)).toEqual(['inbound', 'note', 'reply', 'inbound', 'inbound']);
    expect(messages[1]?.body).toMatch(/^Acknowledgement sent to carol@customer\.example/);
    expect(messages[3]?.body).toContain('Thanks, received.');
    await t.mail.runOnce();
    const acks = sink.messages.filter((m) => m.headers.get('auto-submitted') === 'auto-replied');
    expect(acks).toHaveLength(1);
  });
});
