import type { FastifyRequest } from 'fastify';
import { AppError } from './errors';

/**
 * The version in an If-Match header ("3", W/"3"), or undefined when absent or `*`;
 * 400 naming the header when it is not one of our ETags. Every conditional write
 * (records, quotes, staff, workflows) reads its precondition here.
 */
export function ifMatch(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined || h === '*') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(h).trim());
  if (!m) {
    throw new AppError('malformed_request', 'If-Match must be an ETag from a previous response, e.g. "3"', {
      errors: [{ path: 'If-Match', message: 'malformed' }],
    });
  }
  return Number(m[1]);
}
