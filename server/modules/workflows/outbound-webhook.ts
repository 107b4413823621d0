import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { BlockedAddressError, bareHost, blockedReason, guardedLookup } from '../../platform/webhooks/ssrf-guard';

export { BlockedAddressError };

/** Whether an address is one a webhook may never reach (the platform's one SSRF rule: loopback, private, link-local, CGNAT, NAT64, 6to4, IPv4-mapped…). */
export function isPrivateAddress(address: string): boolean {
  return isIP(address) === 0 || blockedReason(address) !== null;
}

export interface WebhookRequest {
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  body: string;
  timeoutMs?: number;
}

export interface WebhookResponse {
  status: number;
  body: string;
}

/** Sends one webhook request; the step runner decides what a status means. */
export interface WebhookSender {
  send(req: WebhookRequest): Promise<WebhookResponse>;
}

/**
 * Outbound HTTP for workflow webhooks. The address is checked at connection time
 * (a `lookup` hook on the socket), so a name that resolves to a private address —
 * also after a DNS change between check and connect — is refused. Redirects are not
 * followed. `allowPrivate` is for tests and on-premise installs (RAPPORT_WEBHOOKS_ALLOW_PRIVATE=1).
 */
export function httpWebhookSender(opts: { allowPrivate?: boolean } = {}): WebhookSender {
  // Checked when connecting, so a name resolving to a private address (also after a DNS change) is refused.
  const lookup = opts.allowPrivate
    ? (hostname: string, options: object, callback: (...a: never[]) => void) =>
        dnsLookup(hostname, options as never, callback as never)
    : guardedLookup;
  return {
    send(req) {
      const url = new URL(req.url);
      const host = bareHost(url);
      if (isIP(host) && !opts.allowPrivate) {
        const reason = blockedReason(host);
        if (reason) return Promise.reject(new BlockedAddressError(reason));
      }
      const lib = url.protocol === 'https:' ? https : http;
      return new Promise<WebhookResponse>((resolve, reject) => {
        const r = lib.request(
          url,
          {
            method: req.method,
            headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
            lookup: lookup as never,
            timeout: req.timeoutMs ?? 10_000,
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              if (body.length < 2000) body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.slice(0, 2000) }));
            res.on('error', reject);
          },
        );
        r.on('timeout', () => r.destroy(new Error(`no response within ${req.timeoutMs ?? 10_000} ms`)));
        r.on('error', reject);
        r.end(req.body);
      });
    },
  };
}
