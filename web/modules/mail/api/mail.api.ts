import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  MailStatusSchema,
  MailTemplateSchema,
  OutboxMailSchema,
  OutboxPageSchema,
  RenderedMailSchema,
  SentMailSchema,
  TemplateRequest,
} from '../../../../common/contracts/mail';
import { getJson, request, withQuery } from '../../../lib/http';

export type MailStatus = z.infer<typeof MailStatusSchema>;
/** The statuses in the order the outbox page offers them. */
export const MAIL_STATUSES: readonly MailStatus[] = ['held', 'queued', 'sent', 'failed', 'suppressed'];

export type OutboxMail = z.infer<typeof OutboxMailSchema>;

export type MailTemplate = z.infer<typeof MailTemplateSchema>;

export type TemplateDraft = z.input<typeof TemplateRequest>;

export type RenderedMail = z.infer<typeof RenderedMailSchema>;

export type SentMail = z.infer<typeof SentMailSchema>;

export const outboxQuery = (status?: MailStatus) =>
  queryOptions({
    queryKey: ['admin', 'mail', 'outbox', status ?? 'all'],
    queryFn: ({ signal }) =>
      getJson<z.infer<typeof OutboxPageSchema>>(withQuery('/api/v1/mail/outbox', { status, limit: 100 }), signal),
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
    body: {
      subject: draft.subject,
      html: draft.html,
      text: draft.text,
      format: draft.format,
      ...(contactId ? { contactId } : {}),
    },
    signal,
  }).then((r) => r.body.data);

/** Sends the template to the signed-in user, marked [Test]. */
export const testSendTemplate = (id: string) =>
  request<{ data: SentMail }>('POST', `/api/v1/mail/templates/${id}/test-send`, { body: {} }).then((r) => r.body.data);
