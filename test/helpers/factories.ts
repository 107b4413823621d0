// Test data factories: each creates one record through the API (as the client's user) and
// returns the created record (`data`), failing loudly unless the API answers 201. Only the
// fields an object requires get a default; everything else is what the test passes.

import type { HttpClient } from './http';

type Fields = Record<string, unknown>;

async function build(api: HttpClient, object: string, defaults: Fields, fields: Fields): Promise<any> {
  return api.create(`/api/v1/${object}`, { ...defaults, ...fields });
}

export const buildContact = (api: HttpClient, fields: Fields = { lastName: 'Contact' }) =>
  build(api, 'contacts', {}, fields);
export const buildAccount = (api: HttpClient, fields: Fields = {}) =>
  build(api, 'accounts', { name: 'Account' }, fields);
export const buildLead = (api: HttpClient, fields: Fields = { lastName: 'Lead' }) => build(api, 'leads', {}, fields);
export const buildOpportunity = (api: HttpClient, fields: Fields = {}) =>
  build(api, 'opportunities', { name: 'Opportunity' }, fields);
/** A quote needs its opportunity. */
export const buildQuote = (api: HttpClient, fields: Fields & { opportunityId: string }) =>
  build(api, 'quotes', { name: 'Quote' }, fields);
export const buildProduct = (api: HttpClient, fields: Fields = {}) =>
  build(api, 'products', { name: 'Product' }, fields);
export const buildTask = (api: HttpClient, fields: Fields = {}) => build(api, 'tasks', { title: 'Task' }, fields);
export const buildMeeting = (api: HttpClient, fields: Fields & { startAt: string }) =>
  build(api, 'meetings', { title: 'Meeting' }, fields);
export const buildInteraction = (api: HttpClient, fields: Fields = {}) =>
  build(api, 'interactions', { channel: 'call', topic: 'Call' }, fields);
export const buildNote = (api: HttpClient, fields: Fields = {}) => build(api, 'notes', { body: 'Note' }, fields);
export const buildStaff = (api: HttpClient, fields: Fields) => build(api, 'staff', {}, fields);
export const buildTicket = (api: HttpClient, fields: Fields = {}) =>
  build(api, 'tickets', { subject: 'Ticket' }, fields);
export const buildSocialMessage = (api: HttpClient, fields: Fields = {}) =>
  build(api, 'social_messages', { network: 'generic', kind: 'mention', text: 'Mentioned us' }, fields);
/** A social connection (administrators); returns `{ id, webhookUrl }`. */
export const buildSocialConnection = (api: HttpClient, fields: Fields = {}) =>
  api.create('/api/v1/social/connections', {
    network: 'facebook',
    pageId: `page-${Math.random().toString(36).slice(2, 10)}`,
    appSecret: 'app-secret-0123456789',
    verifyToken: 'verify-token-123',
    ...fields,
  });
