import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may never reach: loopback, private, link-local (cloud metadata), CGNAT, multicast… */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && address.toLowerCase().startsWith('::ffff:')) {
    const v4 = address.slice(7);
    if (isIP(v4) === 4) return PRIVATE.check(v4, 'ipv4');
  }
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
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

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

/**
 * Outbound HTTP for workflow webhooks. The address is checked at connection time
 * (a `lookup` hook on the socket), so a name that resolves to a private address —
 * also after a DNS change between check and connect — is refused. Redirects are not
 * followed. `allowPrivate` is for tests and on-premise installs (RAPPORT_WEBHOOKS_ALLOW_PRIVATE=1).
 */
export function httpWebhookSender(opts: { allowPrivate?: boolean } = {}): WebhookSender {
  const guardedLookup = (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad && !opts.allowPrivate) {
        return callback(new BlockedAddressError(`${hostname} resolves to a private address (${bad.address})`), []);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), []);
      callback(null, first.address, first.family);
    });
  };
  return {
    send(req) {
      const url = new URL(req.url);
      if (isIP(url.hostname.replace(/^\[|\]$/g, '')) && !opts.allowPrivate) {
        if (isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ''))) {
          return Promise.reject(new BlockedAddressError(`${url.hostname} is a private address`));
        }
      }
      const lib = url.protocol === 'https:' ? https : http;
      return new Promise<WebhookResponse>((resolve, reject) => {
        const r = lib.request(
          url,
          {
            method: req.method,
            headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
            lookup: guardedLookup as never,
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
