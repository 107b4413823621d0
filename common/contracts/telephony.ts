import { z } from 'zod';
import { FilterTreeInput } from '../filter';

/**
 * Request and response contracts of the contact centre (server/modules/telephony): the
 * workspace's phone numbers (`/api/v1/telephony/numbers`), IVR flows
 * (`/api/v1/telephony/flows`) and click-to-call (`/api/v1/calls/dial`). Calls themselves
 * are a record object (`/api/v1/calls`). The provider's webhooks speak the provider's own
 * wire format (Twilio: form posts in, TwiML out) and have no JSON contract.
 */

export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export const CALL_STATUSES = [
  'queued',
  'ringing',
  'in_progress',
  'completed',
  'busy',
  'no_answer',
  'failed',
  'canceled',
] as const;
export const CALL_DISPOSITIONS = [
  'resolved',
  'follow_up',
  'voicemail',
  'wrong_number',
  'no_answer',
  'sale',
  'complaint',
  'other',
] as const;
export const TELEPHONY_PROVIDERS = ['twilio'] as const;

const E164 = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in international E.164 format, e.g. +14155550100');

export const PhoneNumberCreateSchema = z
  .object({
    provider: z.enum(TELEPHONY_PROVIDERS).describe('The telephony provider; only twilio today'),
    phoneNumber: E164.describe('The number callers dial, E.164'),
    accountSid: z
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio Account SID: AC followed by 32 hexadecimal characters'),
    authToken: z
      .string()
      .trim()
      .min(16, 'must be the account’s auth token (at least 16 characters)')
      .max(128, 'must be at most 128 characters')
      .describe('The account’s auth token: stored encrypted, never returned'),
    name: z.string().trim().min(1).max(100).optional(),
    flowId: z.uuid().optional().describe('The IVR flow the number answers with; default: the workspace’s default flow'),
  })
  .strict();
export type TPhoneNumberCreate = z.infer<typeof PhoneNumberCreateSchema>;

export const PhoneNumberUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    flowId: z.uuid().optional(),
    authToken: PhoneNumberCreateSchema.shape.authToken.optional(),
  })
  .strict();

export const PhoneNumberSchema = z.object({
  id: z.string(),
  provider: z.enum(TELEPHONY_PROVIDERS),
  name: z.string(),
  phoneNumber: z.string(),
  accountSid: z.string(),
  flowId: z.string(),
  voiceUrl: z.string().describe('Where the provider posts incoming calls (Twilio: "A call comes in", HTTP POST)'),
  statusCallbackUrl: z
    .string()
    .describe('Where the provider posts call status changes (Twilio: "Call status changes")'),
  createdAt: z.string(),
});
export type TPhoneNumber = z.infer<typeof PhoneNumberSchema>;
export const PhoneNumberResponse = z.object({ data: PhoneNumberSchema });
export const PhoneNumberListResponse = z.object({ data: z.array(PhoneNumberSchema) });

/**
 * Text spoken with `<Say>` (language as BCP 47, e.g. en-GB), pre-recorded audio played with
 * `<Play>`: an uploaded file of the workspace (`audioId`, played from a signed, expiring URL), or
 * the address of a file elsewhere (`playUrl`).
 */
export const PromptSchema = z
  .object({
    say: z.string().trim().min(1).max(1000).optional(),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as en-GB')
      .optional(),
    audioId: z.uuid().optional().describe('An uploaded audio file (POST /api/v1/telephony/audio)'),
    playUrl: z.url().max(2000).optional(),
  })
  .strict()
  .refine((p) => [p.say, p.audioId, p.playUrl].filter(Boolean).length === 1, {
    message: 'give one of say (text), audioId (an uploaded file) or playUrl (audio elsewhere)',
  });
export type TPrompt = z.infer<typeof PromptSchema>;

const NodeId = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be a node id: lower-case letters, digits, - and _');

/** The steps of an IVR flow; each names the node that follows by id. */
export const IvrNodeSchema = z.discriminatedUnion('kind', [
  z
    .object({ id: NodeId, kind: z.literal('greeting'), prompt: PromptSchema, next: NodeId })
    .strict()
    .describe('Says or plays something, then goes on'),
  z
    .object({
      id: NodeId,
      kind: z.literal('menu'),
      prompt: PromptSchema,
      options: z.record(z.string().regex(/^[0-9*#]$/, 'must be one key: 0-9, * or #'), NodeId),
      speech: z.boolean().optional(),
      retries: z.number().int().min(0).max(5).default(2),
      timeoutSeconds: z.number().int().min(1).max(30).default(5),
      default: NodeId.describe('Where a caller goes after the retries without a valid key'),
    })
    .strict()
    .describe('Asks for a key (<Gather>), with retries and a default'),
  z
    .object({ id: NodeId, kind: z.literal('hours'), calendarId: z.uuid().optional(), open: NodeId, closed: NodeId })
    .strict()
    .describe('Branches on the business calendar (no calendar: always open)'),
  z
    .object({
      id: NodeId,
      kind: z.literal('lookup'),
      greeting: z
        .string()
        .max(300)
        .default('Hello {{name}}.')
        .describe('Said to a known caller; {{name}} is their first name'),
      language: z.string().optional(),
      known: NodeId,
      unknown: NodeId,
      vipTag: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .describe(
          'VIP routing: a caller whose account (or own contact or lead record) carries this tag and has an owner is put straight through to the owner’s phone (their agent desktop gets the screen-pop) when the owner is an available agent; otherwise, or when the owner does not answer, the call goes on to `known`',
        ),
    })
    .strict()
    .describe(
      'Finds the caller by number (contact, then lead) and greets them by name; optionally routes VIPs to their account owner',
    ),
  z
    .object({
      id: NodeId,
      kind: z.literal('answer'),
      object: z
        .string()
        .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, 'must be an object name, e.g. opportunities')
        .describe(
          'Where the answer is read: the caller’s own contact, lead or account, or the newest record of another object related to them (by its contact, account or lead field)',
        ),
      field: z.string().min(1).max(100).describe('The field said (a select says its option’s label)'),
      filter: FilterTreeInput.optional().describe('Which records of `object` count, e.g. open opportunities'),
      sort: z
        .string()
        .regex(/^-?[a-zA-Z][a-zA-Z0-9_]{0,62}$/, 'must be one field, - first for newest first')
        .default('-createdAt')
        .describe('Which record answers when several do (default: the newest)'),
      say: z
        .string()
        .trim()
        .min(1)
        .max(1000)
        .describe('Said when a value is found: {{value}} is the field, {{name}} the caller’s first name'),
      missing: z.string().trim().min(1).max(1000).describe('Said when the caller or the value is not found'),
      language: z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as en-GB')
        .optional(),
      next: NodeId,
    })
    .strict()
    .describe('Self-service: says a field of the caller’s record (an order’s status…) with <Say>, then goes on'),
  z
    .object({
      id: NodeId,
      kind: z.literal('queue'),
      queue: z.string().trim().min(1).max(100),
      prompt: PromptSchema.optional(),
      maxWaitSeconds: z
        .number()
        .int()
        .min(10)
        .max(3600)
        .optional()
        .describe('A caller waiting longer leaves the queue for `overflow`'),
      maxSize: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .optional()
        .describe('With this many callers already waiting, a new one goes to `overflow` at once'),
      overflow: NodeId.optional().describe(
        'Where callers go past maxWaitSeconds or maxSize: another queue, voicemail…',
      ),
      hold: PromptSchema.optional().describe(
        'Played while waiting, again each time it ends (hold music: an uploaded recording); default: Twilio’s hold music, or silence with maxWaitSeconds',
      ),
      script: z
        .string()
        .trim()
        .max(5000)
        .optional()
        .describe('The call script shown to the agent a call of this queue reaches (in the screen-pop)'),
    })
    .strict()
    .refine((n) => (n.maxWaitSeconds === undefined && n.maxSize === undefined) || n.overflow !== undefined, {
      message: 'give overflow (where callers go) with maxWaitSeconds or maxSize',
      path: ['overflow'],
    })
    .describe('Puts the caller in a queue (<Enqueue>), with overflow after a wait or past a size'),
  z
    .object({
      id: NodeId,
      kind: z.literal('voicemail'),
      prompt: PromptSchema,
      maxLengthSeconds: z.number().int().min(5).max(600).default(120),
      creates: z.enum(['ticket', 'task']).default('ticket'),
    })
    .strict()
    .describe('Records a message (<Record>), then makes a ticket or a task with the recording'),
  z
    .object({ id: NodeId, kind: z.literal('transfer'), number: E164, prompt: PromptSchema.optional() })
    .strict()
    .describe('Transfers to a number (<Dial>)'),
  z
    .object({ id: NodeId, kind: z.literal('hangup'), prompt: PromptSchema.optional() })
    .strict()
    .describe('Says goodbye and hangs up'),
]);
export type TIvrNode = z.infer<typeof IvrNodeSchema>;

export const IvrDefinitionSchema = z
  .object({ start: NodeId, nodes: z.array(IvrNodeSchema).min(1).max(100) })
  .strict()
  .superRefine((d, ctx) => {
    const ids = new Set<string>();
    d.nodes.forEach((n, i) => {
      if (ids.has(n.id)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `${n.id} is used twice` });
      ids.add(n.id);
    });
    const check = (target: string, path: (string | number)[]) => {
      if (!ids.has(target)) ctx.addIssue({ code: 'custom', path, message: `names no node: ${target}` });
    };
    check(d.start, ['start']);
    d.nodes.forEach((n, i) => {
      for (const key of ['next', 'default', 'open', 'closed', 'known', 'unknown', 'overflow'] as const) {
        const v = (n as Record<string, unknown>)[key];
        if (typeof v === 'string') check(v, ['nodes', i, key]);
      }
      if (n.kind === 'menu') for (const [k, v] of Object.entries(n.options)) check(v, ['nodes', i, 'options', k]);
    });
  });
export type TIvrDefinition = z.infer<typeof IvrDefinitionSchema>;

export const IvrFlowSaveSchema = z
  .object({ name: z.string().trim().min(1).max(100), definition: IvrDefinitionSchema })
  .strict();

export const IvrFlowSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int().describe('Each save is a new version; calls log the version they took'),
  definition: IvrDefinitionSchema,
  isDefault: z.boolean(),
  updatedAt: z.string(),
});
export type TIvrFlow = z.infer<typeof IvrFlowSchema>;
export const IvrFlowResponse = z.object({ data: IvrFlowSchema });
export const IvrFlowListResponse = z.object({ data: z.array(IvrFlowSchema) });

/** One step of the IVR path a call took, in `calls.ivrPath`. */
export const IvrStepSchema = z.object({
  node: z.string(),
  kind: z.string(),
  digits: z.string().optional(),
  flowVersion: z.number().int().optional(),
  at: z.string(),
});
export type TIvrStep = z.infer<typeof IvrStepSchema>;

/** An uploaded prompt (MP3 or WAV, sniffed from its bytes) and, for administrators, a signed URL to listen. */
export const AudioSchema = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.enum(['audio/mpeg', 'audio/wav']),
  size: z.number().int().describe('Bytes'),
  durationSeconds: z.number().describe('Counted from the file (MP3 frames, WAV data)'),
  url: z
    .string()
    .describe('A signed address of the file, valid for an hour (what the provider is given, fresh per call)'),
  createdAt: z.string(),
});
export type TAudio = z.infer<typeof AudioSchema>;
export const AudioResponse = z.object({ data: AudioSchema });
export const AudioListResponse = z.object({ data: z.array(AudioSchema) });
/** The text parts of an audio upload (multipart, beside the `file` part). */
export const AudioUploadFields = z
  .object({ name: z.string().trim().min(1).max(200).optional().describe('Default: the file name') })
  .strict();

export const DialSchema = z
  .object({
    to: E164.describe('The customer’s number'),
    agentPhone: E164.describe('The agent’s phone, which rings first'),
    numberId: z.uuid().optional().describe('The workspace number to call from; default: the first one'),
    contactId: z.uuid().optional(),
  })
  .strict();
export const DialResponse = z.object({
  data: z.object({ callId: z.string(), providerCallId: z.string(), status: z.string() }),
});

/**
 * The agent's wrap-up of a call (`POST /api/v1/calls/{id}/wrap-up`): the disposition and notes
 * on the call, and optionally a follow-up task on the caller's record; the agent is available again.
 */
export const WrapUpSchema = z
  .object({
    disposition: z.enum(CALL_DISPOSITIONS),
    notes: z.string().max(10_000).optional(),
    followUp: z
      .object({
        title: z.string().trim().min(1).max(300),
        dueAt: z.iso.datetime({ offset: true }).optional(),
      })
      .strict()
      .optional()
      .describe('A task for the agent, on the caller’s contact, lead or account (else the call)'),
  })
  .strict();
export type TWrapUp = z.infer<typeof WrapUpSchema>;
export const WrapUpResponse = z.object({
  data: z.object({ callId: z.string(), taskId: z.string().nullable() }),
});

export const AGENT_PRESENCES = ['available', 'busy', 'wrap_up', 'offline'] as const;

const AgentSkills = z
  .array(z.string().trim().min(1).max(100))
  .max(20)
  .describe('The queues the agent takes; empty: every queue');

export const AgentPresenceRequest = z
  .object({
    status: z.enum(AGENT_PRESENCES),
    phone: E164.nullable().optional().describe('The phone routed calls ring (E.164)'),
    skills: AgentSkills.optional(),
  })
  .strict();

/** The routing priorities: 1 is offered calls first, 9 last (default 1). */
export const AGENT_PRIORITY = { first: 1, last: 9 } as const;

/**
 * An administrator's change to an agent (`PATCH /api/v1/telephony/agents/{userId}`): their routing
 * priority and queues. Agents set their own presence and phone (`PUT …/agents/me`), not their priority.
 */
export const AgentUpdateRequest = z
  .object({
    priority: z
      .number()
      .int()
      .min(AGENT_PRIORITY.first)
      .max(AGENT_PRIORITY.last)
      .optional()
      .describe(
        'Routing order among available agents with the queue’s skill: 1 first, 9 last (backup agents); then the longest idle',
      ),
    skills: AgentSkills.optional(),
  })
  .strict();
export type TAgentUpdateRequest = z.infer<typeof AgentUpdateRequest>;

export const AgentSchema = z.object({
  userId: z.string(),
  name: z.string().nullable(),
  status: z.enum(AGENT_PRESENCES),
  phone: z.string().nullable(),
  skills: z.array(z.string()),
  priority: z.number().int().describe('1 is offered calls first, 9 last'),
  callId: z.string().nullable(),
  idleSince: z.string(),
});
export type TAgent = z.infer<typeof AgentSchema>;
export const AgentResponse = z.object({ data: AgentSchema });
export const AgentListResponse = z.object({ data: z.array(AgentSchema) });

export const QueueStatsSchema = z.object({
  queue: z.string(),
  waiting: z.number().int().describe('Calls in the queue now, no agent yet'),
  longestWaitSeconds: z.number().int().nullable(),
  agentsAvailable: z.number().int(),
  answeredToday: z.number().int(),
  abandonedToday: z.number().int().describe('Ended today without reaching an agent'),
  averageWaitSecondsToday: z.number().int().nullable().describe('As QueueDay.averageWaitSeconds, today'),
  averageHandleSecondsToday: z.number().int().nullable().describe('As QueueDay.averageHandleSeconds, today'),
});
export const QueueStatsResponse = z.object({ data: z.array(QueueStatsSchema) });

/**
 * One queue's figures for one day (UTC), stored (`telephony_queue_days`) and kept current by
 * the status callbacks and a nightly recount; the reports' source for the contact centre.
 */
export const QueueDaySchema = z.object({
  day: z.string().describe('YYYY-MM-DD (UTC)'),
  queue: z.string(),
  offered: z.number().int().describe('Calls that entered the queue that day (by the queue they ended in)'),
  answered: z.number().int().describe('Reached an agent and completed'),
  abandoned: z.number().int().describe('Ended without reaching an agent (hung up, or overflowed to voicemail)'),
  averageWaitSeconds: z
    .number()
    .int()
    .nullable()
    .describe('From entering the queue to reaching an agent, or to leaving unanswered'),
  averageHandleSeconds: z
    .number()
    .int()
    .nullable()
    .describe('Answered calls: the call’s duration after it reached the agent'),
  computedAt: z.string(),
});
export type TQueueDay = z.infer<typeof QueueDaySchema>;
const Day = z.iso.date('must be a date, YYYY-MM-DD');
export const QueueDaysQuery = z
  .object({
    from: Day.optional().describe('First day (default: 29 days before `to`)'),
    to: Day.optional().describe('Last day (default: today, UTC)'),
    queue: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export const QueueDaysResponse = z.object({
  data: z.array(QueueDaySchema),
  from: z.string(),
  to: z.string(),
});
export const QueueDaysRecount = z.object({ from: Day, to: Day }).strict();
export const QueueDaysRecountResponse = z.object({
  data: z.object({ from: z.string(), to: z.string(), rows: z.number().int() }),
});

/**
 * What the agent desktop shows the moment a call reaches an agent (pushed on the notifications
 * socket as `{ type: "screen_pop", pop }`): the call, the caller's records as the agent may see
 * them, their open tickets and opportunities, recent interactions and the don't-contact-twice warning.
 */
export const ScreenPopSchema = z.object({
  call: z.object({
    id: z.string(),
    from: z.string(),
    callerName: z.string().nullable(),
    queue: z.string().nullable(),
    ivrPath: z.array(IvrStepSchema),
  }),
  contact: z.object({ id: z.string(), name: z.string() }).nullable(),
  lead: z.object({ id: z.string(), name: z.string() }).nullable(),
  account: z.object({ id: z.string(), name: z.string() }).nullable(),
  openTickets: z.array(z.object({ id: z.string(), number: z.number().nullable(), subject: z.string() })),
  openOpportunities: z.array(z.object({ id: z.string(), name: z.string() })),
  recentInteractions: z.array(
    z.object({ id: z.string(), topic: z.string(), channel: z.string(), occurredAt: z.string() }),
  ),
  script: z.string().nullable().describe('The call script of the queue node that routed the call'),
  warn: z
    .boolean()
    .describe('Someone else contacted them within the cool-down (don’t contact twice), or do-not-contact'),
  unknownCaller: z.boolean().describe('No record has this number: offer the quick-create form prefilled with it'),
});
export type TScreenPop = z.infer<typeof ScreenPopSchema>;
export type TAgentPresenceRequest = z.infer<typeof AgentPresenceRequest>;
export type TQueueStats = z.infer<typeof QueueStatsSchema>;
