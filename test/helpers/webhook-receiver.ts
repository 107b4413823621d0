import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; createdAt: string; workspaceId: string; data: Record<string, unknown> };
  at: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Decides each answer (default 200 "ok"). */
  respond: (req: ReceivedWebhook) => { status: number; body?: string; headers?: Record<string, string> };
  /** Resolves when at least `n` requests have arrived. */
  waitFor(n: number, ms?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A real HTTP server on loopback that records every webhook request it receives. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    respond: () => ({ status: 200, body: 'ok' }),
    async waitFor(n, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (receiver.received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} webhooks, got ${receiver.received.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return receiver.received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      let json: ReceivedWebhook['json'];
      try {
        json = JSON.parse(body);
      } catch {
        json = {} as ReceivedWebhook['json'];
      }
      const got: ReceivedWebhook = { path: req.url ?? '/', headers: req.headers, body, json, at: Date.now() };
      receiver.received.push(got);
      const answer = receiver.respond(got);
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}
