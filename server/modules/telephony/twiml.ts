import type { TPrompt } from '../../../common/contracts/telephony';

/**
 * TwiML (https://www.twilio.com/docs/voice/twiml): the XML a voice webhook answers with.
 * Verbs are built as escaped strings; `twiml()` wraps them in `<Response>`.
 */

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

function attrs(a: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

export const twiml = (...verbs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.join('')}</Response>`;

export const say = (text: string, language?: string) => `<Say${attrs({ language })}>${escapeXml(text)}</Say>`;
export const play = (url: string) => `<Play>${escapeXml(url)}</Play>`;
/** A prompt as TwiML; an uploaded file (`audioId`) is played from the URL `audioUrl` signs for it. */
export function prompt(p: TPrompt, audioUrl?: (id: string) => string): string {
  if (p.audioId) return audioUrl ? play(audioUrl(p.audioId)) : '';
  return p.playUrl ? play(p.playUrl) : say(p.say ?? '', p.language);
}
export const hangup = () => '<Hangup/>';
export const redirect = (url: string) => `<Redirect method="POST">${escapeXml(url)}</Redirect>`;

export function gather(opts: { action: string; timeout: number; speech?: boolean; inner: string }): string {
  return `<Gather${attrs({
    input: opts.speech ? 'dtmf speech' : 'dtmf',
    numDigits: 1,
    timeout: opts.timeout,
    action: opts.action,
    method: 'POST',
  })}>${opts.inner}</Gather>`;
}

/** `<Enqueue>`; with `waitUrl`, Twilio asks it for what the caller hears while waiting (and may get `<Leave/>`). */
export const enqueue = (queue: string, action: string, waitUrl?: string) =>
  `<Enqueue${attrs({ action, method: 'POST', waitUrl, waitUrlMethod: waitUrl ? 'POST' : undefined })}>${escapeXml(queue)}</Enqueue>`;

/** Takes the caller out of the queue (in a waitUrl answer): Twilio goes on to the `<Enqueue>` action with QueueResult=leave. */
export const leave = () => '<Leave/>';
export const pause = (seconds: number) => `<Pause${attrs({ length: seconds })}/>`;

export const record = (action: string, maxLength: number) =>
  `<Record${attrs({ action, method: 'POST', maxLength, playBeep: true, finishOnKey: '#' })}/>`;

export const dial = (number: string, action?: string) =>
  `<Dial${attrs({ action, method: action ? 'POST' : undefined })}>${escapeXml(number)}</Dial>`;

/** What callers hear when anything goes wrong: never an error status to the provider. */
export const APOLOGY = twiml(say('Sorry, we cannot take your call right now. Please try again later.'), hangup());
