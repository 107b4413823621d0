import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import type { LightMyRequestResponse } from 'fastify';
import callsCreate from '../fixtures/twilio/calls-create-response.json';
import recordingFetch from '../fixtures/twilio/recording-fetch-response.json';
import voiceFixture from '../fixtures/twilio/voice-request.json';
import type { HasApp } from './http';

/**
 * A local stand-in for Twilio, speaking its wire format: the form posts its voice and status
 * webhooks make (the parameters of test/fixtures/twilio/voice-request.json, recorded from
 * Twilio's documentation), signed with `X-Twilio-Signature` as Twilio signs them — computed
 * here independently of the server's code — and the TwiML answers parsed as Twilio reads
 * them, so a test can follow a call: the number rings, the caller presses a key on the
 * `<Gather>` the answer holds, hangs up, and the status callback follows.
 */

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
});

/** Twilio's signature of a request: the URL, then each parameter name and value sorted by name; HMAC-SHA1, base64. */
export function signLikeTwilio(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}

/** Posts a webhook as Twilio does: form-encoded, signed over the absolute URL and the parameters. */
export async function postAsTwilio(
  authToken: string,
  url: string,
  params: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signLikeTwilio(authToken, url, params),
    },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: await res.text() };
}

export const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;
export const newAccountSid = () => `AC${randomBytes(16).toString('hex')}`;

export interface TwimlAnswer {
  res: LightMyRequestResponse;
  /** The parsed `<Response>` (verbs by name). */
  response: Record<string, any>;
  /** The `<Gather>` action URL, when the answer asks for a key. */
  gatherAction?: string;
  /** The `<Redirect>` URL (where Twilio goes when the gather times out). */
  redirect?: string;
  /** An action URL of `<Record>` or `<Enqueue>`. */
  recordAction?: string;
  enqueueAction?: string;
  /** The `<Enqueue>`'s waitUrl (asked while the caller waits). */
  waitUrl?: string;
}

export function readTwiml(res: LightMyRequestResponse): TwimlAnswer {
  const doc = parser.parse(res.body) as { Response?: Record<string, any> };
  const response = doc.Response ?? {};
  return {
    res,
    response,
    gatherAction: response.Gather?.['@_action'],
    redirect: typeof response.Redirect === 'string' ? response.Redirect : response.Redirect?.['#text'],
    recordAction: response.Record?.['@_action'],
    enqueueAction: response.Enqueue?.['@_action'],
    waitUrl: response.Enqueue?.['@_waitUrl'],
  };
}

/** Posts a signed Twilio webhook to an absolute URL of the app (`signature: null` leaves the header out). */
export async function postLikeTwilio(
  t: HasApp,
  authToken: string,
  url: string,
  params: Record<string, string>,
  opts: { signature?: string | null } = {},
): Promise<LightMyRequestResponse> {
  const u = new URL(url);
  const signature = opts.signature === undefined ? signLikeTwilio(authToken, url, params) : opts.signature;
  return t.app.inject({
    method: 'POST',
    url: u.pathname + u.search,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    payload: new URLSearchParams(params).toString(),
  });
}

/** One phone call into a number, as Twilio drives it. */
export class FakeTwilioCall {
  readonly sid = newCallSid();
  readonly params: Record<string, string>;
  last?: TwimlAnswer;

  constructor(
    private readonly t: HasApp,
    private readonly number: { voiceUrl: string; statusCallbackUrl: string; phoneNumber: string },
    private readonly account: { sid: string; authToken: string },
    from: string,
  ) {
    this.params = {
      ...voiceFixture.params,
      AccountSid: account.sid,
      CallSid: this.sid,
      From: from,
      Caller: from,
      To: number.phoneNumber,
      Called: number.phoneNumber,
    };
  }

  /** The last answer that put the caller in a queue. */
  enqueued?: TwimlAnswer;

  private async post(url: string, extra: Record<string, string>): Promise<TwimlAnswer> {
    const res = await postLikeTwilio(this.t, this.account.authToken, url, { ...this.params, ...extra });
    this.last = readTwiml(res);
    if (this.last.enqueueAction) this.enqueued = this.last;
    return this.last;
  }

  /** The call reaches the number: Twilio asks the voice URL. */
  ring() {
    return this.post(this.number.voiceUrl, { CallStatus: 'ringing' });
  }

  /** The caller presses `digits` on the last `<Gather>`. */
  press(digits: string) {
    const action = this.last?.gatherAction;
    if (!action) throw new Error(`no <Gather> in the last answer: ${this.last?.res.body}`);
    return this.post(action, { ...voiceFixture.gather.params, CallStatus: 'in-progress', Digits: digits });
  }

  /** The caller presses nothing: Twilio goes on to the `<Redirect>` after the `<Gather>`. */
  silence() {
    const url = this.last?.redirect;
    if (!url) throw new Error(`no <Redirect> in the last answer: ${this.last?.res.body}`);
    return this.post(url, { CallStatus: 'in-progress' });
  }

  /** The caller leaves a message on the last `<Record>`. */
  leaveMessage(recordingUrl: string, seconds: number, recordingSid?: string) {
    const url = this.last?.recordAction;
    if (!url) throw new Error(`no <Record> in the last answer: ${this.last?.res.body}`);
    return this.post(url, {
      ...voiceFixture.record.params,
      CallStatus: 'in-progress',
      RecordingUrl: recordingUrl,
      RecordingDuration: String(seconds),
      ...(recordingSid ? { RecordingSid: recordingSid } : {}),
    });
  }

  /** The caller has waited `seconds` in the queue of the last `<Enqueue>`: Twilio asks its waitUrl. */
  async waitInQueue(seconds: number): Promise<TwimlAnswer> {
    const url = this.enqueued?.waitUrl;
    if (!url) throw new Error(`no <Enqueue waitUrl> in the last answer: ${this.last?.res.body}`);
    const res = await postLikeTwilio(this.t, this.account.authToken, url, {
      ...this.params,
      ...voiceFixture.enqueueWait.params,
      CallStatus: 'in-progress',
      QueueTime: String(seconds),
    });
    return readTwiml(res);
  }

  /** The caller leaves the queue (`QueueResult`: leave after a `<Leave/>`, hangup…): Twilio posts the `<Enqueue>` action. */
  leaveQueue(result: string, seconds: number) {
    const url = this.enqueued?.enqueueAction;
    if (!url) throw new Error(`no <Enqueue> in the last answer: ${this.last?.res.body}`);
    return this.post(url, {
      ...voiceFixture.enqueueAction.params,
      CallStatus: 'in-progress',
      QueueResult: result,
      QueueTime: String(seconds),
    });
  }

  /** The call ends: Twilio posts the status callback. */
  hangUp(durationSeconds: number) {
    return postLikeTwilio(this.t, this.account.authToken, this.number.statusCallbackUrl, {
      ...this.params,
      ...voiceFixture.status.params,
      CallStatus: 'completed',
      CallDuration: String(durationSeconds),
    });
  }
}

/**
 * Twilio's REST API on a local port: creating calls (`POST /2010-04-01/Accounts/{sid}/Calls.json`,
 * answering the documented 201 body, test/fixtures/twilio/calls-create-response.json, with a fresh
 * sid) and fetching recordings (`GET …/Recordings/{Sid}.json`, the documented body of
 * recording-fetch-response.json with the recording's status and duration, and `GET …/Recordings/{Sid}.mp3`,
 * its audio/mpeg media; an unknown sid is Twilio's 404). Checks Basic auth and records each request.
 */
export class FakeTwilioRest {
  readonly requests: { method: string; path: string; authorization: string; form: URLSearchParams }[] = [];
  /** Recordings the account holds, by RecordingSid: `processing` until a test finishes them. */
  readonly recordings = new Map<string, { callSid: string; status: string; duration: number; media: Buffer }>();
  private server?: Server;
  failWith?: { status: number; body: unknown };

  /**
   * One account's credentials, or `any`: every account's request is taken, Basic auth naming the
   * account of the URL (the browser suite's shared server, where each file has its own account).
   */
  constructor(private readonly account: { sid: string; authToken: string } | 'any') {}

  async start(): Promise<string> {
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const authorization = String(req.headers.authorization ?? '');
        this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '', authorization, form });
        const urlSid = /\/Accounts\/(AC\w+)\//.exec(req.url ?? '')?.[1] ?? '';
        const accountSid = this.account === 'any' ? urlSid : this.account.sid;
        const authorized =
          this.account === 'any'
            ? Buffer.from(authorization.replace(/^Basic /, ''), 'base64')
                .toString()
                .startsWith(`${urlSid}:`)
            : authorization ===
              `Basic ${Buffer.from(`${this.account.sid}:${this.account.authToken}`).toString('base64')}`;
        res.setHeader('content-type', 'application/json');
        if (!authorized) {
          res.statusCode = 401;
          res.end(
            JSON.stringify({
              code: 20003,
              message: 'Authenticate',
              more_info: 'https://www.twilio.com/docs/errors/20003',
              status: 401,
            }),
          );
          return;
        }
        const rec = /\/2010-04-01\/Accounts\/(AC\w+)\/Recordings\/(RE\w+)\.(json|mp3)$/.exec(req.url ?? '');
        if (req.method === 'GET' && rec) {
          const found = rec[1] === accountSid ? this.recordings.get(rec[2] as string) : undefined;
          if (!found) {
            res.statusCode = recordingFetch.notFound.status;
            res.end(JSON.stringify(recordingFetch.notFound.body));
          } else if (rec[3] === 'mp3') {
            res.setHeader('content-type', 'audio/mpeg');
            res.end(found.media);
          } else {
            res.statusCode = recordingFetch.status;
            res.end(
              JSON.stringify({
                ...recordingFetch.body,
                account_sid: accountSid,
                call_sid: found.callSid,
                sid: rec[2],
                status: found.status,
                duration: found.status === 'completed' ? String(found.duration) : null,
                uri: `/2010-04-01/Accounts/${accountSid}/Recordings/${rec[2]}.json`,
              }),
            );
          }
          return;
        }
        if (this.failWith) {
          res.statusCode = this.failWith.status;
          res.end(JSON.stringify(this.failWith.body));
          return;
        }
        const sid = newCallSid();
        res.statusCode = callsCreate.status;
        res.end(
          JSON.stringify({
            ...callsCreate.body,
            account_sid: accountSid,
            sid,
            from: form.get('From'),
            to: form.get('To'),
            uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
          }),
        );
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
