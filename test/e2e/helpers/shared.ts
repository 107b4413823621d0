import { type ParsedMail, simpleParser } from 'mailparser';
import { inject } from 'vitest';
import type { SmtpSink } from '../../helpers/smtp-sink';
import type { RunningRapport } from './rapport';

/**
 * One Rapport and one SMTP sink for the whole browser pass. Starting `rapport serve` is most
 * of a file's setup (seconds on a quiet machine, a minute under load), so the global setup
 * (helpers/global-setup.ts) starts one and every file that needs no special environment uses
 * it (its settings: SMTP to the shared sink, RAPPORT_FORM_MIN_FILL_MS=0 — see
 * global-setup.ts). Sharing is safe because every file signs up its own workspace: nothing a file sees
 * crosses a workspace. Mail is the exception — one sink takes every file's mail — so a file
 * picks its mail out by recipient or by content only it sends (never "the first invitation").
 *
 * The sink lives in the vitest main process; files run in forked workers and read it
 * through a small loopback HTTP endpoint (the raw messages, parsed in the worker).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the pass's shared `rapport serve` (its origin passes the CSRF check). */
    sharedRapportUrl: string;
    /** Loopback URL of the shared SMTP sink's mailbox (GET /mail?from=N: raw messages; GET /output: the server's log). */
    sharedMailboxUrl: string;
  }
}

/** The pass's shared Rapport (SMTP to the shared sink). stop() leaves it running for the other files. */
export function sharedRapport(): RunningRapport {
  const url = inject('sharedRapportUrl');
  const mailbox = inject('sharedMailboxUrl');
  if (!url || !mailbox) throw new Error('no shared Rapport: run the browser tests with vitest.e2e.config.ts');
  return {
    url,
    output: () => `(the shared server's log: ${mailbox}/output while the pass runs)`,
    async stop() {
      // The global setup's teardown stops it after the last file.
    },
  };
}

/**
 * The shared sink seen from a test file: the same interface as startSmtpSink's. `messages`
 * fills in the background (every 200 ms) and on every wait, so a condition polled with
 * `until` sees new mail. It holds every file's mail: match on a recipient or content of your own.
 */
export function sharedSmtp(): SmtpSink {
  const mailbox = inject('sharedMailboxUrl');
  if (!mailbox) throw new Error('no shared SMTP sink: run the browser tests with vitest.e2e.config.ts');
  const messages: ParsedMail[] = [];
  let fetched = 0;
  let pending: Promise<void> | null = null;
  const refresh = () => {
    pending ??= (async () => {
      try {
        const res = await fetch(`${mailbox}/mail?from=${fetched}`);
        const raws = (await res.json()) as string[];
        for (const raw of raws) {
          messages.push(await simpleParser(Buffer.from(raw, 'base64')));
          fetched++;
        }
      } finally {
        pending = null;
      }
    })();
    return pending;
  };
  const timer = setInterval(() => void refresh().catch(() => undefined), 200);
  timer.unref();
  const url = new URL(mailbox);
  return {
    url: '(shared: see the shared Rapport)',
    port: Number(url.port),
    messages,
    async waitFor(n, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        await refresh();
        if (messages.length >= n) return messages;
        if (Date.now() > deadline) throw new Error(`expected ${n} mails, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitForMail(match, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        await refresh();
        const found = messages.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching mail among ${messages.length}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      clearInterval(timer);
    },
  };
}

/** Whether `mail` is addressed to `email` (To, Cc or Bcc). */
export const mailTo = (mail: ParsedMail, email: string) =>
  [mail.to, mail.cc, mail.bcc]
    .flat()
    .flatMap((a) => a?.value ?? [])
    .some((a) => a.address?.toLowerCase() === email.toLowerCase());
