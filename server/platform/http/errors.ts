/**
 * Domain errors. Services throw `AppError` with a stable code; the HTTP layer
 * maps each code to a status (the `satisfies` below makes the compiler insist
 * every code has one) and renders application/problem+json (RFC 9457).
 */
export const ERROR_STATUS = {
  malformed_request: 400,
  malformed_json: 400,
  unauthenticated: 401,
  two_factor_required: 401,
  forbidden: 403,
  two_factor_enrolment_required: 403,
  csrf_rejected: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  already_exists: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  uri_too_long: 414,
  request_timeout: 408,
  headers_too_large: 431,
  validation_failed: 422,
  weak_password: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** Dotted path of the offending field, e.g. "email" or "address.country". */
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, opts: { errors?: FieldError[]; retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.errors = opts.errors ?? [];
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Shorthand for a 422 about one field. */
export function invalidField(path: string, message: string): AppError {
  return new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);
