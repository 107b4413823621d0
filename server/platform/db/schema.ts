import type { ColumnType, Generated } from 'kysely';

/** Kysely table types for the platform tables (server/migrations/0001_platform.sql). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** A role key: one of the five standard roles or a workspace's custom role. */
export type RoleKey = string;

export interface UsersTable {
  id: string;
  name: string;
  email: string;
  email_verified: Generated<boolean>;
  /** An address asked for at sign-up that another account holds: not claimed until verified (issue 12.9). */
  pending_email: string | null;
  image: string | null;
  default_workspace_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkspaceMembersTable {
  workspace_id: string;
  user_id: string;
  role: RoleKey;
  created_at: Timestamp;
}

export interface InvitationsTable {
  workspace_id: string;
  id: string;
  email: string;
  role: RoleKey;
  token_hash: string;
  invited_by: string | null;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_by: string | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  workspace_id: string;
  id: string;
  name: string;
  key_prefix: string;
  key_hash: string;
  role: RoleKey;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** Fixed-window counters of named rate limits and sign-in throttling (0013_auth_hardening.sql). */
export interface RateLimitHitsTable {
  name: string;
  key: string;
  hits: number;
  window_ends: Timestamp;
}

export interface MailOutboxTable {
  workspace_id: string;
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  /** Carries a secret of its recipient: the body is sent but never shown in the outbox. */
  confidential: Generated<boolean>;
  /** A Message-ID chosen by the sender (a ticket reply), without brackets (0021_tickets.sql). */
  message_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Threading and loop headers (In-Reply-To, References, Auto-Submitted). */
  headers: ColumnType<Record<string, string>, string | undefined, string>;
  /** Files sent with the mail, content base64 (0026_service_desk.sql). */
  attachments: ColumnType<{ filename: string; contentType: string; content: string }[], string | undefined, string>;
  /** The From of a workspace's sender identity (0027_campaigns.sql); null: the instance's MAIL_FROM. */
  from_address: ColumnType<string | null, string | null | undefined, string | null>;
  /** An iTIP message sent as the mail's text/calendar part (0047_invitations_exports_import_records.sql). */
  calendar: ColumnType<{ method: string; content: string } | null, string | null | undefined, string | null>;
  status: ColumnType<
    'queued' | 'sent' | 'failed' | 'held',
    'queued' | 'held' | undefined,
    'queued' | 'sent' | 'failed' | 'held'
  >;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface SchemaMigrationsTable {
  version: string;
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

export interface DB {
  users: UsersTable;
  workspaces: WorkspacesTable;
  workspace_members: WorkspaceMembersTable;
  invitations: InvitationsTable;
  api_keys: ApiKeysTable;
  rate_limit_hits: RateLimitHitsTable;
  mail_outbox: MailOutboxTable;
  schema_migrations: SchemaMigrationsTable;
}
