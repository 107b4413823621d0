import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { BlockedAddressError, blockedReason, canonicalHost, guardedLookup, PRIVATE_REFUSED } from './ssrf-guard';

/**
 * The one way Rapport sends HTTP to a URL a workspace chose (subscription webhooks
 * and workflow webhook steps). What comes back is made safe to show that workspace:
 * a short, sanitised excerpt of the answer only from a public address, and network
 * failures reduced to one message, so the delivery log cannot be used to read
 * internal services or to map which internal ports are open.
 */
export interface SendResult {
  statusCode: number;
  /**
   * At most EXCERPT_LIMIT characters of the answer with control characters removed,
   * and only when the connection went to a public address; null otherwise.
   */
  excerpt: string | null;
  durationMs: number;
  retryAfterSeconds?: number;
}

/** How much of an answer is kept for the delivery log. */
export const EXCERPT_LIMIT = 200;
/** How much of an answer is read at all (the rest is discarded unread). */
const READ_LIMIT = 4096;

/** Every failure to reach a receiver reads the same: refused, closed, reset, unreachable or too slow. */
export const UNREACHABLE = 'the receiver could not be reached or did not answer in time';

/** A failed attempt with a message fit for the workspace's delivery log. */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    message: string,
    /** The address was refused by the SSRF guard (retrying will not help). */
    readonly blocked: boolean,
  ) {
    super(message);
  }
}

/** Control characters (C0 but tab/newline, DEL, C1) and lone surrogates out; at most `limit` characters. */
export function sanitiseExcerpt(text: string, limit = EXCERPT_LIMIT): string {
  const clean = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
  return Array.from(clean).slice(0, limit).join('');
}

// Separate connection pools: a kept-alive socket opened while private networks are
// allowed must never be reused by a guarded request.
const agents = {
  guarded: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
  open: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
};

/**
 * Sends one request. Redirects are not followed (a 3xx is the answer). Unless
 * `allowPrivateNetwork` (the operator's RAPPORT_WEBHOOKS_ALLOW_PRIVATE), the
 * connection may only go to public addresses: IP literals are checked here, host
 * names at connection time by guardedLookup. Rejects with a SendError.
 */
export function sendOutbound(opts: {
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH';
  body: string;
  headers: Record<string, string>;
  allowPrivateNetwork: boolean;
  timeoutMs: number;
}): Promise<SendResult> {
  const url = new URL(opts.url);
  const host = canonicalHost(url);
  if (!opts.allowPrivateNetwork && net.isIP(host) && blockedReason(host)) {
    return Promise.reject(new SendError(PRIVATE_REFUSED, true));
  }
  const secure = url.protocol === 'https:';
  const pool = opts.allowPrivateNetwork ? agents.open : agents.guarded;
  const started = performance.now();
  return new Promise<SendResult>((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: opts.method ?? 'POST',
        agent: secure ? pool.https : pool.http,
        lookup: opts.allowPrivateNetwork ? undefined : guardedLookup,
        headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) },
      },
      (res) => {
        // Where the answer came from decides whether any of it may be shown.
        const remote = res.socket?.remoteAddress ?? '';
        const publicPeer = net.isIP(remote) !== 0 && blockedReason(remote) === null;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (publicPeer && body.length < READ_LIMIT) body += chunk;
        });
        res.on('end', () => {
          const retryAfter = Number(res.headers['retry-after']);
          resolve({
            statusCode: res.statusCode ?? 0,
            excerpt: publicPeer ? sanitiseExcerpt(body) : null,
            durationMs: Math.round(performance.now() - started),
            retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
          });
        });
        res.on('error', () => reject(new SendError(UNREACHABLE, false)));
      },
    );
    // A whole-exchange deadline (the socket timeout alone lets a slow drip go on forever).
    const deadline = setTimeout(() => req.destroy(new Error('timeout')), opts.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (err) =>
      reject(
        err instanceof BlockedAddressError ? new SendError(PRIVATE_REFUSED, true) : new SendError(UNREACHABLE, false),
      ),
    );
    req.end(opts.body);
  });
}
