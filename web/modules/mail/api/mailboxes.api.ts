import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { TCreateMailboxRequest, TMailbox, TUpdateMailboxRequest } from '../../../../common/contracts/service-mail';
import { getJson, request } from '../../../lib/http';

/** The workspace's mailboxes (server/platform/mail/mailboxes.routes.ts). */
export type Mailbox = TMailbox;

/** Plain words for each kind of mailbox. */
export const KIND_LABELS: Record<Mailbox['kind'], string> = {
  support: 'Support: mail becomes tickets',
  bounces: 'Delivery reports',
  calendar: 'Meeting replies',
  unsubscribe: 'Unsubscribe requests',
};

export const mailboxKeys = { all: ['admin', 'mail', 'mailboxes'] as const };

export const mailboxesQuery = queryOptions({
  queryKey: mailboxKeys.all,
  queryFn: ({ signal }) => getJson<{ data: Mailbox[] }>('/api/v1/service/mailboxes', signal).then((r) => r.data),
});

export const createMailbox = (body: Partial<TCreateMailboxRequest> & { address: string }) =>
  request<{ data: Mailbox }>('POST', '/api/v1/service/mailboxes', { body }).then((r) => r.body.data);

export const updateMailbox = (id: string, body: TUpdateMailboxRequest) =>
  request<{ data: Mailbox }>('PATCH', `/api/v1/service/mailboxes/${id}`, { body }).then((r) => r.body.data);
