import { z } from 'zod';

/** Request and response contracts of mail templates and the outbox (`/api/v1/mail`), shared by server and web app. */

/** `suppressed`: not sent, the address is on the workspace's suppression list (the reason in lastError). */
export const MAIL_STATUSES = ['queued', 'held', 'sent', 'failed', 'suppressed'] as const;
export const MailStatusSchema = z.enum(MAIL_STATUSES);

const Bodies = {
  subject: z.string().min(1).max(500),
  html: z.string().max(200_000),
  text: z.string().max(100_000),
};
export const TEMPLATE_FORMATS = ['html', 'mjml'] as const;
const Format = z
  .enum(TEMPLATE_FORMATS)
  .optional()
  .describe('html (default): the html body as written; mjml: an <mjml> document compiled to responsive HTML');
export const TemplateRequest = z
  .object({ name: z.string().trim().min(1).max(200), ...Bodies, format: Format })
  .strict();
export type TTemplateRequest = z.infer<typeof TemplateRequest>;
export const UpdateTemplateRequest = TemplateRequest.partial().strict();
export const PreviewDraftRequest = z.object({ ...Bodies, format: Format, contactId: z.uuid().optional() }).strict();
export const TestSendRequest = z
  .object({ contactId: z.uuid().optional().describe('Render with this contact (else sample data)') })
  .strict()
  .optional();
export const PreviewTemplateRequest = z.object({ contactId: z.uuid().optional() }).strict().optional();
export const SendTemplateRequest = z.object({ contactId: z.uuid() }).strict();

export const OutboxQuery = z
  .object({
    status: MailStatusSchema.optional(),
    before: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const MailTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  format: z.enum(TEMPLATE_FORMATS),
  variables: z.array(z.string()).describe('Every variable the template uses'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const RenderedMailSchema = z.object({
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  sample: z.boolean().describe('Rendered with sample data (no contact chosen)'),
});

export const SentMailSchema = z.object({ mailId: z.string(), to: z.string(), subject: z.string() });

export const OutboxMailSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  status: MailStatusSchema,
  attempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  text: z.string().optional().describe('One mail only'),
  html: z.string().nullable().optional().describe('One mail only'),
});

export const OutboxPageSchema = z.object({
  data: z.array(OutboxMailSchema),
  counts: z.record(MailStatusSchema, z.number()),
  next: z.string().nullable(),
});
