import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/telephony.ts.
import type { z } from 'zod';
import type {
  AudioSchema,
  DialResponse,
  DialSchema,
  IvrFlowSaveSchema,
  IvrFlowSchema,
  IvrNodeSchema,
  PromptSchema,
  TAgent,
  TAgentPresenceRequest,
  TAgentUpdateRequest,
  TQueueDay,
  TQueueStats,
  TScreenPop,
  WrapUpSchema,
} from '../../../../common/contracts/telephony';
import { getJson, request } from '../../../lib/http';

export type Agent = TAgent;
export type ScreenPop = TScreenPop;
export type QueueStats = TQueueStats;
export type QueueDay = TQueueDay;
export type IvrFlow = z.infer<typeof IvrFlowSchema>;
export type IvrFlowInput = z.input<typeof IvrFlowSaveSchema>;
/** A node as the editor holds it: defaults (retries, timeouts) may be left out, as the API accepts. */
export type IvrNode = z.input<typeof IvrNodeSchema>;
export type IvrNodeKind = IvrNode['kind'];
export type IvrPrompt = z.input<typeof PromptSchema>;
export type Audio = z.infer<typeof AudioSchema>;
export type WrapUp = z.input<typeof WrapUpSchema>;
export type Dial = z.input<typeof DialSchema>;
export type Dialled = z.infer<typeof DialResponse>['data'];

export const telephonyKeys = {
  agents: ['telephony', 'agents'] as const,
  stats: ['telephony', 'stats'] as const,
  days: (from: string, to: string) => ['telephony', 'days', from, to] as const,
  flows: ['telephony', 'flows'] as const,
  audio: ['telephony', 'audio'] as const,
};

export const getAgents = (signal?: AbortSignal) =>
  getJson<{ data: Agent[] }>('/api/v1/telephony/agents', signal).then((r) => r.data);

export const getQueueStats = (signal?: AbortSignal) =>
  getJson<{ data: QueueStats[] }>('/api/v1/telephony/queues/stats', signal).then((r) => r.data);

/** The stored daily figures per queue of [from, to] (403 for roles that do not read every call). */
export const getQueueDays = (from: string, to: string, signal?: AbortSignal) =>
  getJson<{ data: QueueDay[] }>(`/api/v1/telephony/queues/daily?from=${from}&to=${to}`, signal).then((r) => r.data);

/** An administrator sets an agent's routing priority: 1 is offered calls first, 9 last. */
export async function setAgentPriority(userId: string, priority: number): Promise<Agent> {
  const body: TAgentUpdateRequest = { priority };
  return (await request<{ data: Agent }>('PATCH', `/api/v1/telephony/agents/${userId}`, { body })).body.data;
}

export async function setMyPresence(change: TAgentPresenceRequest): Promise<Agent> {
  return (await request<{ data: Agent }>('PUT', '/api/v1/telephony/agents/me', { body: change })).body.data;
}

/** The wrap-up form: the call's disposition and notes, and a follow-up task on the caller's record. */
export async function wrapUpCall(id: string, body: WrapUp): Promise<void> {
  await request('POST', `/api/v1/calls/${id}/wrap-up`, { body });
}

/** Click-to-call through the provider: the agent's phone rings first, then the customer's (needs `calls: create`). */
export const dialCall = (body: Dial) =>
  request<{ data: Dialled }>('POST', '/api/v1/calls/dial', { body }).then((r) => r.body.data);

/** The workspace's IVR flows (administrators; the default one is made when missing). */
export const flowsQuery = queryOptions({
  queryKey: telephonyKeys.flows,
  queryFn: ({ signal }) => getJson<{ data: IvrFlow[] }>('/api/v1/telephony/flows', signal).then((r) => r.data),
});

export const createFlow = (body: IvrFlowInput) =>
  request<{ data: IvrFlow }>('POST', '/api/v1/telephony/flows', { body }).then((r) => r.body.data);

/** Saves a new version (calls under way keep theirs); the server checks it against IvrDefinitionSchema. */
export const saveFlow = (id: string, body: IvrFlowInput) =>
  request<{ data: IvrFlow }>('PUT', `/api/v1/telephony/flows/${id}`, { body }).then((r) => r.body.data);

/** The uploaded audio prompts (administrators), each with a signed URL to listen for an hour. */
export const audioQuery = queryOptions({
  queryKey: telephonyKeys.audio,
  queryFn: ({ signal }) => getJson<{ data: Audio[] }>('/api/v1/telephony/audio', signal).then((r) => r.data),
  staleTime: 10 * 60_000,
});

/** Uploads an MP3 or WAV prompt (the server checks the bytes, at most 5 MB and 10 minutes). */
export async function uploadAudio(file: File): Promise<Audio> {
  const form = new FormData();
  form.append('file', file, file.name);
  return (await request<{ data: Audio }>('POST', '/api/v1/telephony/audio', { form })).body.data;
}
