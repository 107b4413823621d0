import { queryOptions } from '@tanstack/react-query';
import type { FilterNode } from '../../../../common/filter';
import { getJson, request } from '../../../lib/http';

/** Mirrors server/modules/workflows/workflow-definition.ts (the server validates; this only types the UI). */
export type TriggerType =
  | 'record_created'
  | 'field_changed'
  | 'stage_moved'
  | 'date_reached'
  | 'schedule'
  | 'webhook'
  | 'manual';

export interface Trigger {
  type: TriggerType;
  object?: string;
  field?: string;
  from?: unknown;
  to?: unknown;
  offsetDays?: number;
  atTime?: string;
  cron?: string;
}

export type StepType =
  | 'update_fields'
  | 'create_task'
  | 'assign_owner'
  | 'add_tag'
  | 'remove_tag'
  | 'send_email'
  | 'notify'
  | 'webhook'
  | 'create_record'
  | 'wait'
  | 'branch';

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

export interface Workflow {
  id: string;
  name: string;
  description: string | null;
  active: boolean;
  activeVersion: number | null;
  latestVersion: number;
  activatedAt: string | null;
  runAsUserId: string | null;
  definition: Definition;
  /** The inbound hook's path, only in the answer that made it (create, switch to a webhook trigger, rotate). */
  hookUrl: string | null;
  updatedAt: string;
  lastRunAt?: string | null;
}

export interface WorkflowVersion {
  version: number;
  definition: Definition;
  createdBy: string | null;
  createdAt: string;
}

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface Run {
  id: string;
  version: number;
  status: RunStatus;
  triggerType: string;
  object: string | null;
  recordId: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface RunStep {
  id: string;
  stepId: string;
  type: string;
  status: 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'skipped';
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  wakeAt: string | null;
  output: Record<string, unknown> | null;
  error: string | null;
}

export interface RunDetail extends Run {
  steps: RunStep[];
}

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
      getJson<{ data: Run[] }>(`/api/v1/workflows/${id}/runs?limit=100`, signal).then((r) => r.data),
    refetchInterval: 3000,
  });

export const runQuery = (id: string, runId: string) =>
  queryOptions({
    queryKey: ['workflows', id, 'runs', runId],
    queryFn: ({ signal }) =>
      getJson<{ data: RunDetail }>(`/api/v1/workflows/${id}/runs/${runId}`, signal).then((r) => r.data),
    refetchInterval: 3000,
  });

export interface WorkflowInput {
  name: string;
  description?: string | null;
  definition: Definition;
  active?: boolean;
}

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
