import { queryOptions } from '@tanstack/react-query';
import { getJson, request, withQuery } from '../../../lib/http';

export const MAIL_STATUSES = ['held', 'queued', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  status: MailStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  text?: string;
  html?: string | null;
}

export interface MailTemplate {
  id: string;
  name: string;
  subject: string;
  html: string;
  text: string;
  variables: string[];
  updatedAt: string;
}

export interface TemplateDraft {
  name: string;
  subject: string;
  html: string;
  text: string;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
  sample: boolean;
}

export const outboxQuery = (status?: MailStatus) =>
  queryOptions({
    queryKey: ['admin', 'mail', 'outbox', status ?? 'all'],
    queryFn: ({ signal }) =>
      getJson<{ data: OutboxMail[]; counts: Record<MailStatus, number> }>(
        withQuery('/api/v1/mail/outbox', { status, limit: 100 }),
        signal,
      ),
    refetchInterval: 5000,
  });

export const mailQuery = (id: string) =>
  queryOptions({
    queryKey: ['admin', 'mail', 'outbox', 'one', id],
    queryFn: ({ signal }) => getJson<{ data: OutboxMail }>(`/api/v1/mail/outbox/${id}`, signal).then((r) => r.data),
  });

export const templatesQuery = queryOptions({
  queryKey: ['admin', 'mail', 'templates'],
  queryFn: ({ signal }) => getJson<{ data: MailTemplate[] }>('/api/v1/mail/templates', signal).then((r) => r.data),
});

export const retryMail = (id: string) => request('POST', `/api/v1/mail/outbox/${id}/retry`);

export const saveTemplate = (draft: TemplateDraft, id?: string) =>
  request<{ data: MailTemplate }>(
    id ? 'PATCH' : 'POST',
    id ? `/api/v1/mail/templates/${id}` : '/api/v1/mail/templates',
    {
      body: draft,
    },
  ).then((r) => r.body.data);

export const deleteTemplate = (id: string) => request('DELETE', `/api/v1/mail/templates/${id}`);

export const previewDraft = (draft: Omit<TemplateDraft, 'name'>, contactId?: string, signal?: AbortSignal) =>
  request<{ data: RenderedMail }>('POST', '/api/v1/mail/templates/preview', {
    body: { subject: draft.subject, html: draft.html, text: draft.text, ...(contactId ? { contactId } : {}) },
    signal,
  }).then((r) => r.body.data);
