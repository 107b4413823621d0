import { queryOptions } from '@tanstack/react-query';
import { getJson, request } from '../../../lib/http';

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  role: string;
  active: boolean;
  secretHint: string;
  createdAt: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface NewWebhook {
  url: string;
  eventTypes: string[];
}

export const webhooksQuery = queryOptions({
  queryKey: ['admin', 'webhooks'],
  queryFn: ({ signal }) => getJson<{ data: Webhook[] }>('/api/v1/webhooks', signal).then((r) => r.data),
});

export const deliveriesQuery = (id: string) =>
  queryOptions({
    queryKey: ['admin', 'webhooks', id, 'deliveries'],
    queryFn: ({ signal }) =>
      getJson<{ data: Delivery[] }>(`/api/v1/webhooks/${id}/deliveries?limit=100`, signal).then((r) => r.data),
    refetchInterval: 3000,
  });

export const createWebhook = (body: NewWebhook) =>
  request<{ data: Webhook & { secret: string } }>('POST', '/api/v1/webhooks', { body }).then((r) => r.body.data);
export const updateWebhook = (id: string, body: Partial<Webhook>) =>
  request<{ data: Webhook }>('PATCH', `/api/v1/webhooks/${id}`, { body }).then((r) => r.body.data);
export const deleteWebhook = (id: string) => request('DELETE', `/api/v1/webhooks/${id}`);
export const pingWebhook = (id: string) => request('POST', `/api/v1/webhooks/${id}/ping`);
export const replayDelivery = (id: string, deliveryId: string) =>
  request('POST', `/api/v1/webhooks/${id}/deliveries/${deliveryId}/replay`);
