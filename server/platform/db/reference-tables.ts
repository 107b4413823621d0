/**
 * Citus-ready schema (docs/ARCHITECTURE.md, "Running on Citus"). Every table with a
 * `workspace_id` column is a tenant table, distributed by workspace_id; the others are
 * marked here, each with what it becomes on Citus. test/schema-keys.test.ts fails for a
 * tenant table whose primary key, unique constraint, unique index or foreign key to another
 * tenant table lacks workspace_id, and for a table without workspace_id not listed here.
 */
export const NON_TENANT_TABLES: Record<string, string> = {
  workspaces: 'the tenant root: distributed by its id, colocated with the tenant tables',
  users: 'reference table: identity is global (one person, several workspaces)',
  sessions: 'reference table: Better Auth sessions of users',
  auth_accounts: 'reference table: Better Auth credentials of users',
  verifications: 'reference table: Better Auth tokens (email verification, password reset)',
  user_two_factor: 'reference table: a user’s second factor',
  user_recovery_codes: 'reference table: a user’s recovery codes',
  instance_settings: 'reference table: one installation-wide row',
  key_rotations: 'reference table: installation-wide runs of `rapport keys rotate` (they cross workspaces)',
  schema_migrations: 'coordinator only: the migration ledger',
  event_consumers: 'reference table: one cursor per consumer over the whole event log',
  rate_limit_hits: 'reference table: public-endpoint counters keyed by client address',
  job_schedules: 'reference table: the platform’s cron schedules',
};
