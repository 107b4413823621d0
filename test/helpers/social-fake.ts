import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A local stand-in for Meta's Graph API and X's API: records each request and answers
 * with what the test queued (status + JSON body in the provider's own format), or the
 * provider's success answer by default.
 */
export interface SocialFake {
  url: string;
  requests: FakeRequest[];
  /** The next answers, in order (then the default success). */
  answer(...replies: { status: number; body: unknown }[]): void;
  close(): Promise<void>;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => resolve(data));
  });

export async function startSocialFake(): Promise<SocialFake> {
  const requests: FakeRequest[] = [];
  const queued: { status: number; body: unknown }[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await read(req);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text || '{}');
    } catch {
      body = {};
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body });
    const next = queued.shift();
    let answer: { status: number; body: unknown };
    if (next) answer = next;
    else if (path.endsWith('/me/messages'))
      answer = {
        status: 200,
        body: { recipient_id: (body.recipient as { id: string })?.id, message_id: `m_${requests.length}` },
      };
    else if (path.startsWith('/2/'))
      answer = { status: 201, body: { data: { dm_event_id: `${requests.length}`, id: `${requests.length}` } } };
    else answer = { status: 200, body: { id: `reply_${requests.length}` } };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (...replies) => queued.push(...replies),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
