import { WebSocket } from 'ws';

export type Frame = Record<string, any>;

/** A chat WebSocket (visitor or agent) with its received frames; `next(type)` waits for the next one of a type. */
export interface ChatSocket {
  socket: WebSocket;
  got: Frame[];
  next(type: string, match?: (f: Frame) => boolean, ms?: number): Promise<Frame>;
  send(frame: Frame): void;
  close(): void;
}

/** Opens a real WebSocket to a listening app; resolves once open, rejects when refused (with the status). */
export function openChatSocket(url: string, headers: Record<string, string> = {}): Promise<ChatSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const got: Frame[] = [];
    socket.on('message', (d) => got.push(JSON.parse(String(d))));
    const chat: ChatSocket = {
      socket,
      got,
      async next(type, match = () => true, ms = 30_000) {
        const deadline = Date.now() + ms;
        for (;;) {
          const i = got.findIndex((f) => f.type === type && match(f));
          if (i >= 0) return got.splice(i, 1)[0] as Frame;
          if (Date.now() > deadline) throw new Error(`no "${type}" frame within ${ms} ms (got ${JSON.stringify(got)})`);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      send: (frame) => socket.send(JSON.stringify(frame)),
      close: () => socket.close(),
    };
    socket.once('open', () => resolve(chat));
    socket.once('unexpected-response', (req, res) => {
      req.destroy(); // else the refused connection stays open and the server cannot close
      reject(new Error(`refused with ${res.statusCode}`));
    });
    socket.once('error', reject);
  });
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
