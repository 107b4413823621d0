import { z } from 'zod';

/** Request and response contracts of the workspaces' mailboxes (`/api/v1/service/mailboxes`), shared by server and web app. */

/**
 * support: mail becomes tickets; bounces: delivery reports for campaigns; calendar: attendees'
 * replies to meeting invitations; unsubscribe: the mailto: of campaign mail's List-Unsubscribe
 * header (a signed token in the subject).
 */
export const MAILBOX_KINDS = ['support', 'bounces', 'calendar', 'unsubscribe'] as const;
export const MailboxKindSchema = z.enum(MAILBOX_KINDS);

export const MailboxSchema = z.object({
  id: z.string(),
  address: z.string().describe('Lower-cased; mail to it reaches the inbound SMTP receiver (RAPPORT_SMTP_INBOUND_PORT)'),
  kind: MailboxKindSchema,
  name: z.string(),
  active: z.boolean().describe('Inactive mailboxes refuse mail (550)'),
  isDefault: z.boolean().describe('The generated support-<id>@<RAPPORT_MAIL_DOMAIN> address of the workspace'),
  teamId: z
    .string()
    .nullable()
    .describe('Support mailboxes: the team its new tickets go to (round robin among the team’s agents with room)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TMailbox = z.infer<typeof MailboxSchema>;

const Address = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'an email address such as support@example.com' }));

/** The team new tickets from a support mailbox go to; null: none (they wait in the unassigned queue). */
const TeamId = z.uuid('must be a team id').nullable().optional();

export const CreateMailboxRequest = z
  .object({
    address: Address,
    name: z.string().trim().min(1).max(200).optional(),
    kind: MailboxKindSchema.default('support'),
    active: z.boolean().optional(),
    teamId: TeamId,
  })
  .strict();
export type TCreateMailboxRequest = z.infer<typeof CreateMailboxRequest>;

export const UpdateMailboxRequest = z
  .object({
    address: Address.optional(),
    name: z.string().trim().min(1).max(200).optional(),
    active: z.boolean().optional(),
    teamId: TeamId,
  })
  .strict();
export type TUpdateMailboxRequest = z.infer<typeof UpdateMailboxRequest>;

export const MailboxListResponse = z.object({ data: z.array(MailboxSchema) });
export const MailboxResponse = z.object({ data: MailboxSchema });
