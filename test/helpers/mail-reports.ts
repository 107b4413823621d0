import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const REPORT_FIXTURES = [
  'rfc3464-multi-recipient',
  'postfix-hard-bounce',
  'gmail-hard-bounce',
  'exim-delayed',
  'arf-abuse',
  'arf-redacted',
] as const;
export type ReportFixture = (typeof REPORT_FIXTURES)[number];

/**
 * A report fixture of test/fixtures/mail-reports (see its README for the shapes), with the
 * placeholders filled: our recipient, the VERP envelope sender, our Message-ID, and a fresh
 * Message-ID of the report itself (unless given). CRLF line ends, as on the wire.
 */
export function reportFixture(
  name: ReportFixture,
  fill: { to: string; verp: string; messageId: string; dsnId?: string },
): string {
  const text = readFileSync(new URL(`../fixtures/mail-reports/${name}.eml`, import.meta.url), 'utf8');
  return text
    .replaceAll('{{TO}}', fill.to)
    .replaceAll('{{VERP}}', fill.verp)
    .replaceAll('{{MESSAGE_ID}}', fill.messageId)
    .replaceAll('{{DSN_ID}}', fill.dsnId ?? `${randomBytes(8).toString('hex')}@reports.test`)
    .replace(/\r?\n/g, '\r\n');
}
