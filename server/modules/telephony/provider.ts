/**
 * What Rapport asks of a telephony provider beyond its webhooks: placing a call. Twilio's
 * adapter speaks its REST API; another provider (an Asterisk ARI adapter, a SIP trunk's
 * API) implements the same interface, and its webhooks get routes of their own.
 */
export interface PlaceCall {
  accountSid: string;
  authToken: string;
  /** The workspace number the call comes from (caller id). */
  from: string;
  /** Who rings first (the agent's phone). */
  to: string;
  /** The voice webhook the provider asks for TwiML once `to` answers. */
  url: string;
  statusCallback: string;
}

/** A recording the provider holds (Twilio: a RecordingSid of the account). */
export interface RecordingRef {
  accountSid: string;
  authToken: string;
  recordingSid: string;
}

/** The provider said no (`status` is its HTTP status: 404 a recording that is gone, 401 a wrong token). */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface TelephonyProvider {
  placeCall(call: PlaceCall): Promise<{ sid: string; status: string }>;
  /**
   * A recording's media once the provider has finished it (`status` completed); before that
   * (processing) no bytes, and the caller asks again later.
   */
  fetchRecording(ref: RecordingRef): Promise<{ status: string; bytes?: Buffer; durationSeconds: number | null }>;
}

/**
 * Twilio's REST API: `POST /2010-04-01/Accounts/{AccountSid}/Calls.json`, form-encoded,
 * HTTP Basic with the Account SID and auth token; answers 201 with the call resource
 * (`sid`, `status`…) or an error object (`code`, `message`, `more_info`, `status`).
 * https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource
 */
export class TwilioProvider implements TelephonyProvider {
  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private auth(accountSid: string, authToken: string) {
    return `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  }

  private recordingUrl(ref: RecordingRef, ext: 'json' | 'mp3') {
    return `${this.apiUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(ref.accountSid)}/Recordings/${encodeURIComponent(ref.recordingSid)}.${ext}`;
  }

  /**
   * Twilio's Recording resource: `GET …/Recordings/{Sid}.json` (status, duration), then the
   * media, `GET …/Recordings/{Sid}.mp3` (audio/mpeg), both with HTTP Basic. The address is
   * built from the configured API URL and the ids, never taken from a webhook's RecordingUrl.
   * https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-resource
   */
  async fetchRecording(ref: RecordingRef): Promise<{ status: string; bytes?: Buffer; durationSeconds: number | null }> {
    const headers = { authorization: this.auth(ref.accountSid, ref.authToken) };
    const meta = await fetch(this.recordingUrl(ref, 'json'), {
      headers: { ...headers, accept: 'application/json' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const json = (await meta.json().catch(() => ({}))) as {
      status?: string;
      duration?: string | null;
      message?: string;
    };
    if (!meta.ok)
      throw new ProviderError(
        `Twilio answered ${meta.status}${json.message ? `: ${json.message.slice(0, 200)}` : ''}`,
        meta.status,
      );
    const seconds = Number.parseInt(json.duration ?? '', 10);
    const durationSeconds = Number.isFinite(seconds) ? seconds : null;
    const status = String(json.status ?? '');
    if (status !== 'completed') return { status, durationSeconds };
    const media = await fetch(this.recordingUrl(ref, 'mp3'), {
      headers,
      signal: AbortSignal.timeout(this.timeoutMs * 6),
    });
    if (!media.ok) throw new ProviderError(`Twilio answered ${media.status} for the recording's media`, media.status);
    return { status, durationSeconds, bytes: Buffer.from(await media.arrayBuffer()) };
  }

  async placeCall(call: PlaceCall): Promise<{ sid: string; status: string }> {
    const body = new URLSearchParams({
      To: call.to,
      From: call.from,
      Url: call.url,
      Method: 'POST',
      StatusCallback: call.statusCallback,
      StatusCallbackMethod: 'POST',
    });
    for (const e of ['initiated', 'ringing', 'answered', 'completed']) body.append('StatusCallbackEvent', e);
    const res = await fetch(
      `${this.apiUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(call.accountSid)}/Calls.json`,
      {
        method: 'POST',
        headers: {
          authorization: this.auth(call.accountSid, call.authToken),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      },
    );
    const json = (await res.json().catch(() => ({}))) as {
      sid?: string;
      status?: string;
      message?: string;
      code?: number;
    };
    if (res.status !== 201 || typeof json.sid !== 'string') {
      throw new Error(`Twilio answered ${res.status}${json.message ? `: ${json.message.slice(0, 200)}` : ''}`);
    }
    return { sid: json.sid, status: json.status ?? 'queued' };
  }
}
