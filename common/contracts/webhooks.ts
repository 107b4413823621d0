import { z } from 'zod';

/** Request and response contracts of outbound webhooks (`/api/v1/webhooks`), shared by server and web app. */

/** `contact.created`, `contact.*` (every contact event) or `*` (everything). */
const EventPattern = z
  .string()
  .regex(
    /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/,
    'must be an event type like contact.created, contact.* or *',
  );

const Fields = {
  url: z.string().trim().min(8).max(2000),
  eventTypes: z.array(EventPattern).min(1).max(50),
  description: z.string().max(500).nullable(),
  active: z.boolean(),
  role: z.string().min(1).max(50),
  sharing: z
    .boolean()
    .describe(
      'The receiver is a third party data is sold or shared with: events about leads and contacts who opted out of sale/sharing are not delivered to it',
    ),
};

export const CreateWebhookRequest = z
  .object({
    url: Fields.url,
    eventTypes: Fields.eventTypes,
    description: Fields.description.optional(),
    active: Fields.active.optional(),
    role: Fields.role.optional(),
    sharing: Fields.sharing.optional(),
  })
  .strict();

export const UpdateWebhookRequest = z.object(Fields).partial().strict();

export const DeliveriesQuery = z
  .object({
    status: z.enum(['pending', 'succeeded', 'failed']).optional(),
    before: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const WebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.string()),
  role: z.string(),
  active: z.boolean(),
  sharing: z.boolean(),
  secretHint: z.string().describe('The secret’s last characters, to tell secrets apart'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TWebhook = z.infer<typeof WebhookSchema>;

/** A subscription with its signing secret: in the answer to create and rotate-secret only. */
export const WebhookWithSecretSchema = WebhookSchema.extend({ secret: z.string() });

export const DeliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type TDelivery = z.infer<typeof DeliverySchema>;

export const DeliveryDetailSchema = DeliverySchema.extend({
  body: z.string(),
  attemptLog: z.array(
    z.object({
      attemptedAt: z.string(),
      statusCode: z.number().nullable(),
      durationMs: z.number(),
      responseBody: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
});
