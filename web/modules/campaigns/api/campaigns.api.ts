import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/campaigns.ts.
import type { z } from 'zod';
import type {
  AddMembersRequest,
  AddMembersResult,
  CampaignMemberSchema,
  CampaignResultsSchema,
  CampaignSendSchema,
  CampaignSettingsSchema,
  MembersPage,
  SegmentSyncSchema,
  SendPreviewSchema,
  SendRequest,
  UpdateCampaignSettingsRequest,
} from '../../../../common/contracts/campaigns';
import { getJson, request, withQuery } from '../../../lib/http';
import { listRecords } from '../../records/api/records.api';

export type CampaignMember = z.infer<typeof CampaignMemberSchema>;
export type CampaignMembersPage = z.infer<typeof MembersPage>;
export type CampaignResults = z.infer<typeof CampaignResultsSchema>;
export type CampaignSend = z.infer<typeof CampaignSendSchema>;
export type SendPreview = z.infer<typeof SendPreviewSchema>;
export type SegmentSync = z.infer<typeof SegmentSyncSchema>;
export type CampaignSettings = z.infer<typeof CampaignSettingsSchema>;
export type LawfulBasis = CampaignSettings['marketingLawfulBasis'];

export const campaignKeys = {
  all: (id: string) => ['campaigns', id] as const,
  members: (id: string, status?: string) => ['campaigns', id, 'members', status ?? 'all'] as const,
  results: (id: string) => ['campaigns', id, 'results'] as const,
  sends: (id: string) => ['campaigns', id, 'sends'] as const,
  preview: (id: string) => ['campaigns', id, 'send-preview'] as const,
  syncs: (id: string) => ['campaigns', id, 'segments'] as const,
};

/** The segments the campaign keeps its members in sync with. */
export const campaignSyncs = (id: string, signal?: AbortSignal) =>
  getJson<{ data: SegmentSync[] }>(`/api/v1/campaigns/${id}/segments`, signal).then((r) => r.data);

export const stopCampaignSync = (id: string, segmentId: string) =>
  request('DELETE', `/api/v1/campaigns/${id}/segments/${segmentId}`);

export const listCampaignMembers = (id: string, status?: string, signal?: AbortSignal) =>
  getJson<CampaignMembersPage>(withQuery(`/api/v1/campaigns/${id}/members`, { status, limit: 200 }), signal);

export type AddedMembers = z.infer<typeof AddMembersResult>['data'];

export const addCampaignMembers = (id: string, body: z.input<typeof AddMembersRequest>) =>
  request<{ data: AddedMembers }>('POST', `/api/v1/campaigns/${id}/members`, { body }).then((r) => r.body.data);

export const campaignResults = (id: string, signal?: AbortSignal) =>
  getJson<{ data: CampaignResults }>(`/api/v1/campaigns/${id}/results`, signal).then((r) => r.data);

export const campaignSends = (id: string, signal?: AbortSignal) =>
  getJson<{ data: CampaignSend[] }>(`/api/v1/campaigns/${id}/sends`, signal).then((r) => r.data);

export const sendPreview = (id: string, signal?: AbortSignal) =>
  getJson<{ data: SendPreview }>(`/api/v1/campaigns/${id}/send/preview`, signal).then((r) => r.data);

export const startSend = (id: string, body: z.input<typeof SendRequest>) =>
  request<{ data: CampaignSend }>('POST', `/api/v1/campaigns/${id}/send`, { body }).then((r) => r.body.data);

export const pauseSend = (id: string) =>
  request<{ data: CampaignSend }>('POST', `/api/v1/campaigns/${id}/send/pause`, { body: {} }).then((r) => r.body.data);

export const resumeSend = (id: string) =>
  request<{ data: CampaignSend }>('POST', `/api/v1/campaigns/${id}/send/resume`, { body: {} }).then((r) => r.body.data);

/** Plain words for the reasons a send skips someone. */
export const SKIP_LABELS: Record<string, string> = {
  no_email: 'No email address',
  no_consent: 'No marketing email consent',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced before',
  suppressed: 'On the suppression list',
  do_not_contact: 'Do not contact',
  cooldown: 'Contacted recently (cool-down)',
  not_a_person: 'An account, not a person',
};

/** Email campaigns by name (for choosing the campaign a workflow's or sequence's email belongs to). */
export const emailCampaignsQuery = queryOptions({
  queryKey: ['campaigns', 'email-list'],
  queryFn: ({ signal }) =>
    listRecords(
      'campaigns',
      {
        fields: ['id', 'name'],
        limit: 200,
        sort: 'name',
        filter: { field: 'type', op: 'in', value: ['email', 'geo_targeted'] },
      },
      signal,
    ).then((r) => r.data.map((c) => ({ id: String(c.id), name: String(c.name ?? '') }))),
});

/** The workspace's campaign settings (`/api/v1/campaigns/settings`): anyone who may read campaigns reads them. */
export const campaignSettingsKey = ['campaigns', 'settings'] as const;

export const getCampaignSettings = async (signal?: AbortSignal) =>
  (await getJson<{ data: CampaignSettings }>('/api/v1/campaigns/settings', signal)).data;

/** Administrators only (403 otherwise); the change is audited. */
export const saveCampaignSettings = async (body: z.input<typeof UpdateCampaignSettingsRequest>) =>
  (await request<{ data: CampaignSettings }>('PATCH', '/api/v1/campaigns/settings', { body })).body.data;

/** Each lawful basis in plain words: its name and, in one sentence, who it mails. */
export const LAWFUL_BASIS_TEXT: Record<LawfulBasis, { label: string; meaning: string }> = {
  consent: {
    label: 'Consent',
    meaning: 'Only people who gave marketing email consent are mailed; everyone else is skipped.',
  },
  legitimate_interest: {
    label: 'Legitimate interest',
    meaning: 'Everyone who has not withdrawn marketing email consent (or unsubscribed) is mailed.',
  },
};
