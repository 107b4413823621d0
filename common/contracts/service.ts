import { z } from 'zod';

/**
 * Request and response contracts of the customer service settings
 * (`/api/v1/service/settings`, server/modules/knowledge/service-settings.ts), shared by
 * server and web app. Tickets and CSAT settings may join these fields.
 */

export const ServiceSettingsSchema = z.object({
  helpCentreUrl: z.string().describe('The public help centre’s absolute address: <base URL>/help/<slug>'),
  helpCentreSlug: z.string(),
  helpCentreTitle: z.string(),
  helpCentreEnabled: z.boolean().describe('When false, /help/<slug> answers 404'),
});
export type ServiceSettings = z.infer<typeof ServiceSettingsSchema>;

export const ServiceSettingsResponse = z.object({ data: ServiceSettingsSchema });

export const ServiceSettingsPatch = z
  .object({
    helpCentreSlug: z
      .string()
      .trim()
      .min(2, 'must be at least 2 characters')
      .max(60, 'must be at most 60 characters')
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'may hold only lower-case letters, digits and single dashes'),
    helpCentreTitle: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    helpCentreEnabled: z.boolean(),
  })
  .partial()
  .strict();
export type ServiceSettingsPatch = z.infer<typeof ServiceSettingsPatch>;
