// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/scoring.ts.
import type { z } from 'zod';
import type { RecordPageSchema, RecordSchema } from '../../../../common/contracts/records';
import type {
  CreateScoringRuleRequest,
  RescoreSchema,
  ScoreBreakdownSchema,
  ScoringRuleSchema,
  ScoringSettingsSchema,
  UpdateScoringRuleRequest,
  UpdateScoringSettingsRequest,
} from '../../../../common/contracts/scoring';
import { getJson, request, withQuery } from '../../../lib/http';

export type ScoringRule = z.infer<typeof ScoringRuleSchema>;
export type NewScoringRule = z.input<typeof CreateScoringRuleRequest>;
export type ScoringRuleChange = z.input<typeof UpdateScoringRuleRequest>;
export type ScoringSettings = z.infer<typeof ScoringSettingsSchema>;
export type ScoringSettingsChange = z.input<typeof UpdateScoringSettingsRequest>;
export type ScoreBreakdown = z.infer<typeof ScoreBreakdownSchema>;
export type Rescore = z.infer<typeof RescoreSchema>;
export type QueueLead = z.infer<typeof RecordSchema>;
type LeadPage = z.infer<typeof RecordPageSchema>;

export const scoringKeys = {
  rules: ['scoring', 'rules'] as const,
  settings: ['scoring', 'settings'] as const,
  rescore: ['scoring', 'rescore'] as const,
  score: (object: string, id: string) => ['scoring', 'score', object, id] as const,
  queue: ['scoring', 'mql-queue'] as const,
};

export const getRules = async (signal?: AbortSignal) =>
  (await getJson<{ data: ScoringRule[] }>('/api/v1/scoring/rules', signal)).data;

export const createRule = async (rule: NewScoringRule) =>
  (await request<{ data: ScoringRule }>('POST', '/api/v1/scoring/rules', { body: rule })).body.data;

export const updateRule = async (id: string, change: ScoringRuleChange) =>
  (await request<{ data: ScoringRule }>('PATCH', `/api/v1/scoring/rules/${id}`, { body: change })).body.data;

export const deleteRule = async (id: string) => {
  await request('DELETE', `/api/v1/scoring/rules/${id}`);
};

export const getSettings = async (signal?: AbortSignal) =>
  (await getJson<{ data: ScoringSettings }>('/api/v1/scoring/settings', signal)).data;

export const updateSettings = async (change: ScoringSettingsChange) =>
  (await request<{ data: ScoringSettings }>('PATCH', '/api/v1/scoring/settings', { body: change })).body.data;

export const getRescore = async (signal?: AbortSignal) =>
  (await getJson<{ data: Rescore | null }>('/api/v1/scoring/rescore', signal)).data;

export const getScore = async (object: string, id: string, signal?: AbortSignal) =>
  (await getJson<{ data: ScoreBreakdown }>(`/api/v1/${object}/${id}/score`, signal)).data;

/** Leads awaiting sales' decision (qualification mql), newest MQL first. */
export const getMqlQueue = async (signal?: AbortSignal) =>
  getJson<LeadPage>(
    withQuery('/api/v1/leads', {
      filter: JSON.stringify({ field: 'qualification', op: 'eq', value: 'mql' }),
      sort: '-mqlAt',
      limit: 100,
      fields: 'firstName,lastName,company,title,email,score,grade,mqlAt,ownerId',
    }),
    signal,
  );

export const acceptMql = async (id: string) =>
  (await request<{ data: QueueLead }>('POST', `/api/v1/leads/${id}/accept-mql`)).body.data;

export const rejectMql = async (id: string, reason: string) =>
  (await request<{ data: QueueLead }>('POST', `/api/v1/leads/${id}/reject-mql`, { body: { reason } })).body.data;
