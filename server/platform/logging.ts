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
];

const SECRET_QUERY = /([?&](?:token|key|secret|password)=)[^&]*/gi;

/** Pino options for Fastify: JSON lines, request ids, redaction. */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req) {
        return {
          method: req.method,
          url: (req.url ?? '').replace(SECRET_QUERY, '$1[redacted]'),
          remoteAddress: req.ip,
        };
      },
    },
  };
}
