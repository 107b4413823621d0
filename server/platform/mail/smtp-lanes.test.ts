import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpLanes } from './smtp-lanes';

describe('SMTP lanes: several connections, at most one mail accepted and not yet marked', () => {
  let sink: SMTPServer;
  let url = '';
  /** Messages whose data is arriving now (DATA answered, final dot not yet read). */
  let streaming = 0;
  let maxStreaming = 0;
  /** Messages whose data ended (the server has it) and whose `accepted` has not finished. */
  let unmarked = 0;
  let maxUnmarked = 0;
  const sessions = new Set<string>();
  const received: string[] = [];

  beforeAll(async () => {
    sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        sessions.add(session.id);
        streaming++;
        maxStreaming = Math.max(maxStreaming, streaming);
        let body = '';
        stream.on('data', (d: Buffer) => {
          body += d.toString();
        });
        stream.on('end', () => {
          streaming--;
          unmarked++;
          maxUnmarked = Math.max(maxUnmarked, unmarked);
          received.push(/^Subject: (.*)$/m.exec(body)?.[1] ?? '');
          // A slow answer: the other lanes have every chance to end their data meanwhile.
          setTimeout(() => callback(), 15);
        });
      },
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    url = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => sink.close(() => r()));
  });

  it('streams mails over 4 connections at once, yet ends and marks one mail at a time', async () => {
    const lanes = new SmtpLanes(url, 4);
    expect(lanes.size).toBe(4);
    const marked: string[] = [];
    try {
      await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          lanes.send(
            { from: 'a@example.org', to: `r${i}@example.org`, subject: `Mail ${i}`, text: 'x'.repeat(20_000) },
            async () => {
              // The durable mark: slow too, and still before any other mail's data ends.
              await new Promise((r) => setTimeout(r, 5));
              unmarked--;
              marked.push(`Mail ${i}`);
            },
          ),
        ),
      );
    } finally {
      lanes.close();
    }
    expect(received.sort()).toEqual(Array.from({ length: 24 }, (_, i) => `Mail ${i}`).sort());
    expect(marked).toHaveLength(24);
    expect(sessions.size).toBeGreaterThan(1);
    // The transfers overlapped (several DATA streams open at once) …
    expect(maxStreaming).toBeGreaterThan(1);
    // … but never were two mails accepted-or-accepting and unmarked at the same time.
    expect(maxUnmarked).toBe(1);
  });

  it('a refused recipient rejects that mail only (not marked); the connection serves the next', async () => {
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        callback(address.address.startsWith('bad') ? new Error('no such user') : undefined);
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    const lanes = new SmtpLanes(`smtp://127.0.0.1:${(refusing.server.address() as AddressInfo).port}`, 1);
    let marks = 0;
    try {
      const mark = async () => {
        marks++;
      };
      await expect(
        lanes.send({ from: 'a@example.org', to: 'bad@example.org', subject: 's', text: 't' }, mark),
      ).rejects.toThrow(/no such user/);
      await lanes.send({ from: 'a@example.org', to: 'good@example.org', subject: 's', text: 't' }, mark);
      expect(marks).toBe(1);
    } finally {
      lanes.close();
      await new Promise<void>((r) => refusing.close(() => r()));
    }
  });
});
