import { z } from 'zod';

/** App passwords: a username and password per device for CardDAV and CalDAV (phones, calendar apps). */
export const CreateAppPasswordRequest = z
  .object({
    name: z.string().trim().min(1).max(100).describe('What it is for, e.g. "Jane’s phone"'),
  })
  .strict();

/** Where a phone or calendar app is pointed (the server discovers the rest from these). */
export const DavUrlsSchema = z.object({
  server: z.string().describe('The server address most apps ask for'),
  carddav: z.string().describe('The address book discovery URL (/.well-known/carddav)'),
  caldav: z.string().describe('The calendar discovery URL (/.well-known/caldav)'),
  principal: z.string().describe('The account URL, for apps that want it spelled out'),
});

export const AppPasswordSchema = z.object({
  id: z.string(),
  name: z.string(),
  username: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/** A new app password: the password is in this answer only. */
export const CreatedAppPasswordSchema = AppPasswordSchema.extend({
  password: z.string(),
  urls: DavUrlsSchema,
});

export type TAppPassword = z.infer<typeof AppPasswordSchema>;
export type TCreatedAppPassword = z.infer<typeof CreatedAppPasswordSchema>;
export type TDavUrls = z.infer<typeof DavUrlsSchema>;
