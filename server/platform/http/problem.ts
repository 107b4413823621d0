import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { humanIssueMessage } from '../../../common/validation-messages';
import { AppError, ERROR_STATUS, type ErrorCode, type FieldError } from './errors';

const TITLES: Record<ErrorCode, string> = {
  malformed_request: 'Malformed request',
  malformed_json: 'Malformed JSON body',
  unauthenticated: 'Not authenticated',
  two_factor_required: 'Two-factor code required',
  forbidden: 'Not allowed',
  two_factor_enrolment_required: 'Two-factor enrolment required',
  csrf_rejected: 'Cross-site request rejected',
  not_found: 'Not found',
  route_not_found: 'No such endpoint',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  already_exists: 'Already exists',
  precondition_failed: 'Stale version',
  payload_too_large: 'Request body too large',
  unsupported_media_type: 'Unsupported media type',
  uri_too_long: 'URL too long',
  request_timeout: 'Request timeout',
  headers_too_large: 'Request header fields too large',
  validation_failed: 'Validation failed',
  weak_password: 'Password does not meet the policy',
  idempotency_key_reused: 'Idempotency key reused with another request',
  rate_limited: 'Too many requests',
  too_many_attempts: 'Too many attempts',
  internal_error: 'Internal error',
  service_unavailable: 'Service unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** Sends an RFC 9457 problem document. */
export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
  retryAfterSeconds?: number,
): FastifyReply {
  const status = ERROR_STATUS[code];
  const body: Problem = {
    type: `/errors/${code}`,
    title: TITLES[code],
    status,
    code,
    detail,
    instance: reply.request.id,
  };
  if (errors && errors.length > 0) body.errors = errors;
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.status(status).type('application/problem+json').send(body);
}

// Fastify's own error codes for things the client sent.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_request',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_VALIDATION: 'validation_failed',
};

/** Fastify's router errors (bad URL encoding, URL too long) as problem documents. */
export function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  if (error.statusCode === 414) return sendProblem(reply, 'uri_too_long', 'The URL is too long');
  return sendProblem(reply, 'malformed_request', error.message || 'Malformed request');
}

/**
 * Errors Node's HTTP parser meets before there is a request (a request line and headers
 * over 16 KB, a timeout, bytes that are not HTTP) as problem documents, written on the raw
 * socket. The answer says `Connection: close` and the socket is ended after it (the rest of
 * what the client sends is read and dropped), so a client on a kept-alive connection reads
 * the answer and opens a new connection instead of meeting a reset.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers_too_large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'malformed_request';
  const detail =
    code === 'headers_too_large'
      ? 'The URL and headers together exceed 16 KB'
      : code === 'request_timeout'
        ? 'The request did not arrive in time'
        : 'The request is not valid HTTP';
  const status = ERROR_STATUS[code];
  const body = JSON.stringify({ type: `/errors/${code}`, title: TITLES[code], status, code, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.end();
  socket.resume();
  setTimeout(() => socket.destroy(), 5000).unref();
}

/** The one place errors become HTTP responses. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return sendProblem(reply, error.code, error.message, error.errors, error.retryAfterSeconds);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const errors = error.validation.map((v) => {
      const segments = v.instancePath.split('/').filter(Boolean);
      // Unknown keys are reported on their object; name the keys themselves.
      const keys = (v.params as { keys?: string[] }).keys;
      if (v.keyword === 'unrecognized_keys' && keys) segments.push(keys.join(','));
      // People read these messages: zod's own wording is replaced by the one map (common/validation-messages.ts).
      const path = v.instancePath.split('/').filter(Boolean);
      const message = humanIssueMessage({ ...(v.params as object), code: v.keyword, path, message: v.message });
      return { path: segments.join('.') || where, message };
    });
    const fields = errors.map((e) => e.path).join(', ');
    return sendProblem(reply, 'validation_failed', `Invalid ${where}: ${fields}`, errors);
  }
  const pgCode = (error as { code?: unknown }).code;
  if (typeof pgCode === 'string' && /^22[0-9A-Z]{3}$/.test(pgCode)) {
    // PostgreSQL data exception: a value from the request could not be compared or stored.
    return sendProblem(reply, 'validation_failed', 'A value in the request is out of range or cannot be used');
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return sendProblem(reply, mapped, error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    const code: ErrorCode =
      error.statusCode === 413
        ? 'payload_too_large'
        : error.statusCode === 415
          ? 'unsupported_media_type'
          : 'malformed_request';
    return sendProblem(reply, code, error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(
    reply,
    'internal_error',
    'Something went wrong on our side. The request id identifies it in the logs.',
  );
}
