// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/tickets.ts.
import type { z } from 'zod';
import type { ServiceSettingsPatch, ServiceSettingsSchema } from '../../../../common/contracts/tickets';
import { getJson, request } from '../../../lib/http';

/** The workspace's ticket settings (`/api/v1/service/ticket-settings`, server/modules/tickets/tickets.routes.ts). */
export type TicketSettings = z.infer<typeof ServiceSettingsSchema>;
export type TicketSettingsChange = z.input<typeof ServiceSettingsPatch>;

export const ticketSettingsKey = ['service', 'ticket-settings'] as const;

export const getTicketSettings = async (signal?: AbortSignal) =>
  (await getJson<{ data: TicketSettings }>('/api/v1/service/ticket-settings', signal)).data;

export const saveTicketSettings = async (body: TicketSettingsChange) =>
  (await request<{ data: TicketSettings }>('PATCH', '/api/v1/service/ticket-settings', { body })).body.data;
