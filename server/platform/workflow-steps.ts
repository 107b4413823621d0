import type { Database, Tx } from './db/database';
import type { RecordService } from './records/records.service';

/** What a module's workflow step sees (inside the step's tenant transaction). */
export interface WorkflowStepInput {
  database: Database;
  records: RecordService;
  /** config.baseUrl and config.mailDomain: links and Message-IDs. */
  mail: { baseUrl: string; mailDomain: string };
  workspaceId: string;
  /** The run's record (its object and id); null for runs without one. */
  object: string | null;
  recordId: string | null;
  /** The user the workflow runs as. */
  actorUserId: string | null;
  /** The step row's id: stable across retries, so effects keyed on it happen once. */
  stepRowId: string;
  /** The run's trigger data (a sequence's run names its sequence and campaign). */
  triggerData: Record<string, unknown>;
  now: Date;
  /** The step as the definition holds it (validated by the workflows contract). */
  step: Record<string, unknown>;
}

/**
 * A workflow step type another module carries out (campaigns: `campaign_email`), so the
 * workflow engine runs it without depending on that module (modules register handlers
 * through RapportModule.workflowSteps; the step's shape stays in the workflows contract).
 */
export interface WorkflowStepHandler {
  /** Outside any transaction, once before the first step it runs (e.g. loading a signing key). */
  prepare?(database: Database): Promise<void>;
  /** In the step's transaction; a domain error (AppError) fails the step, anything else is retried. */
  run(tx: Tx, input: WorkflowStepInput): Promise<{ status: 'completed' | 'skipped'; output?: Record<string, unknown> }>;
}

const HANDLERS = new Map<string, WorkflowStepHandler>();

/** Registers the handler of a step type (idempotent per type: the last registration wins). */
export function registerWorkflowStep(type: string, handler: WorkflowStepHandler): void {
  HANDLERS.set(type, handler);
}

export function workflowStepHandler(type: string): WorkflowStepHandler | undefined {
  return HANDLERS.get(type);
}

export function workflowStepHandlers(): WorkflowStepHandler[] {
  return [...HANDLERS.values()];
}
