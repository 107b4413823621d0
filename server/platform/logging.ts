import type { FastifyServerOptions } from 'fastify';

/** Secrets never reach the logs: credentials in headers, passwords and keys in bodies, tokens in URLs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.key',
  '*.token',
  '*.secret',
  // Two-factor enrolment: the otpauth URL carries the TOTP seed; recovery codes are credentials.
  '*.otpauthUrl',
  '*.recoveryCodes',
  // Telephony: a provider account's auth token, and the request signatures it makes.
  '*.authToken',
  'req.headers["x-twilio-signature"]',
];

const CENSOR = '[redacted]';

/** Query parameters whose values are credentials: token, key, secret, password, signature, code and *_token etc. */
const SECRET_QUERY = /([?&](?:[^=&#]*[_-])?(?:token|key|secret|password|signature|sig|code)=)[^&#]*/gi;

/**
 * Public endpoints that carry a secret in the URL path (the calendar feed's token, an
 * inbound workflow hook's secret, and every one to come: unsubscribe, tracking, chat)
 * register their route pattern here, with the secret segment(s) named `:secret`
 * (`/api/v1/workflows/:id/hooks/:secret`, `/api/v1/calendar/:secret.ics` for a
 * segment that ends in `.ics`); other `:name` segments match any one segment. Every
 * URL that leaves the process in a log line or an error text goes through
 * `redactUrl`, so a path registered once is covered everywhere.
 */
type Segment = { literal: string } | { secret: boolean; suffix: string };
const secretPaths: Segment[][] = [];

export function registerSecretPath(pattern: string): void {
  const segments: Segment[] = pattern
    .split('/')
    .filter(Boolean)
    .map((s) => {
      if (!s.startsWith(':')) return { literal: s.toLowerCase() };
      // `:secret.ics`: the segment must end with `.ics`, which is kept.
      const [name = '', ...ext] = s.slice(1).split('.');
      return { secret: name === 'secret', suffix: ext.length ? `.${ext.join('.')}` : '' };
    });
  if (!segments.some((s) => 'secret' in s && s.secret)) {
    throw new Error(`registerSecretPath: ${pattern} names no :secret segment`);
  }
  const key = JSON.stringify(segments);
  if (!secretPaths.some((p) => JSON.stringify(p) === key)) secretPaths.push(segments);
}

/** The URL with secret path segments and secret query values replaced by "[redacted]". */
export function redactUrl(url: string): string {
  const cut = url.search(/[?#]/);
  const path = cut === -1 ? url : url.slice(0, cut);
  const rest = cut === -1 ? '' : url.slice(cut);
  const parts = path.split('/'); // parts[0] is '' for an absolute path
  for (const pattern of secretPaths) {
    if (parts.length - 1 < pattern.length) continue;
    // A prefix match: a secret is a secret whatever follows it (…/hooks/:secret/extra).
    const matches = pattern.every((seg, i) => {
      const part = parts[i + 1] ?? '';
      if ('literal' in seg) return safeDecode(part).toLowerCase() === seg.literal;
      return part.length > seg.suffix.length && safeDecode(part).toLowerCase().endsWith(seg.suffix);
    });
    if (!matches) continue;
    pattern.forEach((seg, i) => {
      if ('secret' in seg && seg.secret) parts[i + 1] = `${CENSOR}${seg.suffix}`;
    });
  }
  return parts.join('/') + rest.replace(SECRET_QUERY, `$1${CENSOR}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Pino options for Fastify: JSON lines, request ids, redaction. */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: {
      req(req) {
        return {
          method: req.method,
          url: redactUrl(req.url ?? ''),
          remoteAddress: req.ip,
        };
      },
    },
  };
}
