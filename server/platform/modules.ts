import type { FastifyBaseLogger as Logger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { addStandardObjectPermissions, type ObjectPermission, type StandardRole } from './access/permissions';
import type { Auth } from './auth/auth';
import type { CallerResolver } from './auth/caller-resolver';
import type { Config } from './config';
import type { SecretBox } from './crypto/secret-box';
import type { Database } from './db/database';
import type { EventConsumer } from './events/dispatcher';
import { registerTriggerEvents } from './events/trigger-events';
import type { JobQueue } from './jobs/job-queue';
import type { InboundMailHandler } from './mail/inbound-mail';
import {
  registerSuppressionCheck,
  registerTemplateVariables,
  type SuppressionCheck,
  type TemplateVariableProvider,
} from './mail/templates.service';
import { type AssignmentNotices, registerAssignmentNotices } from './notifications/assignment-notifier';
import type { StreamSource } from './notifications/notification-hub';
import { type FilterCondition, registerFilterCondition } from './records/filter-conditions';
import type { RecordService } from './records/records.service';
import { type RecordSection, registerRecordSection } from './records/sections';
import type { ObjectDef } from './records/types';
import { registerSharingCheck, type SharingCheck } from './webhooks/sharing';
import { registerWorkflowStep, type WorkflowStepHandler } from './workflow-steps';

/** What a module's routes are built with. */
export interface ModuleRouteDeps {
  config: Config;
  database: Database;
  records: RecordService;
  /** The job queue, for enqueueing background work from a request (its workers run with the background work). */
  jobs: JobQueue;
  /** The clock (the runtime's, injectable in tests): for time-dependent answers such as decayed scores. */
  now: () => Date;
  /** Seals and opens secrets a module stores for reading back (the chat's identity-verification key). */
  secrets: SecretBox;
  /** Resolves credentials again (routes only): a long-lived socket checks its caller is still signed in. */
  callers?: CallerResolver;
}

/** What a module's background work is built with (after the app, so it logs through the app's logger). */
export interface ModuleWorkDeps extends ModuleRouteDeps {
  log: Logger;
}

/**
 * A module's running parts: its event consumers (registered before the dispatcher
 * starts, so tests can drain them without background work) and its pollers, started
 * with the background work and stopped at shutdown. Anything else it returns (a
 * sweeper, a runner) is reachable as `runtime.modules.<name>` for tests.
 */
export interface ModuleWork {
  consumers?: EventConsumer[];
  start?(): void;
  stop?(): Promise<void>;
}

export interface DemoDeps {
  database: Database;
  auth: Auth;
  records: RecordService;
  log: Logger;
  /** The instance SecretBox, for demo data holding a sealed secret (a social connection app secret, a telephony auth token). */
  secrets?: SecretBox;
}

/** A person of the demo workspace, as the start-up banner lists them (one line each, with the password). */
export interface DemoUser {
  email: string;
  name: string;
  /** The role's name ("Sales representative"). */
  role: string;
  team: string | null;
}

export interface DemoLogin {
  /** The demo administrator's email. */
  email: string;
  /** Everyone who can sign in to the demo workspace, the administrator first; all share the password. */
  users: DemoUser[];
  /** The password, only when the demo was created by this call with a generated one (print it once). */
  generatedPassword: string | null;
  /** True when the demo was created by this call. */
  created: boolean;
}

/**
 * A capability module's one registration (server/modules/<name>/index.ts). The
 * runtime and the app read these from the list in server/modules/index.ts and
 * nothing else: a module is added by adding it there.
 */
export interface RapportModule {
  name: string;
  /** Its objects, each an ObjectDef (the record engine gives them CRUD, search, permissions…). */
  objects?: ObjectDef[];
  /** The standard roles' defaults for its objects, over each role's "*" entry. */
  permissions?: Partial<Record<StandardRole, Record<string, ObjectPermission>>>;
  /** A reason mail to an address must not go out (checked before every template send). */
  suppression?: SuppressionCheck;
  /** Records third parties must not receive data about (webhooks marked `sharing` skip their events). */
  sharing?: SharingCheck;
  /** A variable templates can be rendered with ({{ contact.firstName }}). */
  templateVariables?: TemplateVariableProvider;
  /** How its objects tell an assignee (objects not named: their owner, "<Label> assigned to you"). */
  assignmentNotices?: AssignmentNotices;
  /** What it does with inbound mail for its kind of mailbox (support → tickets). */
  inboundMail?: InboundMailHandler;
  /** Behaviour conditions of the filter tree (`{ field: "@visited", op, value }`), compiled by the record engine. */
  filterConditions?: FilterCondition[];
  /** Parts of records' single view that are not relations (the recent timeline), included by name. */
  sections?: RecordSection[];
  /** Endpoints beyond the generic record ones (registered before them). */
  routes?(deps: ModuleRouteDeps): FastifyPluginAsyncZod;
  /** What it pushes to signed-in users over the notifications WebSocket (each reader sees only what they may). */
  streams?(deps: ModuleRouteDeps): StreamSource[];
  /** Workflow step types it carries out (campaigns: `campaign_email`), run by the workflow engine. */
  workflowSteps?: Record<string, WorkflowStepHandler>;
  /** Event types of its own that workflows may start on (`{ type: "event", event }`), e.g. segment.entered. */
  triggers?: readonly string[];
  /** Event consumers, schedules on the job queue and pollers. */
  work?(deps: ModuleWorkDeps): ModuleWork;
  /** Seeds the demo workspace of an empty installation; the demo login while the demo user exists, else null. */
  demo?(deps: DemoDeps, opts: { password?: string }): Promise<DemoLogin | null>;
}

/** Declares a module, keeping its literal type (its name, what its work returns) for `runtime.modules`. */
export const defineModule = <const M extends RapportModule>(module: M): M => module;

/** Each module's work, by module name, as its `work` returned it. */
export type ModuleWorks<Ms extends readonly RapportModule[]> = {
  [M in Ms[number] as M extends { work(deps: ModuleWorkDeps): ModuleWork } ? M['name'] : never]: M extends {
    work(deps: ModuleWorkDeps): infer W;
  }
    ? W
    : never;
};

/**
 * Registers the modules' process-wide rules: suppression and sharing checks, template variables,
 * assignment notices, record sections, workflow trigger events and the standard roles' permission defaults. Idempotent (tests start several runtimes).
 */
export function registerModuleRules(modules: readonly RapportModule[]): void {
  for (const m of modules) {
    if (m.suppression) registerSuppressionCheck(m.suppression);
    if (m.sharing) registerSharingCheck(m.sharing);
    if (m.templateVariables) registerTemplateVariables(m.templateVariables);
    if (m.assignmentNotices) registerAssignmentNotices(m.assignmentNotices);
    if (m.permissions) addStandardObjectPermissions(m.permissions);
    for (const section of m.sections ?? []) registerRecordSection(section);
    for (const condition of m.filterConditions ?? []) registerFilterCondition(condition);
    if (m.triggers) registerTriggerEvents(m.triggers);
    for (const [type, handler] of Object.entries(m.workflowSteps ?? {})) registerWorkflowStep(type, handler);
  }
}
