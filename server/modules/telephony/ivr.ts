import type { TIvrDefinition, TIvrNode, TIvrStep } from '../../../common/contracts/telephony';
import { dial, enqueue, gather, hangup, leave, pause, prompt, record, redirect, say } from './twiml';

/**
 * The IVR interpreter: from a node of a flow, the TwiML verbs up to the next point where
 * the caller must answer (a menu), or the end of the flow's part (queue, voicemail,
 * transfer, hang-up), and the steps taken. Branches (business hours, caller lookup) and
 * greetings run in the same answer. Each URL the provider comes back to names the node,
 * the attempt and the flow version, so a call keeps the version it started with.
 */

export interface IvrContext {
  /** Where the provider posts the next request for `node` (`query` added to the voice URL). */
  url(query: Record<string, string>): string;
  /** The flow version the call runs. */
  version: number;
  now: Date;
  /** Whether a business calendar is open now (no calendar: always). */
  isOpen(calendarId: string | undefined): Promise<boolean>;
  /** The caller as found by number. */
  caller(): Promise<{ firstName: string | null; name: string } | null>;
  /** The signed URL of an uploaded audio file, for `<Play>`. */
  audioUrl?(id: string): string;
  /** Callers waiting in `queue` now (no agent yet, not ended), this call left out. */
  waiting?(queue: string): Promise<number>;
  /** An available agent for the queue (longest idle), now busy on this call; null: the caller waits in the queue. */
  route?(queue: string): Promise<{ userId: string; phone: string } | null>;
  /**
   * VIP routing of a lookup node: null when the caller is not a VIP (no record with the tag and an
   * owner); else their owner, now busy on this call when available (`agent`), or not (`agent: null`).
   */
  vip?(tag: string): Promise<{ ownerId: string; agent: { userId: string; phone: string } | null } | null>;
  /** The value a self-service answer node says (formatted for speech), or null when none is found. */
  answer?(node: AnswerNode): Promise<string | null>;
}

export type AnswerNode = Extract<TIvrNode, { kind: 'answer' }>;

export interface IvrOutcome {
  verbs: string[];
  steps: TIvrStep[];
  /** The queue the caller was put in. */
  queue?: string;
  /** The agent the call was routed to. */
  agentId?: string;
  /** The agent the call was routed to did not answer: they are released and the call has no agent again. */
  unrouted?: boolean;
}

const NUMBER_WORDS: Record<string, string> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

/** The key a caller chose: `Digits`, or a digit or number word in `SpeechResult`. */
export function chosenKey(params: Record<string, string>): string | undefined {
  const d = params.Digits?.trim();
  if (d) return d.slice(0, 1);
  const speech = params.SpeechResult?.toLowerCase() ?? '';
  const m = speech.match(/[0-9]|zero|one|two|three|four|five|six|seven|eight|nine/);
  return m ? (NUMBER_WORDS[m[0]] ?? m[0]) : undefined;
}

function nodeOf(def: TIvrDefinition, id: string): TIvrNode | undefined {
  return def.nodes.find((n) => n.id === id);
}

export interface ResumeOutcome extends IvrOutcome {
  /** A voicemail left at `voicemail`. */
  recording?: { url: string; seconds: number | null; sid?: string };
  voicemail?: TIvrNode;
}

/** Runs the flow from `start` until the caller must act or the flow ends. */
export async function runFrom(def: TIvrDefinition, start: string, ctx: IvrContext): Promise<IvrOutcome> {
  const out: IvrOutcome = { verbs: [], steps: [] };
  const step = (node: TIvrNode, extra: Partial<TIvrStep> = {}) =>
    out.steps.push({ node: node.id, kind: node.kind, flowVersion: ctx.version, at: ctx.now.toISOString(), ...extra });
  let id: string | undefined = start;
  // A flow is checked for dangling ids when saved; a loop of branches without a menu is cut here.
  for (let hops = 0; hops < 50 && id; hops++) {
    const node = nodeOf(def, id);
    if (!node) break;
    step(node);
    switch (node.kind) {
      case 'greeting':
        out.verbs.push(prompt(node.prompt, ctx.audioUrl));
        id = node.next;
        continue;
      case 'hours':
        id = (await ctx.isOpen(node.calendarId)) ? node.open : node.closed;
        continue;
      case 'lookup': {
        const who = await ctx.caller();
        if (who) out.verbs.push(say(node.greeting.replaceAll('{{name}}', who.firstName ?? who.name), node.language));
        const vip = node.vipTag && ctx.vip ? await ctx.vip(node.vipTag) : null;
        if (vip?.agent) {
          // Straight to the account owner's phone; not answered: on to `known` (the queue).
          out.verbs.push(dial(vip.agent.phone, ctx.url({ node: node.id, step: 'owner', v: String(ctx.version) })));
          out.agentId = vip.agent.userId;
          step(node, { kind: 'vip-owner' });
          return out;
        }
        if (vip) step(node, { kind: 'vip-owner-unavailable' });
        id = who || vip ? node.known : node.unknown;
        continue;
      }
      case 'answer': {
        const value = ctx.answer ? await ctx.answer(node) : null;
        const who = value === null ? null : await ctx.caller();
        const text =
          value === null
            ? node.missing
            : node.say.replaceAll('{{value}}', value).replaceAll('{{name}}', who?.firstName ?? who?.name ?? '');
        out.verbs.push(say(text.replace(/\s+/g, ' ').trim(), node.language));
        step(node, { kind: value === null ? 'answer-missing' : 'answered' });
        id = node.next;
        continue;
      }
      case 'menu':
        out.verbs.push(...menuVerbs(node, 1, ctx));
        return out;
      case 'queue': {
        if (node.prompt) out.verbs.push(prompt(node.prompt, ctx.audioUrl));
        out.queue = node.queue;
        const agent = ctx.route ? await ctx.route(node.queue) : null;
        if (agent) {
          // Straight to the longest-idle agent's phone; not answered: the queue.
          out.verbs.push(dial(agent.phone, ctx.url({ node: node.id, step: 'agent', v: String(ctx.version) })));
          out.agentId = agent.userId;
          step(node, { kind: 'agent' });
          return out;
        }
        if (
          node.overflow &&
          node.maxSize !== undefined &&
          ctx.waiting &&
          (await ctx.waiting(node.queue)) >= node.maxSize
        ) {
          // Full: the overflow (another queue, voicemail…) at once.
          step(node, { kind: 'overflow', digits: 'full' });
          delete out.queue;
          id = node.overflow;
          continue;
        }
        out.verbs.push(enqueueVerb(node, ctx));
        return out;
      }
      case 'voicemail':
        out.verbs.push(
          prompt(node.prompt, ctx.audioUrl),
          record(ctx.url({ node: node.id, step: 'recorded', v: String(ctx.version) }), node.maxLengthSeconds),
        );
        return out;
      case 'transfer':
        if (node.prompt) out.verbs.push(prompt(node.prompt, ctx.audioUrl));
        out.verbs.push(dial(node.number));
        return out;
      case 'hangup':
        if (node.prompt) out.verbs.push(prompt(node.prompt, ctx.audioUrl));
        out.verbs.push(hangup());
        return out;
    }
  }
  out.verbs.push(say('Goodbye.'), hangup());
  return out;
}

type QueueNode = Extract<TIvrNode, { kind: 'queue' }>;

/**
 * `<Enqueue>` of a queue node. With a maximum wait or a hold prompt, Twilio asks the wait URL
 * (again each time its answer has played), which plays the hold prompt and says when to leave;
 * with neither, Twilio plays its own hold music.
 */
function enqueueVerb(node: QueueNode, ctx: IvrContext): string {
  const v = String(ctx.version);
  const waitUrl =
    (node.maxWaitSeconds && node.overflow) || node.hold ? ctx.url({ node: node.id, step: 'wait', v }) : undefined;
  return enqueue(node.queue, ctx.url({ node: node.id, step: 'left', v }), waitUrl);
}

function menuVerbs(node: Extract<TIvrNode, { kind: 'menu' }>, attempt: number, ctx: IvrContext): string[] {
  const action = ctx.url({ node: node.id, attempt: String(attempt), v: String(ctx.version) });
  // No key before the timeout: Twilio goes on to the next verb, which comes back without Digits (a retry).
  return [
    gather({ action, timeout: node.timeoutSeconds, speech: node.speech, inner: prompt(node.prompt, ctx.audioUrl) }),
    redirect(action),
  ];
}

/**
 * A request coming back to `nodeId`: a menu's answer (a key, or none: retry, then the
 * default), a finished voicemail recording, or a caller leaving a queue.
 */
export async function resume(
  def: TIvrDefinition,
  nodeId: string,
  params: Record<string, string>,
  query: { attempt?: string; step?: string },
  ctx: IvrContext,
): Promise<ResumeOutcome> {
  const node = nodeOf(def, nodeId);
  if (!node) return runFrom(def, def.start, ctx);
  const at = ctx.now.toISOString();
  if (node.kind === 'menu') {
    const key = chosenKey(params);
    const target = key ? node.options[key] : undefined;
    const answered: TIvrStep = { node: node.id, kind: 'input', digits: key ?? '', flowVersion: ctx.version, at };
    if (target) {
      const next = await runFrom(def, target, ctx);
      return { ...next, steps: [answered, ...next.steps] };
    }
    const attempt = Math.max(1, Number.parseInt(query.attempt ?? '1', 10) || 1);
    if (attempt <= node.retries) {
      return {
        verbs: [
          say(key ? 'Sorry, that is not an option.' : 'Sorry, I did not get that.'),
          ...menuVerbs(node, attempt + 1, ctx),
        ],
        steps: [answered],
      };
    }
    const next = await runFrom(def, node.default, ctx);
    return { ...next, steps: [answered, ...next.steps] };
  }
  if (node.kind === 'voicemail' && query.step === 'recorded') {
    const url = params.RecordingUrl;
    const seconds = Number.parseInt(params.RecordingDuration ?? '', 10);
    return {
      verbs: [say('Thank you. Goodbye.'), hangup()],
      steps: [{ node: node.id, kind: 'recorded', flowVersion: ctx.version, at }],
      recording:
        url && /^https:\/\//.test(url)
          ? {
              url,
              seconds: Number.isFinite(seconds) ? seconds : null,
              sid: /^RE[0-9a-f]{32}$/i.test(params.RecordingSid ?? '') ? params.RecordingSid : undefined,
            }
          : undefined,
      voicemail: node,
    };
  }
  if (node.kind === 'queue' && query.step === 'agent') {
    const status = params.DialCallStatus ?? '';
    const step: TIvrStep = {
      node: node.id,
      kind: 'agent-result',
      digits: status.slice(0, 20),
      flowVersion: ctx.version,
      at,
    };
    if (status === 'completed' || status === 'answered') return { verbs: [hangup()], steps: [step] };
    return { verbs: [enqueueVerb(node, ctx)], steps: [step], queue: node.queue, unrouted: true };
  }
  if (node.kind === 'lookup' && query.step === 'owner') {
    // The VIP's owner was dialled: answered, the call is over when the <Dial> ends; else the queue.
    const status = params.DialCallStatus ?? '';
    const result: TIvrStep = {
      node: node.id,
      kind: 'owner-result',
      digits: status.slice(0, 20),
      flowVersion: ctx.version,
      at,
    };
    if (status === 'completed' || status === 'answered') return { verbs: [hangup()], steps: [result] };
    const next = await runFrom(def, node.known, ctx);
    return { ...next, steps: [result, ...next.steps], unrouted: true };
  }
  if (node.kind === 'queue' && query.step === 'wait') {
    // Twilio's wait URL, asked again each time its answer has played: QueueTime is the wait so far.
    const waited = Number.parseInt(params.QueueTime ?? '', 10);
    const max = node.overflow ? (node.maxWaitSeconds ?? 0) : 0;
    if (max && Number.isFinite(waited) && waited >= max) return { verbs: [leave()], steps: [] };
    // No limit: the hold prompt (music, a message) again and again, until an agent takes the call.
    if (!max) return { verbs: node.hold ? [prompt(node.hold, ctx.audioUrl)] : [pause(20)], steps: [] };
    const left = Math.max(1, Math.min(20, max - (Number.isFinite(waited) ? waited : 0)));
    return { verbs: [...(node.hold ? [prompt(node.hold, ctx.audioUrl)] : []), pause(left)], steps: [] };
  }
  if (node.kind === 'queue' && query.step === 'left') {
    const result = params.QueueResult?.slice(0, 20);
    const dequeued: TIvrStep = { node: node.id, kind: 'dequeued', digits: result, flowVersion: ctx.version, at };
    if (result === 'leave' && node.overflow) {
      // Waited too long: the overflow.
      const next = await runFrom(def, node.overflow, ctx);
      return {
        ...next,
        steps: [
          dequeued,
          { node: node.id, kind: 'overflow', digits: 'wait', flowVersion: ctx.version, at },
          ...next.steps,
        ],
      };
    }
    return { verbs: [hangup()], steps: [dequeued] };
  }
  return runFrom(def, node.id, ctx);
}

/** The flow new numbers answer with: a greeting, business hours, a caller lookup and a menu. */
export const DEFAULT_FLOW: TIvrDefinition = {
  start: 'welcome',
  nodes: [
    {
      id: 'welcome',
      kind: 'greeting',
      prompt: { say: 'Thank you for calling. This call may be recorded.', language: 'en-US' },
      next: 'hours',
    },
    { id: 'hours', kind: 'hours', open: 'lookup', closed: 'closed' },
    { id: 'lookup', kind: 'lookup', greeting: 'Hello {{name}}.', language: 'en-US', known: 'menu', unknown: 'menu' },
    {
      id: 'menu',
      kind: 'menu',
      prompt: {
        say: 'For sales, press 1. For support, press 2. To leave a message, press 3.',
        language: 'en-US',
      },
      options: { '1': 'sales', '2': 'support', '3': 'voicemail' },
      retries: 2,
      timeoutSeconds: 5,
      default: 'support',
    },
    {
      id: 'sales',
      kind: 'queue',
      queue: 'sales',
      prompt: { say: 'Connecting you to sales.', language: 'en-US' },
      script:
        'Thank the caller by name. Ask what they are looking for and by when. Check their open opportunities before quoting.',
    },
    {
      id: 'support',
      kind: 'queue',
      queue: 'support',
      prompt: { say: 'Connecting you to support.', language: 'en-US' },
      script:
        'Greet the caller by name. Check their open tickets first. Ask for the order number, then what went wrong.',
    },
    {
      id: 'voicemail',
      kind: 'voicemail',
      prompt: { say: 'Please leave a message after the tone, then press the hash key.', language: 'en-US' },
      maxLengthSeconds: 120,
      creates: 'ticket',
    },
    {
      id: 'closed',
      kind: 'voicemail',
      prompt: { say: 'We are closed right now. Please leave a message after the tone.', language: 'en-US' },
      maxLengthSeconds: 120,
      creates: 'ticket',
    },
  ],
};
