import { z } from 'zod';

/**
 * Request and response contracts of website tracking (`/api/v1/tracking/*`, `POST /t/collect`,
 * `GET /api/v1/{leads|contacts}/{id}/visits`; server/modules/tracking), shared by server and web app.
 */

/** A site allowed to report views: `scheme://host[:port]`, as a browser sends it in `Origin`. */
const Origin = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, 'must be a site origin such as https://www.example.com (no path)');

/** A workspace's tracking settings. */
export const TrackingSettingsSchema = z.object({
  siteKey: z.string().describe('The public key a site puts in data-key of its t.js tag (not a secret)'),
  enabled: z.boolean().describe('Off: views are ignored (t/collect still answers 204)'),
  allowedOrigins: z.array(z.string()).describe('Sites allowed to report (scheme://host[:port]); empty: any site'),
  snippet: z.string().describe('The script tag to put on every page of the site'),
  updatedAt: z.string(),
});
export type TTrackingSettings = z.infer<typeof TrackingSettingsSchema>;
export const TrackingSettingsResponse = z.object({ data: TrackingSettingsSchema });

/** Changes to the tracking settings; `rotateKey: true` issues a new site key (the old one stops working at once). */
export const TrackingSettingsRequest = z
  .object({
    enabled: z.boolean().optional(),
    allowedOrigins: z.array(Origin).max(50, 'must list at most 50 sites').optional(),
    rotateKey: z.boolean().optional(),
  })
  .strict();
export type TTrackingSettingsRequest = z.input<typeof TrackingSettingsRequest>;

const isWebAddress = (u: string): boolean => {
  try {
    const url = new URL(u);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
};

/** What t.js sends (as text/plain JSON, so that sendBeacon and simple requests work without a preflight). */
export const CollectRequest = z.object({
  key: z.string().min(1, 'Enter the site key').max(64, 'must be at most 64 characters'),
  visitorId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16 to 64 letters, digits, - or _'),
  url: z.string().max(2048, 'must be at most 2048 characters').refine(isWebAddress, 'must be an http(s) address'),
  title: z.string().max(500, 'must be at most 500 characters').optional().default(''),
  referrer: z.string().max(2048, 'must be at most 2048 characters').optional().default(''),
  kind: z.enum(['page', 'download'], 'must be one of: page, download').optional().default('page'),
});
export type TCollectRequest = z.input<typeof CollectRequest>;

/** One page view or download of a record's visitors. */
export const VisitSchema = z.object({
  id: z.string(),
  visitorId: z.string(),
  url: z.string(),
  path: z.string(),
  title: z.string().nullable(),
  referrer: z.string().nullable(),
  kind: z.enum(['page', 'download']),
  browser: z.string().nullable(),
  occurredAt: z.string(),
});
export type TVisit = z.infer<typeof VisitSchema>;

export const VisitsQuery = z
  .object({
    limit: z.coerce.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200').optional().default(50),
  })
  .strict();

/** A record's page views, newest first, and how many visitors and views it has in all. */
export const VisitsResponse = z.object({
  data: z.array(VisitSchema),
  total: z.number().describe('All views of the record’s visitors'),
  visitors: z.number().describe('Visitors (browsers) identified as this record'),
});
export type TVisitsResponse = z.infer<typeof VisitsResponse>;

/** The workspace's latest page views, anonymous ones included (is the site's tag working?). */
export const RecentViewsResponse = z.object({
  data: z.array(VisitSchema.extend({ identified: z.boolean().describe('The visitor is a known lead or contact') })),
});
export type TRecentViewsResponse = z.infer<typeof RecentViewsResponse>;
