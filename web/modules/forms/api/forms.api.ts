import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { FormRequest, FormSchema, FormSubmissionSchema } from '../../../../common/contracts/audience';
import { getJson, request } from '../../../lib/http';

export type Form = z.infer<typeof FormSchema>;
export type FormInput = z.input<typeof FormRequest>;
export type FormSubmission = z.infer<typeof FormSubmissionSchema>;

export const formsQuery = queryOptions({
  queryKey: ['forms'],
  queryFn: ({ signal }) => getJson<{ data: Form[] }>('/api/v1/forms', signal).then((r) => r.data),
});

export const formQuery = (id: string) =>
  queryOptions({
    queryKey: ['forms', id],
    queryFn: ({ signal }) => getJson<{ data: Form }>(`/api/v1/forms/${id}`, signal).then((r) => r.data),
  });

export const submissionsQuery = (id: string) =>
  queryOptions({
    queryKey: ['forms', id, 'submissions'],
    queryFn: ({ signal }) =>
      getJson<{ data: FormSubmission[] }>(`/api/v1/forms/${id}/submissions`, signal).then((r) => r.data),
  });

export const createForm = (input: FormInput) =>
  request<{ data: Pick<Form, 'id' | 'url'> }>('POST', '/api/v1/forms', { body: input }).then((r) => r.body.data);

export const updateForm = (id: string, input: FormInput) =>
  request<{ data: Form }>('PUT', `/api/v1/forms/${id}`, { body: input }).then((r) => r.body.data);

export const deleteForm = (id: string) => request<void>('DELETE', `/api/v1/forms/${id}`);
