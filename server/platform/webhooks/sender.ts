import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { BlockedAddressError, bareHost, blockedReason, guardedLookup } from './ssrf-guard';

export interface SendResult {
  statusCode: number;
  /** The first RESPONSE_BODY_LIMIT characters of the response body. */
  body: string;
  durationMs: number;
  retryAfterSeconds?: number;
}

export const RESPONSE_BODY_LIMIT = 2048;

// Separate connection pools: a kept-alive socket opened for a subscription allowed to
// reach private networks must never be reused by one that is not.
const agents = {
  guarded: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
  open: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
};

/**
 * POSTs a webhook body. Redirects are not followed (a 3xx is a failed attempt);
 * unless `allowPrivateNetwork`, the connection may only go to public addresses
 * (IP literals checked here, host names at connection time by guardedLookup).
 * Rejects on network errors, refusals and timeouts.
 */
export function postWebhook(opts: {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowPrivateNetwork: boolean;
  timeoutMs: number;
}): Promise<SendResult> {
  const url = new URL(opts.url);
  const host = bareHost(url);
  if (!opts.allowPrivateNetwork && net.isIP(host)) {
    const reason = blockedReason(host);
    if (reason) return Promise.reject(new BlockedAddressError(`refused: ${reason}`));
  }
  const secure = url.protocol === 'https:';
  const pool = opts.allowPrivateNetwork ? agents.open : agents.guarded;
  const started = performance.now();
  return new Promise<SendResult>((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: secure ? pool.https : pool.http,
        lookup: opts.allowPrivateNetwork ? undefined : guardedLookup,
        headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < RESPONSE_BODY_LIMIT) body += chunk;
        });
        res.on('end', () => {
          const retryAfter = Number(res.headers['retry-after']);
          resolve({
            statusCode: res.statusCode ?? 0,
            body: body.slice(0, RESPONSE_BODY_LIMIT),
            durationMs: Math.round(performance.now() - started),
            retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
          });
        });
        res.on('error', reject);
      },
    );
    // A whole-exchange deadline (the socket timeout alone lets a slow drip go on forever).
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', reject);
    req.end(opts.body);
  });
}
