import { describe, expect, it } from 'vitest';
import { REPORT_FIXTURES, reportFixture } from '../../../test/helpers/mail-reports';
import { bounceKind, parseMailReport, verpToken } from './mail-reports';

const TOKEN = '0123456789abcdef0123456789abcdef';
const fill = { to: 'Kim@Customer.example', verp: `bounces+${TOKEN}@rapport.test`, messageId: 'abc-123@rapport' };
const parse = (name: (typeof REPORT_FIXTURES)[number]) => parseMailReport(Buffer.from(reportFixture(name, fill)));

describe('delivery and complaint reports (RFC 3464, RFC 5965) read from raw mail', () => {
  it('Postfix: a hard bounce (5.1.1), the returned message with our VERP Return-Path and Message-ID', () => {
    const r = parse('postfix-hard-bounce');
    expect(r).toMatchObject({
      type: 'delivery-status',
      originalMessageId: 'abc-123@rapport',
      originalReturnPath: fill.verp,
      recipients: [{ address: 'kim@customer.example', action: 'failed', status: '5.1.1' }],
    });
    if (r?.type !== 'delivery-status') throw new Error('not a DSN');
    expect(r.recipients[0]?.diagnostic).toMatch(
      /^550 5\.1\.1 <Kim@Customer\.example>: Recipient address rejected: User unknown/,
    );
    expect(bounceKind(r.recipients[0] as never)).toBe('hard');
    expect(verpToken(r.originalReturnPath)).toBe(TOKEN);
  });

  it('Gmail: the report part after a multipart/related notification, a folded diagnostic', () => {
    const r = parse('gmail-hard-bounce');
    if (r?.type !== 'delivery-status') throw new Error('not a DSN');
    expect(r.recipients).toHaveLength(1);
    expect(r.recipients[0]).toMatchObject({ address: 'kim@customer.example', action: 'failed', status: '5.1.1' });
    expect(r.recipients[0]?.diagnostic).toContain('The email account that you tried to reach does not exist');
    expect(r.originalMessageId).toBe('abc-123@rapport');
  });

  it('RFC 3464: one recipient failed, another delayed; a part with no header fields', () => {
    const r = parse('rfc3464-multi-recipient');
    if (r?.type !== 'delivery-status') throw new Error('not a DSN');
    expect(r.recipients.map((x) => [x.address, x.action, x.status, bounceKind(x)])).toEqual([
      ['kim@customer.example', 'failed', '5.0.0', 'hard'],
      ['colleague@cs.utk.example', 'delayed', '4.0.0', 'soft'],
    ]);
    expect(r.originalMessageId).toBe('abc-123@rapport');
  });

  it('Exim: a delay warning is a soft bounce; the headers carry our Message-ID but no Return-Path', () => {
    const r = parse('exim-delayed');
    if (r?.type !== 'delivery-status') throw new Error('not a DSN');
    expect(r.recipients[0]).toMatchObject({ address: 'kim@customer.example', action: 'delayed', status: '4.0.0' });
    expect(bounceKind(r.recipients[0] as never)).toBe('soft');
    expect(r.originalReturnPath).toBeNull();
    expect(r.originalMessageId).toBe('abc-123@rapport');
  });

  it('ARF (RFC 5965): an abuse complaint naming the recipient and our message', () => {
    expect(parse('arf-abuse')).toEqual({
      type: 'feedback-report',
      feedbackType: 'abuse',
      originalRecipient: 'kim@customer.example',
      originalMessageId: 'abc-123@rapport',
      originalReturnPath: fill.verp,
    });
  });

  it('ARF with the recipient redacted and the report base64-encoded: the returned message’s To', () => {
    expect(parse('arf-redacted')).toMatchObject({
      type: 'feedback-report',
      feedbackType: 'abuse',
      originalRecipient: 'kim@customer.example',
      originalMessageId: 'abc-123@rapport',
      originalReturnPath: null,
    });
  });

  it('ordinary mail, autoreplies and reports of other types are not reports', () => {
    const plain = 'From: a@b.example\r\nTo: c@d.example\r\nSubject: Out of office\r\n\r\nI am away.\r\n';
    expect(parseMailReport(Buffer.from(plain))).toBeNull();
    const mdn = reportFixture('postfix-hard-bounce', fill).replace(
      'report-type=delivery-status',
      'report-type=disposition-notification',
    );
    expect(parseMailReport(Buffer.from(mdn))).toBeNull();
  });

  it('a status is read from the diagnostic when the Status field is missing or malformed', () => {
    const noStatus = reportFixture('postfix-hard-bounce', fill).replace('Status: 5.1.1\r\n', 'Status: bogus\r\n');
    const r = parseMailReport(Buffer.from(noStatus));
    if (r?.type !== 'delivery-status') throw new Error('not a DSN');
    expect(r.recipients[0]?.status).toBe('5.1.1');
  });

  it('never throws on hostile or mangled input (seeded mutations of every fixture)', () => {
    let seed = 20261207;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const hostile = [
      '',
      '\r\n\r\n',
      'Content-Type: multipart/report; report-type=delivery-status\r\n\r\nno boundary at all',
      `Content-Type: multipart/report; report-type=delivery-status; boundary=${'x'.repeat(5000)}\r\n\r\n--x`,
      `Content-Type: multipart/mixed; boundary=a\r\n\r\n${'--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n'.repeat(2000)}`,
      `Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n${'--b\r\nContent-Type: message/delivery-status\r\n\r\n'.repeat(5000)}`,
      `Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n${'Final-Recipient: rfc822; x@y\r\nAction: failed\r\n\r\n'.repeat(10000)}--b--`,
      `Content-Type: multipart/report; report-type=feedback-report; boundary=c\r\n\r\n--c\r\nContent-Type: message/feedback-report\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!***not base64***\r\n--c--`,
      `Subject: ${'\u0000\u00ff'.repeat(100000)}`,
    ];
    for (const h of hostile) expect(() => parseMailReport(Buffer.from(h, 'latin1'))).not.toThrow();
    const many = parseMailReport(Buffer.from(hostile[6] as string, 'latin1'));
    expect(many?.type === 'delivery-status' ? many.recipients.length : 0).toBeLessThanOrEqual(50);
    for (const name of REPORT_FIXTURES) {
      const base = Buffer.from(reportFixture(name, fill), 'latin1');
      for (let i = 0; i < 150; i++) {
        const b = Buffer.from(base);
        const cuts = 1 + rand(8);
        for (let j = 0; j < cuts; j++) b[rand(b.length)] = rand(256);
        const mutated = rand(4) === 0 ? b.subarray(0, rand(b.length)) : b;
        expect(() => parseMailReport(mutated)).not.toThrow();
      }
    }
  });
});
