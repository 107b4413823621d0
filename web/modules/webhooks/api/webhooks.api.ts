import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  CreateWebhookRequest,
  DeliverySchema,
  UpdateWebhookRequest,
  WebhookSchema,
  WebhookWithSecretSchema,
} from '../../../../common/contracts/webhooks';
import { getJson, request } from '../../../lib/http';

export type Webhook = z.infer<typeof WebhookSchema>;

export type Delivery = z.infer<typeof DeliverySchema>;

export type NewWebhook = z.input<typeof CreateWebhookRequest>;

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
  request<{ data: z.infer<typeof WebhookWithSecretSchema> }>('POST', '/api/v1/webhooks', { body }).then(
    (r) => r.body.data,
  );
export const updateWebhook = (id: string, body: z.input<typeof UpdateWebhookRequest>) =>
  request<{ data: Webhook }>('PATCH', `/api/v1/webhooks/${id}`, { body }).then((r) => r.body.data);
export const deleteWebhook = (id: string) => request('DELETE', `/api/v1/webhooks/${id}`);
export const pingWebhook = (id: string) => request('POST', `/api/v1/webhooks/${id}/ping`);
export const replayDelivery = (id: string, deliveryId: string) =>
  request('POST', `/api/v1/webhooks/${id}/deliveries/${deliveryId}/replay`);
