// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/tickets.ts.
import type { z } from 'zod';
import type {
  PostTicketMessageBody,
  SlaPolicySchema,
  TicketMessageSchema,
  TicketMessagesSchema,
} from '../../../../common/contracts/tickets';
import { getJson, request } from '../../../lib/http';

/** One message of a ticket's conversation (`GET /api/v1/tickets/{id}/messages`). */
export type TicketMessage = z.infer<typeof TicketMessageSchema>;
export type TicketMessages = z.infer<typeof TicketMessagesSchema>;
export type NewTicketMessage = z.input<typeof PostTicketMessageBody>;
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;

export const ticketKeys = {
  messages: (id: string) => ['tickets', 'messages', id] as const,
};

export function getTicketMessages(id: string, signal?: AbortSignal): Promise<TicketMessages> {
  return getJson<TicketMessages>(`/api/v1/tickets/${id}/messages`, signal);
}

export async function postTicketMessage(id: string, message: NewTicketMessage): Promise<TicketMessage> {
  return (await request<{ data: TicketMessage }>('POST', `/api/v1/tickets/${id}/messages`, { body: message })).body
    .data;
}

/** Merges a ticket into another: its conversation moves there, it is closed with `mergedIntoId`. */
export async function mergeTicket(id: string, intoId: string): Promise<Record<string, unknown>> {
  return (await request<{ data: Record<string, unknown> }>('POST', `/api/v1/tickets/${id}/merge`, { body: { intoId } }))
    .body.data;
}
