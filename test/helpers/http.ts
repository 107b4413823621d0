import type { LightMyRequestResponse } from 'fastify';
import type { Runtime } from '../../server/runtime';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who a request is made as: a session cookie (`name=value`), an API key (`rpk_…`, sent as a
 * bearer token), anything with a `cookie` (a signed-up user or member), an `authorization`
 * header, or nobody (`null`).
 */
export type Auth = string | { cookie: string } | { authorization: string } | null;

/** Anything that has the app: a TestApp or a Runtime. */
export interface HasApp {
  app: Runtime['app'];
}

export function authHeaders(auth: Auth): Record<string, string> {
  if (auth === null) return {};
  if (typeof auth === 'string') return auth.startsWith('rpk_') ? { authorization: `Bearer ${auth}` } : { cookie: auth };
  if ('cookie' in auth) return { cookie: auth.cookie };
  return { authorization: auth.authorization };
}

export interface HttpClient {
  /** Any request; `headers` are added after (and override) the auth headers. No body when `payload` is undefined. */
  call(
    method: Method | string,
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  del(url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** POST that must answer 201; returns the body's `data`. */
  create(url: string, body: unknown): Promise<any>;
}

/**
 * The one HTTP test client: requests through the real HTTP stack (`app.inject`) as `auth`.
 * Every suite uses this instead of its own wrapper around `app.inject`.
 */
export function client(t: HasApp, auth: Auth): HttpClient {
  const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: method as Method,
      url,
      headers: { ...authHeaders(auth), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    call,
    get: (url, headers) => call('GET', url, undefined, headers),
    post: (url, payload, headers) => call('POST', url, payload, headers),
    put: (url, payload, headers) => call('PUT', url, payload, headers),
    patch: (url, payload, headers) => call('PATCH', url, payload, headers),
    del: (url, payload, headers) => call('DELETE', url, payload, headers),
    async create(url, body) {
      const res = await call('POST', url, body);
      if (res.statusCode !== 201) throw new Error(`POST ${url} → ${res.statusCode} ${res.body}`);
      return res.json().data;
    },
  };
}

/**
 * The same for a real `rapport serve` child over the network (crash and process tests):
 * requests as the session `cookie` to the server's current base URL (`base()`: a restart
 * listens on a new port). Answers the fetch Response.
 */
export type NetworkClient = (method: string, url: string, body?: unknown) => Promise<Response>;

export function networkClient(base: () => string, cookie: string): NetworkClient {
  return (method, url, body) =>
    fetch(`${base()}${url}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** Signs up a new workspace on a running server over the network; its session cookie (`name=value`). */
export async function signUpOver(
  base: string,
  who: { name: string; email: string; password: string; workspaceName: string },
): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
