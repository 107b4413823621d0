import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  RunDetailSchema,
  RunPageSchema,
  RunSchema,
  RunStatusSchema,
  RunStepSchema,
  STEP_TYPES,
  TriggerSchema,
  WorkflowRequest,
  WorkflowSchema,
  WorkflowVersionSchema,
} from '../../../../common/contracts/workflows';
import type { FilterNode } from '../../../../common/filter';
import { getJson, request } from '../../../lib/http';

export type TriggerType = z.infer<typeof TriggerSchema>['type'];

/*
 * The builder's draft of a definition: looser than the contract's Definition (a trigger
 * or step being edited may lack required settings); the server validates it against
 * DefinitionSchema when it is saved. A stored Definition is always a valid draft.
 */
export interface Trigger {
  type: TriggerType;
  object?: string;
  field?: string;
  from?: unknown;
  to?: unknown;
  offsetDays?: number;
  atTime?: string;
  cron?: string;
  /** For `event` triggers: the event type (segment.entered…). */
  event?: string;
}

export type StepType = (typeof STEP_TYPES)[number];

/** A step: `id`, `type` and the type's settings (see the API guide). */
export interface Step {
  id: string;
  type: StepType;
  [key: string]: unknown;
}

export interface Definition {
  trigger: Trigger;
  conditions?: FilterNode;
  steps: Step[];
}

export type Workflow = Omit<z.infer<typeof WorkflowSchema>, 'definition'> & { definition: Definition };

export type WorkflowVersion = Omit<z.infer<typeof WorkflowVersionSchema>, 'definition'> & { definition: Definition };

export type RunStatus = z.infer<typeof RunStatusSchema>;

export type Run = z.infer<typeof RunSchema>;

export type RunStep = z.infer<typeof RunStepSchema>;

export type RunDetail = z.infer<typeof RunDetailSchema>;

export const workflowsQuery = queryOptions({
  queryKey: ['workflows'],
  queryFn: ({ signal }) => getJson<{ data: Workflow[] }>('/api/v1/workflows', signal).then((r) => r.data),
});

export const workflowQuery = (id: string) =>
  queryOptions({
    queryKey: ['workflows', id],
    queryFn: ({ signal }) => getJson<{ data: Workflow }>(`/api/v1/workflows/${id}`, signal).then((r) => r.data),
  });

export const versionsQuery = (id: string) =>
  queryOptions({
    queryKey: ['workflows', id, 'versions'],
    queryFn: ({ signal }) =>
      getJson<{ data: WorkflowVersion[] }>(`/api/v1/workflows/${id}/versions`, signal).then((r) => r.data),
  });

export const runsQuery = (id: string) =>
  queryOptions({
    queryKey: ['workflows', id, 'runs'],
    queryFn: ({ signal }) =>
      getJson<z.infer<typeof RunPageSchema>>(`/api/v1/workflows/${id}/runs?limit=100`, signal).then((r) => r.data),
    refetchInterval: 3000,
  });

export const runQuery = (id: string, runId: string) =>
  queryOptions({
    queryKey: ['workflows', id, 'runs', runId],
    queryFn: ({ signal }) =>
      getJson<{ data: RunDetail }>(`/api/v1/workflows/${id}/runs/${runId}`, signal).then((r) => r.data),
    refetchInterval: 3000,
  });

export type WorkflowInput = Omit<z.input<typeof WorkflowRequest>, 'definition'> & { definition: Definition };

export const createWorkflow = (input: WorkflowInput) =>
  request<{ data: Workflow }>('POST', '/api/v1/workflows', { body: input }).then((r) => r.body.data);

export const updateWorkflow = (id: string, input: Omit<WorkflowInput, 'active'>) =>
  request<{ data: Workflow }>('PATCH', `/api/v1/workflows/${id}`, { body: input }).then((r) => r.body.data);

export const setActive = (id: string, active: boolean, version?: number) =>
  request<{ data: Workflow }>('POST', `/api/v1/workflows/${id}/${active ? 'activate' : 'deactivate'}`, {
    body: active && version ? { version } : undefined,
  }).then((r) => r.body.data);

/** A new inbound hook address; the old one stops working. */
export const rotateHookSecret = (id: string) =>
  request<{ data: Workflow }>('POST', `/api/v1/workflows/${id}/rotate-hook-secret`).then((r) => r.body.data);

export const deleteWorkflow = (id: string) => request<void>('DELETE', `/api/v1/workflows/${id}`);

export const retryStep = (id: string, runId: string, stepId: string) =>
  request<{ data: RunDetail }>('POST', `/api/v1/workflows/${id}/runs/${runId}/steps/${stepId}/retry`).then(
    (r) => r.body.data,
  );
