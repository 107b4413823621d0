import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import { RoleKeySchema } from '../../../common/contracts/platform';
import type { Actor } from '../auth/actor';
import type { CallerResolver } from '../auth/caller-resolver';
import type { Database, Tx } from '../db/database';
import { isPgError } from '../db/pg-errors';
import { actorOf } from '../http/context';
import { csvLine } from '../http/csv';
import { AppError, notFound } from '../http/errors';
import type { RecordService } from '../records/records.service';
import {
  ACCESS_CHANNEL,
  type AccessChange,
  type AccessService,
  audit,
  notifyAccessChange,
  parseAccessChange,
} from './access.service';
import {
  assertAnAdministratorRemains,
  deleteTeam,
  getSettings,
  removeMember,
  renameTeam,
  updateSettings,
} from './admin.service';
import { RolePermissionsSchema, STANDARD_PERMISSIONS, type StandardRole } from './permissions';

const Uuid = z.uuid();

/** Roles, members, teams, record sharing and the audit log. The server decides; the UI only mirrors. */
export function accessRoutes(deps: {
  database: Database;
  records: RecordService;
  access: AccessService;
  callers: CallerResolver;
}): FastifyPluginAsyncZod {
  const { database, records, access, callers } = deps;

  /** Runs an administration change as the actor, after checking they administer the workspace. */
  const asAdmin = <T>(actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> => access.asAdmin(actor, fn);

  /** Drops this server's cached policies after a change (other servers hear the NOTIFY). */
  const forget = (change: AccessChange) => {
    access.forgetWorkspace(change.workspaceId);
    if (change.userId) callers.forgetMember(change.userId);
    for (const id of change.apiKeyIds ?? []) callers.forgetApiKey(id);
  };

  return async (app) => {
    // Roles, members, teams or shares changed on another app server: forget ours now, not at expiry.
    await database.listen(ACCESS_CHANNEL, (payload) => {
      const change = parseAccessChange(payload);
      if (change) forget(change);
    });

    app.get(
      '/api/v1/me/permissions',
      { schema: { tags: ['access'], summary: 'What the caller may do, per object (for the UI to mirror)' } },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          const policy = await access.policy(tx, actor);
          const objects = Object.fromEntries(
            records.registry.all().map((o) => {
              const p = policy.object(o.name);
              return [
                o.name,
                {
                  create: p.create,
                  read: p.read,
                  update: p.update,
                  delete: p.delete,
                  export: p.export,
                  scope: p.scope,
                  fields: p.fields,
                },
              ];
            }),
          );
          return { data: { role: actor.role, admin: policy.admin, teamIds: policy.teamIds, objects } };
        });
      },
    );

    app.get(
      '/api/v1/roles',
      { schema: { tags: ['access'], summary: 'Roles of this workspace with their permissions' } },
      async (req) => {
        const actor = actorOf(req);
        return asAdmin(actor, async (tx) => {
          const { rows } = await sql<{
            key: string;
            name: string;
            description: string | null;
            standard: boolean;
            permissions: unknown;
          }>`
          select key, name, description, standard, permissions from roles order by standard desc, key`.execute(tx);
          return {
            data: rows.map((r) => ({
              ...r,
              permissions: r.permissions ?? STANDARD_PERMISSIONS[r.key as StandardRole] ?? { objects: {} },
              customised: r.standard && r.permissions !== null,
            })),
          };
        });
      },
    );

    app.post(
      '/api/v1/roles',
      {
        schema: {
          tags: ['access'],
          summary: 'Create a custom role (administrators)',
          body: z
            .object({
              key: RoleKeySchema,
              name: z.string().trim().min(1).max(100),
              description: z.string().max(500).optional(),
              permissions: RolePermissionsSchema,
            })
            .strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const body = req.body;
        await asAdmin(actor, async (tx) => {
          const { rows } = await sql`insert into roles (workspace_id, key, name, description, permissions)
            values (${actor.workspaceId}, ${body.key}, ${body.name}, ${body.description ?? null}, ${JSON.stringify(body.permissions)}::jsonb)
            on conflict do nothing returning key`.execute(tx);
          if (rows.length === 0)
            throw new AppError('already_exists', `Role "${body.key}" exists`, {
              errors: [{ path: 'key', message: 'already exists' }],
            });
          await audit(tx, actor, { action: 'role.created', detail: { role: body.key, permissions: body.permissions } });
          await notifyAccessChange(tx, { workspaceId: actor.workspaceId });
        });
        forget({ workspaceId: actor.workspaceId });
        return reply
          .status(201)
          .header('location', `/api/v1/roles/${body.key}`)
          .send({ data: { key: body.key } });
      },
    );

    app.patch(
      '/api/v1/roles/:key',
      {
        schema: {
          tags: ['access'],
          summary: 'Change a role’s name or permissions (null permissions restore a standard role’s defaults)',
          params: z.object({ key: RoleKeySchema }).strict(),
          body: z
            .object({
              name: z.string().trim().min(1).max(100).optional(),
              description: z.string().max(500).nullable().optional(),
              permissions: RolePermissionsSchema.nullable().optional(),
            })
            .strict(),
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const { key } = req.params;
        const body = req.body;
        await asAdmin(actor, async (tx) => {
          const { rows } = await sql<{
            standard: boolean;
            permissions: unknown;
          }>`select standard, permissions from roles where key = ${key} for update`.execute(tx);
          const role = rows[0];
          if (!role) throw notFound('Role');
          if (body.permissions === null && !role.standard) {
            throw new AppError('validation_failed', 'Only standard roles have defaults', {
              errors: [{ path: 'permissions', message: 'required for a custom role' }],
            });
          }
          await sql`update roles set name = coalesce(${body.name ?? null}, name),
            description = ${body.description === undefined ? sql`description` : sql`${body.description}`},
            permissions = ${body.permissions === undefined ? sql`permissions` : sql`${body.permissions === null ? null : JSON.stringify(body.permissions)}::jsonb`},
            updated_at = now() where key = ${key}`.execute(tx);
          await audit(tx, actor, {
            action: 'role.changed',
            detail: { role: key, from: role.permissions, to: body.permissions, name: body.name },
          });
          await assertAnAdministratorRemains(tx);
          await notifyAccessChange(tx, { workspaceId: actor.workspaceId });
        });
        forget({ workspaceId: actor.workspaceId });
        return { data: { key } };
      },
    );

    app.delete(
      '/api/v1/roles/:key',
      {
        schema: {
          tags: ['access'],
          summary: 'Delete a custom role no one holds',
          params: z.object({ key: RoleKeySchema }).strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await asAdmin(actor, async (tx) => {
          const { rows } = await sql<{
            standard: boolean;
          }>`select standard from roles where key = ${req.params.key}`.execute(tx);
          if (!rows[0]) throw notFound('Role');
          if (rows[0].standard) throw new AppError('conflict', 'Standard roles cannot be deleted');
          const used =
            await sql`select 1 from workspace_members where role = ${req.params.key} union all select 1 from api_keys where role = ${req.params.key} and revoked_at is null limit 1`.execute(
              tx,
            );
          if (used.rows.length) throw new AppError('conflict', 'Members or API keys still hold this role');
          try {
            await sql`delete from roles where key = ${req.params.key}`.execute(tx);
          } catch (err) {
            // Revoked API keys still name their role (their history stays readable).
            if (isPgError(err, 'foreignKeyViolation'))
              throw new AppError('conflict', 'Revoked API keys still name this role; it cannot be deleted');
            throw err;
          }
          await audit(tx, actor, { action: 'role.deleted', detail: { role: req.params.key } });
          await notifyAccessChange(tx, { workspaceId: actor.workspaceId });
        });
        forget({ workspaceId: actor.workspaceId });
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/workspace/settings',
      { schema: { tags: ['access'], summary: 'Workspace settings (administrators): name, audit log retention' } },
      async (req) => {
        const actor = actorOf(req);
        return { data: await asAdmin(actor, getSettings) };
      },
    );

    app.patch(
      '/api/v1/workspace/settings',
      {
        schema: {
          tags: ['access'],
          summary: 'Change workspace settings (administrators): name, audit log retention in days',
          body: z
            .object({
              name: z.string().trim().min(1).max(200).optional(),
              auditRetentionDays: z.number().int().min(30).max(3650).optional(),
            })
            .strict(),
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await asAdmin(actor, (tx) => updateSettings(tx, actor, req.body)) };
      },
    );

    app.get(
      '/api/v1/members',
      { schema: { tags: ['access'], summary: 'Members of this workspace with their roles and teams' } },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, async (tx) => {
          const { rows } = await sql`select u.id, u.name, u.email, m.role, m.created_at as "joinedAt",
            coalesce((select array_agg(tm.team_id) from team_members tm where tm.user_id = u.id), '{}') as "teamIds"
          from workspace_members m join users u on u.id = m.user_id order by u.name`.execute(tx);
          return { data: rows };
        });
      },
    );

    app.patch(
      '/api/v1/members/:userId',
      {
        schema: {
          tags: ['access'],
          summary: 'Change a member’s role (administrators)',
          params: z.object({ userId: Uuid }).strict(),
          body: z.object({ role: RoleKeySchema }).strict(),
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await asAdmin(actor, async (tx) => {
          const { rows: exists } = await sql`select 1 from roles where key = ${req.body.role}`.execute(tx);
          if (!exists.length)
            throw new AppError('validation_failed', 'No such role', {
              errors: [{ path: 'role', message: 'is not a role of this workspace' }],
            });
          const { rows } = await sql<{ role: string }>`update workspace_members m set role = ${req.body.role}
            from workspace_members old where old.workspace_id = m.workspace_id and old.user_id = m.user_id and m.user_id = ${req.params.userId}::uuid
            returning old.role`.execute(tx);
          if (!rows[0]) throw notFound('Member');
          await audit(tx, actor, {
            action: 'member.role_changed',
            detail: { userId: req.params.userId, from: rows[0].role, to: req.body.role },
          });
          await assertAnAdministratorRemains(tx);
          await notifyAccessChange(tx, { workspaceId: actor.workspaceId, userId: req.params.userId });
        });
        forget({ workspaceId: actor.workspaceId, userId: req.params.userId });
        return { data: { userId: req.params.userId, role: req.body.role } };
      },
    );

    app.delete(
      '/api/v1/members/:userId',
      {
        schema: {
          tags: ['access'],
          summary:
            'Remove a member (administrators): their API keys are revoked; the last administrator cannot be removed',
          params: z.object({ userId: Uuid }).strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const { revokedKeyIds } = await asAdmin(actor, (tx) => removeMember(tx, actor, req.params.userId));
        forget({ workspaceId: actor.workspaceId, userId: req.params.userId, apiKeyIds: revokedKeyIds });
        return reply.status(204).send();
      },
    );

    app.get('/api/v1/teams', { schema: { tags: ['access'], summary: 'Teams and their members' } }, async (req) => {
      const actor = actorOf(req);
      return database.tenantRead(actor.workspaceId, async (tx) => {
        const { rows } =
          await sql`select t.id, t.name, coalesce((select array_agg(tm.user_id) from team_members tm where tm.team_id = t.id), '{}') as "memberIds"
          from teams t order by t.name`.execute(tx);
        return { data: rows };
      });
    });

    app.post(
      '/api/v1/teams',
      {
        schema: {
          tags: ['access'],
          summary: 'Create a team (administrators)',
          body: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const id = uuidv7();
        await asAdmin(actor, async (tx) => {
          const { rows } =
            await sql`insert into teams (workspace_id, id, name) values (${actor.workspaceId}, ${id}, ${req.body.name}) on conflict do nothing returning id`.execute(
              tx,
            );
          if (!rows.length)
            throw new AppError('already_exists', 'A team has this name', {
              errors: [{ path: 'name', message: 'already used' }],
            });
          await audit(tx, actor, { action: 'team.created', detail: { teamId: id, name: req.body.name } });
        });
        return reply
          .status(201)
          .header('location', `/api/v1/teams/${id}`)
          .send({ data: { id, name: req.body.name } });
      },
    );

    app.patch(
      '/api/v1/teams/:id',
      {
        schema: {
          tags: ['access'],
          summary: 'Rename a team (administrators)',
          params: z.object({ id: Uuid }).strict(),
          body: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await asAdmin(actor, (tx) => renameTeam(tx, actor, req.params.id, req.body.name)) };
      },
    );

    app.delete(
      '/api/v1/teams/:id',
      {
        schema: {
          tags: ['access'],
          summary: 'Delete a team (administrators); its records keep existing without a team',
          params: z.object({ id: Uuid }).strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await asAdmin(actor, (tx) => deleteTeam(tx, actor, req.params.id));
        forget({ workspaceId: actor.workspaceId });
        return reply.status(204).send();
      },
    );

    app.put(
      '/api/v1/teams/:id/members/:userId',
      {
        schema: {
          tags: ['access'],
          summary: 'Add a member to a team (administrators)',
          params: z.object({ id: Uuid, userId: Uuid }).strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await asAdmin(actor, async (tx) => {
          try {
            await sql`insert into team_members (workspace_id, team_id, user_id) values (${actor.workspaceId}, ${req.params.id}, ${req.params.userId}) on conflict do nothing`.execute(
              tx,
            );
          } catch (err) {
            if (isPgError(err, 'foreignKeyViolation')) throw notFound('Team or member');
            throw err;
          }
          await audit(tx, actor, {
            action: 'team.member_added',
            detail: { teamId: req.params.id, userId: req.params.userId },
          });
          await notifyAccessChange(tx, { workspaceId: actor.workspaceId });
        });
        forget({ workspaceId: actor.workspaceId });
        return reply.status(204).send();
      },
    );

    app.delete(
      '/api/v1/teams/:id/members/:userId',
      {
        schema: {
          tags: ['access'],
          summary: 'Remove a member from a team (administrators)',
          params: z.object({ id: Uuid, userId: Uuid }).strict(),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await asAdmin(actor, async (tx) => {
          const { rows } =
            await sql`delete from team_members where team_id = ${req.params.id} and user_id = ${req.params.userId} returning 1`.execute(
              tx,
            );
          // Not a member of that team (or another workspace's team or user): 404, like adding one.
          if (rows.length === 0) throw notFound('Team member');
          await audit(tx, actor, {
            action: 'team.member_removed',
            detail: { teamId: req.params.id, userId: req.params.userId },
          });
          await notifyAccessChange(tx, { workspaceId: actor.workspaceId });
        });
        forget({ workspaceId: actor.workspaceId });
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/:object/:id/shares',
      {
        schema: {
          tags: ['access'],
          summary: 'Share a record with a user or a team (who can change the record)',
          params: z.object({ object: z.string().max(64), id: Uuid }).strict(),
          body: z
            .object({
              userId: Uuid.optional(),
              teamId: Uuid.optional(),
              access: z.enum(['read', 'edit']).default('read'),
            })
            .strict()
            .refine((b) => !!b.userId !== !!b.teamId, {
              message: 'give exactly one of userId or teamId',
              path: ['userId'],
            }),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const { object, id } = req.params;
        const shareId = uuidv7();
        await database.tenant(actor.workspaceId, async (tx) => {
          const ctx = await records.context(tx, actor, object, 'update');
          const { rows } =
            await sql`select t.id from ${sql.table(ctx.schema.def.table)} t where t.id = ${id}::uuid and t.deleted_at is null
            ${(() => {
              const v = ctx.visible(object, 't', 'write');
              return v ? sql`and ${v}` : sql``;
            })()}`.execute(tx);
          if (!rows.length) throw notFound(ctx.schema.def.label);
          try {
            await sql`insert into record_shares (workspace_id, id, object, record_id, user_id, team_id, access, created_by)
              values (${actor.workspaceId}, ${shareId}, ${object}, ${id}, ${req.body.userId ?? null}, ${req.body.teamId ?? null}, ${req.body.access}, ${actor.userId})`.execute(
              tx,
            );
          } catch (err) {
            if (isPgError(err, 'foreignKeyViolation'))
              throw new AppError('validation_failed', 'No such member or team', {
                errors: [{ path: req.body.userId ? 'userId' : 'teamId', message: 'does not exist in this workspace' }],
              });
            if (isPgError(err, 'uniqueViolation')) throw new AppError('already_exists', 'Already shared with them');
            throw err;
          }
          await audit(tx, actor, {
            action: 'record.shared',
            object,
            recordId: id,
            detail: { userId: req.body.userId, teamId: req.body.teamId, access: req.body.access },
          });
          await notifyAccessChange(tx, { workspaceId: actor.workspaceId });
        });
        forget({ workspaceId: actor.workspaceId });
        return reply.status(201).send({ data: { id: shareId } });
      },
    );

    const AuditQuery = z
      .object({
        action: z.string().max(100).optional(),
        object: z.string().max(64).optional(),
        recordId: Uuid.optional(),
        actorUserId: Uuid.optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
        before: z.coerce.number().int().positive().optional().describe('id of the last entry of the previous page'),
      })
      .strict();

    // Newest first by the numeric column (the text alias "id" would sort 9 after 10).
    const searchAudit = (tx: Tx, q: z.infer<typeof AuditQuery>, limit: number) =>
      sql<Record<string, unknown>>`
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

    app.get(
      '/api/v1/audit-log',
      {
        schema: {
          tags: ['access'],
          summary: 'Search the audit log (administrators); newest first',
          querystring: AuditQuery,
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return asAdmin(actor, async (tx) => {
          const limit = req.query.limit ?? 100;
          const { rows } = await searchAudit(tx, req.query, limit);
          const last = rows[rows.length - 1];
          return { data: rows, page: { nextBefore: rows.length === limit && last ? Number(last.id) : null } };
        });
      },
    );

    app.get(
      '/api/v1/audit-log/export',
      {
        schema: {
          tags: ['access'],
          summary: 'Export the audit log as CSV (administrators; the export is itself audited)',
          querystring: AuditQuery.omit({ before: true, limit: true }),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const rows = await asAdmin(actor, async (tx) => {
          const { rows } = await searchAudit(tx, req.query, 100_000);
          await audit(tx, actor, { action: 'audit_log.exported', detail: { filter: req.query, rows: rows.length } });
          return rows;
        });
        const cols = [
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
        ];
        const csv = [cols.join(','), ...rows.map((r) => csvLine(cols.map((c) => r[c])))].join('\r\n');
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit-log.csv"')
          .send(`${csv}\r\n`);
      },
    );
  };
}
