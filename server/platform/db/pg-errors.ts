/**
 * The PostgreSQL error codes the server reacts to, in one place
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html). Services turn them
 * into AppErrors; record writes go through records/write-errors.ts, which uses these too.
 */
export const PG_ERROR = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  notNullViolation: '23502',
  invalidParameterValue: '22023',
} as const;

type PgErrorName = keyof typeof PG_ERROR;

/** The SQLSTATE of a database error (undefined for anything else). */
export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `err` is the PostgreSQL error `name` (e.g. isPgError(err, 'uniqueViolation')). */
export const isPgError = (err: unknown, name: PgErrorName): boolean => pgErrorCode(err) === PG_ERROR[name];

/** A data exception (class 22: out of range, malformed, unstorable character). */
export const isPgDataException = (err: unknown): boolean => pgErrorCode(err)?.startsWith('22') ?? false;

/** The server ended the session: admin_shutdown, crash_shutdown, cannot_connect_now (class 57P). */
const SESSION_ENDED = ['57P01', '57P02', '57P03'];
/** The socket itself failed, below PostgreSQL's protocol. */
const SOCKET_FAILED = ['ECONNRESET', 'EPIPE', 'ECONNREFUSED'];

/** The connection is gone (reset, ended by the server), as opposed to a statement that failed on it. */
export function isConnectionLost(err: unknown): boolean {
  const code = pgErrorCode(err);
  if (code && (SESSION_ENDED.includes(code) || SOCKET_FAILED.includes(code))) return true;
  return /Connection terminated|not queryable/.test((err as { message?: unknown } | null)?.message?.toString() ?? '');
}
