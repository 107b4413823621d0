import { z } from 'zod';
import { SOCIAL_CONNECTION_NETWORKS } from './social';

/** Request and response contracts of campaigns (`/api/v1/campaigns/…`, `/e/…`), shared by server and web app. */

export const CAMPAIGN_TYPES = ['email', 'social', 'event', 'direct_mail', 'geo_targeted', 'web'] as const;
/** The campaign types that send email: email, and geo-targeted (email to an audience chosen by place). */
export const EMAIL_CAMPAIGN_TYPES: readonly string[] = ['email', 'geo_targeted'];
export const CAMPAIGN_STATUSES = ['planned', 'active', 'paused', 'completed'] as const;
/** What a cost entry (`/api/v1/campaign_costs`) paid for: marketing or sales; both count in the CAC. */
export const COST_CATEGORIES = ['marketing', 'sales'] as const;
export const MEMBER_OBJECTS = ['contacts', 'leads', 'accounts'] as const;
export const MEMBER_STATUSES = [
  'targeted',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'responded',
  'converted',
  'unsubscribed',
  'bounced',
  'skipped',
] as const;
export const SKIP_REASONS = [
  'no_email',
  'no_consent',
  'unsubscribed',
  'bounced',
  'suppressed',
  'do_not_contact',
  'cooldown',
  'not_a_person',
] as const;
export const SEND_STATES = ['scheduled', 'sending', 'paused', 'completed', 'cancelled'] as const;
export const BOUNCE_KINDS = ['hard', 'soft', 'complaint'] as const;

export type TMemberStatus = (typeof MEMBER_STATUSES)[number];
export type TSkipReason = (typeof SKIP_REASONS)[number];

const Ids = z.array(z.uuid()).min(1).max(10_000);
export const CampaignIdParam = z.object({ id: z.uuid() }).strict();

export const AddMembersRequest = z.union([
  z.object({ contactIds: Ids }).strict(),
  z.object({ leadIds: Ids }).strict(),
  z.object({ accountIds: Ids }).strict(),
  z
    .object({
      segmentId: z.uuid(),
      sync: z
        .boolean()
        .optional()
        .describe(
          'true: keep the members in sync with the segment (entering adds, leaving removes a member not yet mailed); needs read access to every record of its object',
        ),
    })
    .strict(),
]);
export type TAddMembersRequest = z.infer<typeof AddMembersRequest>;

/** A segment a campaign keeps its members in sync with. */
export const SegmentSyncSchema = z.object({
  segmentId: z.string(),
  segmentName: z.string(),
  object: z.enum(MEMBER_OBJECTS),
  createdAt: z.string(),
});
export type TSegmentSync = z.infer<typeof SegmentSyncSchema>;
export const SegmentSyncParams = z.object({ id: z.uuid(), segmentId: z.uuid() }).strict();

/** The workspace's lawful basis for marketing email (GDPR art. 6). */
export const LAWFUL_BASES = ['consent', 'legitimate_interest'] as const;
export const CampaignSettingsSchema = z.object({
  marketingLawfulBasis: z
    .enum(LAWFUL_BASES)
    .describe(
      'consent: only people whose marketing_email consent is granted are mailed; legitimate_interest: people who have not withdrawn it are mailed',
    ),
});
export type TCampaignSettings = z.infer<typeof CampaignSettingsSchema>;
export const UpdateCampaignSettingsRequest = CampaignSettingsSchema.partial().strict();

export const AddMembersResult = z.object({
  data: z.object({ added: z.number(), alreadyMembers: z.number() }),
});

export const MembersQuery = z
  .object({
    status: z.enum(MEMBER_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: z.uuid().optional().describe('The last member id of the previous page'),
  })
  .strict();

export const CampaignMemberSchema = z.object({
  id: z.string(),
  object: z.enum(MEMBER_OBJECTS),
  recordId: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  status: z.enum(MEMBER_STATUSES),
  skipReason: z.enum(SKIP_REASONS).nullable(),
  addedAt: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  openedAt: z.string().nullable(),
  clickedAt: z.string().nullable(),
  unsubscribedAt: z.string().nullable(),
  bouncedAt: z.string().nullable(),
  statusChangedAt: z.string(),
});
export type TCampaignMember = z.infer<typeof CampaignMemberSchema>;

export const MembersPage = z.object({
  data: z.array(CampaignMemberSchema),
  counts: z.record(z.string(), z.number()).describe('Members per status'),
  next: z.string().nullable(),
});

export const SendRequest = z
  .object({
    templateId: z.uuid(),
    scheduledAt: z.iso.datetime({ offset: true }).optional().describe('Send later; now when absent'),
    perMinute: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('Throttle: mails queued per minute (default 600)'),
    senderId: z.uuid().optional().describe('A sender identity; the workspace default when absent'),
  })
  .strict();
export type TSendRequest = z.infer<typeof SendRequest>;

export const CampaignSendSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  templateId: z.string(),
  state: z.enum(SEND_STATES),
  scheduledAt: z.string(),
  perMinute: z.number(),
  queued: z.number().describe('Mails queued so far'),
  skipped: z.number(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TCampaignSend = z.infer<typeof CampaignSendSchema>;

export const SendIdParam = z.object({ id: z.uuid(), sendId: z.uuid() }).strict();

export const SendPreviewSchema = z.object({
  members: z.number(),
  willSend: z.number(),
  skipped: z.number(),
  skippedByReason: z.record(z.string(), z.number()),
});

/** A social campaign's post: its comments and replies are the campaign's conversations. */
export const CreateCampaignPostRequest = z
  .object({
    network: z.enum(SOCIAL_CONNECTION_NETWORKS),
    postId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only (the network’s id of the post)')
      .describe('The network’s id of the post (a Facebook post id "<page>_<post>", an Instagram media id, a tweet id)'),
    permalink: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    postedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export const CampaignPostSchema = z.object({
  id: z.string(),
  network: z.enum(SOCIAL_CONNECTION_NETWORKS),
  postId: z.string(),
  permalink: z.string().nullable(),
  postedAt: z.string().nullable(),
  createdAt: z.string(),
  conversations: z.number().describe('Social messages in the post’s thread you may read'),
});
export type TCampaignPost = z.infer<typeof CampaignPostSchema>;
export const CampaignPostParams = z.object({ id: z.uuid(), postId: z.uuid() }).strict();

export const CampaignResultsSchema = z.object({
  members: z.number(),
  targeted: z.number(),
  sent: z.number(),
  delivered: z.number(),
  opened: z.number().describe('Members who opened (human opens only)'),
  clicked: z.number().describe('Members who clicked (human clicks only)'),
  machineOpens: z.number().describe('Opens flagged as machine (privacy proxies, scanners): not counted'),
  machineClicks: z.number(),
  responded: z.number(),
  unsubscribed: z.number(),
  bounced: z.number(),
  skipped: z.number(),
  skippedByReason: z.record(z.string(), z.number()),
  leads: z.number().describe('Leads whose source campaign is this one'),
  opportunities: z.number().describe('Opportunities whose source campaign is this one'),
  customers: z.number().describe('Distinct accounts (or opportunities without one) won from them'),
  currency: z.string().nullable().describe('The currency of the money figures (the campaign’s cost, else budget)'),
  wonRevenue: z.string().describe('Exact money: the won opportunities’ amounts in that currency'),
  cost: z.string().describe('Actual cost (exact money)'),
  budget: z.string().nullable(),
  roi: z.number().nullable().describe('(won revenue − cost) / cost; null without a cost'),
  costPerLead: z.string().nullable(),
  cac: z.string().nullable().describe('Customer acquisition cost: cost / new customers won'),
  openRate: z.number().nullable(),
  clickRate: z.number().nullable(),
  posts: z.number().describe('Social posts recorded for the campaign'),
  conversations: z.number().describe('Social messages (comments, replies) on those posts that you may read'),
});
export type TCampaignResults = z.infer<typeof CampaignResultsSchema>;

export const SenderRequest = z
  .object({
    fromName: z.string().trim().min(1).max(200),
    fromAddress: z.email().max(320),
    replyTo: z.email().max(320).nullable().optional(),
    isDefault: z.boolean().optional(),
  })
  .strict();
export const SenderSchema = z.object({
  id: z.string(),
  fromName: z.string(),
  fromAddress: z.string(),
  replyTo: z.string().nullable(),
  isDefault: z.boolean(),
});

export const BouncedRequest = z.object({ kind: z.enum(BOUNCE_KINDS) }).strict();
