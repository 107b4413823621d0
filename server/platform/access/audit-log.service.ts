import { sql } from 'kysely';
import type { TAuditEntry, TAuditFilter, TAuditPage, TAuditQuery } from '../../../common/contracts/access';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { csvLine } from '../http/csv';
import type { AccessService } from './access.service';
import type { AccessChanges } from './access-changes';

const PAGE = 100;
const EXPORT_LIMIT = 100_000;

const COLUMNS = [
  'id',
  'at',
  'action',
  'actorUserId',
  'actorApiKeyId',
  'object',
  'recordId',
  'changes',
  'detail',
  'ip',
  'requestId',
] as const satisfies readonly (keyof TAuditEntry)[];

/** Searching and exporting the audit log (administrators). Entries are written by `audit()` in access.service.ts. */
export class AuditLogService {
  constructor(private readonly deps: { access: AccessService; changes: AccessChanges }) {}

  /** One page of entries matching `q`, newest first; `nextBefore` continues after the page's last entry. */
  async search(actor: Actor, q: TAuditQuery): Promise<TAuditPage> {
    return this.deps.access.asAdmin(actor, async (tx) => {
      const limit = q.limit ?? PAGE;
      const rows = await entries(tx, q, limit);
      const last = rows[rows.length - 1];
      return { data: rows, page: { nextBefore: rows.length === limit && last ? Number(last.id) : null } };
    });
  }

  /** The entries matching `filter` as CSV (at most 100,000, newest first); the export is itself audited. */
  async exportCsv(actor: Actor, filter: TAuditFilter): Promise<string> {
    const rows = await this.deps.changes.asAdmin(actor, async (tx) => {
      const rows = await entries(tx, filter, EXPORT_LIMIT);
      return { result: rows, audit: { action: 'audit_log.exported', detail: { filter, rows: rows.length } } };
    });
    const lines = [COLUMNS.join(','), ...rows.map((r) => csvLine(COLUMNS.map((c) => r[c])))];
    return `${lines.join('\r\n')}\r\n`;
  }
}

/** Newest first by the numeric column (the text alias "id" would sort 9 after 10). */
async function entries(tx: Tx, q: TAuditFilter & { before?: number }, limit: number): Promise<TAuditEntry[]> {
  const { rows } = await sql<Omit<TAuditEntry, 'at'> & { at: Date }>`
    select id::text, at, action, actor_user_id as "actorUserId", actor_api_key_id as "actorApiKeyId", object, record_id as "recordId",
      changes, detail, ip, request_id as "requestId"
    from audit_log
    where true
      ${q.action ? sql`and action = ${q.action}` : sql``}
      ${q.object ? sql`and object = ${q.object}` : sql``}
      ${q.recordId ? sql`and record_id = ${q.recordId}::uuid` : sql``}
      ${q.actorUserId ? sql`and actor_user_id = ${q.actorUserId}::uuid` : sql``}
      ${q.from ? sql`and at >= ${q.from}::timestamptz` : sql``}
      ${q.to ? sql`and at < ${q.to}::timestamptz` : sql``}
      ${q.before ? sql`and id < ${q.before}` : sql``}
    order by audit_log.id desc limit ${limit}`.execute(tx);
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
