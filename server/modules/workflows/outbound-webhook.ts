import { isIP } from 'node:net';
import { SendError, sendOutbound } from '../../platform/webhooks/sender';
import { blockedReason } from '../../platform/webhooks/ssrf-guard';

export { SendError };

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
  /** A short, sanitised excerpt of a public receiver's answer; null from a private one. */
  excerpt: string | null;
}

/** Sends one webhook request; the step runner decides what a status means. */
export interface WebhookSender {
  send(req: WebhookRequest): Promise<WebhookResponse>;
}

/**
 * Outbound HTTP for workflow webhooks, through the platform's one guarded sender
 * (platform/webhooks/sender.ts), the same as subscription webhooks: the address is
 * checked at connection time, redirects are not followed, only a short excerpt of a
 * public receiver's answer comes back and failures read the same whatever the
 * cause. `allowPrivate` is the operator's RAPPORT_WEBHOOKS_ALLOW_PRIVATE.
 */
export function httpWebhookSender(opts: { allowPrivate?: boolean } = {}): WebhookSender {
  return {
    async send(req) {
      const res = await sendOutbound({
        url: req.url,
        method: req.method,
        headers: req.headers,
        body: req.body,
        allowPrivateNetwork: opts.allowPrivate ?? false,
        timeoutMs: req.timeoutMs ?? 10_000,
      });
      return { status: res.statusCode, excerpt: res.excerpt };
    },
  };
}
