import { reportReachable } from './connectivity';
import { chosenWorkspace } from './workspace';

/** A field problem as the API reports it in `errors` (path like `email` or `address.country`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** An `application/problem+json` response (RFC 9457), thrown by every API call that fails. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

interface RequestOptions {
  body?: unknown;
  /** A body that is not JSON (a CSV upload), sent as it is with its content type. */
  raw?: { body: string; type: string };
  /** A multipart upload (a file import): the browser sets the content type with its boundary. */
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Calls the Rapport API on the same origin with the session cookie. JSON in, JSON out;
 * a non-2xx answer becomes an ApiError carrying the problem's code and field errors.
 */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  const workspace = chosenWorkspace();
  if (workspace) headers['rapport-workspace'] = workspace;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  else if (opts.raw) headers['content-type'] = opts.raw.type;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? (opts.form ?? opts.raw?.body) : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    reportReachable(false);
    throw new ApiError(0, 'network_error', 'Rapport cannot be reached. Check your connection and try again.');
  }
  // The service worker answers with its saved copy only when the server cannot be reached.
  reportReachable(!res.headers.has('rapport-saved-at'));
  if (res.status === 204) return { body: undefined as T, headers: res.headers };
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const p = (json ?? {}) as { code?: string; detail?: string; title?: string; errors?: FieldProblem[] };
    throw new ApiError(
      res.status,
      p.code ?? 'http_error',
      p.detail ?? p.title ?? `The server answered ${res.status}`,
      Array.isArray(p.errors) ? p.errors : [],
    );
  }
  return { body: json as T, headers: res.headers };
}

/** GET that returns only the body. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request<T>('GET', path, { signal })).body;
}

/** Builds `path?k=v` from the defined entries of `params`. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** True for the API's "you are not signed in" answer. */
export const isUnauthenticated = (err: unknown) => err instanceof ApiError && err.status === 401;
