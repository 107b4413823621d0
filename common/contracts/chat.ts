import { z } from 'zod';
import { NewAttachment } from './service-desk';

/**
 * Request and response contracts of live chat (server/modules/chat): the workspace's widget
 * settings, agents' presence, conversations and their messages (`/api/v1/chat/*`,
 * `/api/v1/chats/*`), and the two WebSocket protocols: the visitor's (`/chat/socket`, spoken
 * by widget.js) and the agent console's (`/api/v1/chat/stream`).
 */

/** A site allowed to open the chat: `scheme://host[:port]`, as a browser sends it in `Origin`. */
const Origin = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, 'must be a site origin such as https://www.example.com (no path)');

export const CHAT_STATUSES = ['waiting', 'active', 'ended', 'ticket'] as const;
export const AGENT_STATUSES = ['online', 'away', 'offline'] as const;
/** The longest chat message, in characters. */
export const CHAT_MESSAGE_MAX = 4000;
/** The largest file sent in a chat (either way), in bytes. */
export const CHAT_FILE_MAX_BYTES = 5 * 1024 * 1024;
/** Files one conversation may hold (both sides together): a visitor cannot fill the database. */
export const CHAT_FILES_PER_CONVERSATION = 20;
/** Files on one agent reply. */
export const CHAT_FILES_PER_MESSAGE = 3;

export const ChatSettingsSchema = z.object({
  widgetKey: z.string().describe('The public key a site puts in data-key of its widget.js tag (not a secret)'),
  enabled: z.boolean(),
  colour: z.string().describe('The widget’s colour, #rrggbb'),
  greeting: z.string(),
  allowedOrigins: z
    .array(z.string())
    .describe('Sites allowed to open the chat (scheme://host[:port]); empty: any site'),
  calendarId: z.string().nullable().describe('Business hours (a business calendar); null: around the clock'),
  teamId: z.string().nullable().describe('The team whose agents answer; null: every agent'),
  requireVerification: z
    .boolean()
    .describe('When on, a visitor identity without a valid HMAC is never linked to a contact'),
  hasIdentitySecret: z.boolean(),
  identitySecret: z
    .string()
    .optional()
    .describe('Only in the answer that created it (rotateIdentitySecret): the HMAC key for the site’s server'),
  snippet: z.string().describe('The script tag to put on the site’s pages'),
  updatedAt: z.string(),
});
export type TChatSettings = z.infer<typeof ChatSettingsSchema>;
export const ChatSettingsResponse = z.object({ data: ChatSettingsSchema });

export const ChatSettingsRequest = z
  .object({
    enabled: z.boolean().optional(),
    colour: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #1864ab')
      .optional(),
    greeting: z.string().trim().min(1, 'Enter a greeting').max(300, 'must be at most 300 characters').optional(),
    allowedOrigins: z.array(Origin).max(50, 'must list at most 50 sites').optional(),
    calendarId: z.uuid('must be a business calendar id').nullable().optional(),
    teamId: z.uuid('must be a team id').nullable().optional(),
    requireVerification: z.boolean().optional(),
    rotateIdentitySecret: z.boolean().optional().describe('Issue a new HMAC secret (shown once in the answer)'),
    rotateKey: z.boolean().optional().describe('Issue a new widget key (the old one stops working at once)'),
  })
  .strict();
export type TChatSettingsRequest = z.input<typeof ChatSettingsRequest>;

export const PresenceSchema = z.object({
  status: z.enum(AGENT_STATUSES),
  capacity: z.number().int().describe('How many chats at once'),
  activeChats: z.number().int(),
});
export type TPresence = z.infer<typeof PresenceSchema>;
export const PresenceResponse = z.object({ data: PresenceSchema });
export const PresenceRequest = z
  .object({
    status: z.enum(AGENT_STATUSES, 'must be online, away or offline').optional(),
    capacity: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(20, 'must be at most 20')
      .optional(),
  })
  .strict();

const Person = z.object({ id: z.string(), name: z.string() });

export const ChatAttachmentSchema = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.string().describe('Sniffed from the bytes, not the sender’s word'),
  size: z.number(),
});
export type TChatAttachment = z.infer<typeof ChatAttachmentSchema>;

export const ChatMessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  author: z.enum(['visitor', 'agent', 'system']),
  authorName: z.string().nullable(),
  body: z.string().describe('Empty for a message that is only files'),
  attachments: z
    .array(ChatAttachmentSchema)
    .describe(
      'Files: agents download them at /api/v1/chats/{id}/attachments/{attachmentId}, the visitor at /chat/files/{attachmentId}',
    ),
  createdAt: z.string(),
});
export type TChatMessage = z.infer<typeof ChatMessageSchema>;

export const ChatConversationSchema = z.object({
  id: z.string(),
  status: z.enum(CHAT_STATUSES),
  visitor: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    verified: z.boolean().describe('The site vouched for this identity with a valid HMAC'),
  }),
  contactId: z.string().nullable(),
  agent: Person.nullable(),
  ticketId: z.string().nullable(),
  pageUrl: z.string().nullable(),
  visitorReadAt: z.string().nullable(),
  agentReadAt: z.string().nullable(),
  csatRating: z.number().nullable(),
  csatComment: z.string().nullable(),
  createdAt: z.string(),
  assignedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type TChatConversation = z.infer<typeof ChatConversationSchema>;

export const ChatListQuery = z
  .object({
    status: z
      .enum([...CHAT_STATUSES, 'mine'], 'must be waiting, active, ended, ticket or mine')
      .optional()
      .describe('mine: my active chats'),
    interactionId: z
      .uuid('must be an interaction id (uuid)')
      .optional()
      .describe('The chat whose transcript is this timeline interaction (a link from the contact’s timeline)'),
  })
  .strict();
export const ChatListResponse = z.object({ data: z.array(ChatConversationSchema) });
export const ChatDetailResponse = z.object({
  data: ChatConversationSchema.extend({ messages: z.array(ChatMessageSchema) }),
});
export type TChatDetail = z.infer<typeof ChatDetailResponse>['data'];
export const ChatResponse = z.object({ data: ChatConversationSchema });

export const PostChatMessageBody = z
  .object({
    body: z
      .string('Enter a message')
      .trim()
      .max(CHAT_MESSAGE_MAX, `must be at most ${CHAT_MESSAGE_MAX} characters`)
      .default('')
      .describe('May be empty when files are attached'),
    attachments: z
      .array(NewAttachment)
      .max(CHAT_FILES_PER_MESSAGE, `must be at most ${CHAT_FILES_PER_MESSAGE} files`)
      .optional()
      .describe('Files for the visitor: at most 3, 5 MB each'),
  })
  .strict()
  .refine((b) => b.body.length > 0 || (b.attachments?.length ?? 0) > 0, {
    path: ['body'],
    message: 'Enter a message or attach a file',
  });
export const ChatMessageResponse = z.object({ data: ChatMessageSchema });

/** What a widget learns before opening the chat (`GET /chat/config?key=`). */
export const ChatPublicConfigSchema = z.object({
  enabled: z.boolean(),
  online: z.boolean().describe('Someone may answer now (business hours and an agent online); else the offline form'),
  colour: z.string(),
  greeting: z.string(),
});
export type TChatPublicConfig = z.infer<typeof ChatPublicConfigSchema>;

const VisitorIdentity = z
  .object({
    email: z.email('must be an email address').max(254),
    name: z.string().trim().max(200, 'must be at most 200 characters').optional(),
    hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'must be the hex HMAC-SHA256 of the email')
      .optional(),
  })
  .strict();

/** What widget.js sends over `/chat/socket`. */
export const VisitorClientMessage = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('start'),
      token: z.string().max(100).optional().describe('Resume the conversation this token opened'),
      name: z.string().trim().max(200, 'must be at most 200 characters').optional(),
      identity: VisitorIdentity.optional(),
      pageUrl: z.string().max(2048).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('message'),
      body: z.string().trim().min(1, 'Enter a message').max(CHAT_MESSAGE_MAX),
    })
    .strict(),
  z.object({ type: z.literal('typing'), typing: z.boolean() }).strict(),
  z.object({ type: z.literal('read') }).strict(),
  z.object({ type: z.literal('end') }).strict(),
  z
    .object({
      type: z.literal('csat'),
      rating: z.number().int().min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'),
      comment: z.string().trim().max(2000).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('offline'),
      name: z.string().trim().min(1, 'Enter your name').max(200),
      email: z.email('must be an email address').max(254),
      message: z.string().trim().min(1, 'Enter a message').max(CHAT_MESSAGE_MAX),
    })
    .strict(),
]);
export type TVisitorClientMessage = z.infer<typeof VisitorClientMessage>;

/**
 * A visitor's file (`POST /chat/files?key=`, JSON from widget.js): the conversation's resume
 * token proves it is theirs. At most 5 MB; its type is sniffed from the bytes.
 */
export const VisitorFileUpload = z
  .object({
    token: z.string().min(1, 'Start the chat first').max(100),
    filename: NewAttachment.shape.filename,
    contentBase64: z
      .string()
      .min(1, 'The file is empty')
      .max(Math.ceil(CHAT_FILE_MAX_BYTES / 3) * 4 + 4, 'must be at most 5 MB'),
  })
  .strict();

/** What the server sends widget.js. */
export type TVisitorServerMessage =
  | {
      type: 'started';
      token: string;
      status: (typeof CHAT_STATUSES)[number];
      agentName: string | null;
      messages: TChatMessage[];
    }
  | { type: 'offline' }
  | { type: 'message'; message: TChatMessage }
  | { type: 'typing'; typing: boolean }
  | { type: 'read'; at: string }
  | { type: 'status'; status: (typeof CHAT_STATUSES)[number]; agentName: string | null }
  | { type: 'ticket'; number: number }
  | { type: 'thanks' }
  | { type: 'error'; message: string; field?: string };

/** What the agent console receives over `/api/v1/chat/stream`. */
export type TAgentServerMessage =
  | { type: 'hello'; presence: TPresence }
  | { type: 'conversation'; conversation: TChatConversation }
  | { type: 'message'; message: TChatMessage }
  | { type: 'typing'; conversationId: string; typing: boolean }
  | { type: 'read'; conversationId: string; at: string };

/** What the agent console sends over `/api/v1/chat/stream` (replies go through POST /chats/{id}/messages). */
export const AgentClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('typing'), conversationId: z.uuid(), typing: z.boolean() }).strict(),
]);
