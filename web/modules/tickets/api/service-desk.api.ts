// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/service-desk.ts.
import type { z } from 'zod';
import type {
  AppliedMacroSchema,
  MacroInput,
  MacroSchema,
  PresenceSchema,
  ServiceAgentSchema,
  ServiceSummarySchema,
  TicketQueueCounts,
  TicketQueueResponse,
  TTicketQueue,
} from '../../../../common/contracts/service-desk';
import type {
  BusinessCalendarInput,
  BusinessCalendarSchema,
  SlaPolicyInput,
  SlaPolicySchema,
} from '../../../../common/contracts/tickets';
import { getJson, request, withQuery } from '../../../lib/http';

export type Macro = z.infer<typeof MacroSchema>;
export type NewMacro = z.input<typeof MacroInput>;
export type AppliedMacro = z.infer<typeof AppliedMacroSchema>['data'];
export type Presence = z.infer<typeof PresenceSchema>['data'][number];
export type ServiceSummary = z.infer<typeof ServiceSummarySchema>;
export type QueueCounts = z.infer<typeof TicketQueueCounts>['data'];
export type ServiceAgent = z.infer<typeof ServiceAgentSchema>;
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;
export type NewSlaPolicy = z.input<typeof SlaPolicyInput>;
export type BusinessCalendar = z.infer<typeof BusinessCalendarSchema>;
export type NewBusinessCalendar = z.input<typeof BusinessCalendarInput>;
export type QueueName = TTicketQueue;
export type QueuePage = z.infer<typeof TicketQueueResponse>;

export const serviceDeskKeys = {
  macros: ['service', 'macros'] as const,
  presence: (id: string) => ['tickets', 'presence', id] as const,
  summary: (object: string, id: string) => ['service', 'summary', object, id] as const,
  queue: (queue: QueueName) => ['tickets', 'queue', queue] as const,
  queueCounts: ['tickets', 'queue-counts'] as const,
  slaPolicies: ['service', 'sla-policies'] as const,
  calendars: ['service', 'business-calendars'] as const,
  agents: ['service', 'agents'] as const,
};

export const listMacros = async (signal?: AbortSignal) =>
  (await getJson<{ data: Macro[] }>('/api/v1/ticket-macros', signal)).data;
export const createMacro = async (body: NewMacro) =>
  (await request<{ data: Macro }>('POST', '/api/v1/ticket-macros', { body })).body.data;
export const updateMacro = async (id: string, body: Partial<NewMacro>) =>
  (await request<{ data: Macro }>('PATCH', `/api/v1/ticket-macros/${id}`, { body })).body.data;
export const deleteMacro = async (id: string) => {
  await request('DELETE', `/api/v1/ticket-macros/${id}`);
};
export const applyMacro = async (ticketId: string, macroId: string) =>
  (await request<{ data: AppliedMacro }>('POST', `/api/v1/tickets/${ticketId}/macros/${macroId}/apply`)).body.data;

export const beatPresence = async (ticketId: string, state: 'viewing' | 'replying') =>
  (await request<{ data: Presence[] }>('PUT', `/api/v1/tickets/${ticketId}/presence`, { body: { state } })).body.data;
export const leavePresence = async (ticketId: string) => {
  await request('DELETE', `/api/v1/tickets/${ticketId}/presence`);
};

export const getServiceSummary = async (object: 'contacts' | 'accounts', id: string, signal?: AbortSignal) =>
  (await getJson<{ data: ServiceSummary }>(`/api/v1/${object}/${id}/service-summary`, signal)).data;

export const getQueue = async (queue: QueueName, signal?: AbortSignal) =>
  getJson<QueuePage>(withQuery('/api/v1/tickets/queue', { queue, limit: 100 }), signal);
export const getQueueCounts = async (signal?: AbortSignal) =>
  (await getJson<{ data: QueueCounts }>('/api/v1/tickets/queues', signal)).data;

export const assignRoundRobin = async (ticketId: string, teamId?: string) =>
  (
    await request<{ data: Record<string, unknown> }>('POST', `/api/v1/tickets/${ticketId}/assign`, {
      body: teamId ? { teamId } : {},
    })
  ).body.data;

export const listSlaPolicies = async (signal?: AbortSignal) =>
  (await getJson<{ data: SlaPolicy[] }>('/api/v1/sla-policies', signal)).data;
export const createSlaPolicy = async (body: NewSlaPolicy) =>
  (await request<{ data: SlaPolicy }>('POST', '/api/v1/sla-policies', { body })).body.data;
export const updateSlaPolicy = async (id: string, body: Partial<NewSlaPolicy>) =>
  (await request<{ data: SlaPolicy }>('PATCH', `/api/v1/sla-policies/${id}`, { body })).body.data;
export const deleteSlaPolicy = async (id: string) => {
  await request('DELETE', `/api/v1/sla-policies/${id}`);
};
export const listCalendars = async (signal?: AbortSignal) =>
  (await getJson<{ data: BusinessCalendar[] }>('/api/v1/business-calendars', signal)).data;

export const createCalendar = async (body: NewBusinessCalendar) =>
  (await request<{ data: BusinessCalendar }>('POST', '/api/v1/business-calendars', { body })).body.data;
export const updateCalendar = async (id: string, body: Partial<NewBusinessCalendar>) =>
  (await request<{ data: BusinessCalendar }>('PATCH', `/api/v1/business-calendars/${id}`, { body })).body.data;

export const listAgents = async (signal?: AbortSignal) =>
  (await getJson<{ data: ServiceAgent[] }>('/api/v1/service/agents', signal)).data;
export const setAgentCapacity = async (userId: string, capacity: number | null) =>
  (await request<{ data: ServiceAgent[] }>('PATCH', `/api/v1/service/agents/${userId}`, { body: { capacity } })).body
    .data;

/** A file picked in the browser as the API takes it (base64). */
export async function fileToAttachment(file: File): Promise<{ filename: string; contentBase64: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { filename: file.name, contentBase64: btoa(binary) };
}
