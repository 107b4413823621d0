import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AuditFilterSchema,
  AuditPageSchema,
  AuditQuery,
  ChangeMemberRoleRequest,
  CreateRoleRequest,
  CreateShareRequest,
  MemberParams,
  MemberRoleSchema,
  MemberSchema,
  MyPermissionsSchema,
  RoleKeyParams,
  RoleRefSchema,
  RoleSchema,
  ShareParams,
  ShareRefSchema,
  TeamMemberParams,
  TeamNameRequest,
  TeamParams,
  TeamRefSchema,
  TeamSchema,
  UpdateRoleRequest,
  UpdateWorkspaceSettingsRequest,
  WorkspaceSettingsSchema,
} from '../../../common/contracts/access';
import type { CallerResolver } from '../auth/caller-resolver';
import type { Database } from '../db/database';
import { actorOf } from '../http/context';
import type { RecordService } from '../records/records.service';
import type { AccessService } from './access.service';
import { AccessChanges } from './access-changes';
import { AuditLogService } from './audit-log.service';
import { MembersService } from './members.service';
import { RolesService } from './roles.service';
import { SharesService } from './shares.service';
import { TeamsService } from './teams.service';
import { WorkspaceSettingsService } from './workspace-settings.service';

const tags = ['access'];
const data = <T extends z.ZodType>(schema: T) => z.object({ data: schema });

/** Roles, members, teams, record sharing, settings and the audit log. The server decides; the UI only mirrors. */
export function accessRoutes(deps: {
  database: Database;
  records: RecordService;
  access: AccessService;
  callers: CallerResolver;
}): FastifyPluginAsyncZod {
  const { database, records, access } = deps;
  const changes = new AccessChanges(deps);
  const roles = new RolesService({ database, access, changes, registry: records.registry });
  const members = new MembersService({ database, changes });
  const teams = new TeamsService({ database, changes });
  const shares = new SharesService({ records, changes });
  const settings = new WorkspaceSettingsService({ access, changes });
  const auditLog = new AuditLogService({ access, changes });

  return async (app) => {
    // Roles, members, teams or shares changed on another app server: forget ours now, not at expiry.
    await changes.listen();

    app.get(
      '/api/v1/me/permissions',
      {
        schema: {
          tags,
          summary: 'What the caller may do, per object (for the UI to mirror)',
          response: { 200: data(MyPermissionsSchema) },
        },
      },
      async (req) => ({ data: await roles.myPermissions(actorOf(req)) }),
    );

    app.get(
      '/api/v1/roles',
      {
        schema: {
          tags,
          summary: 'Roles of this workspace with their permissions',
          response: { 200: data(z.array(RoleSchema)) },
        },
      },
      async (req) => ({ data: await roles.list(actorOf(req)) }),
    );

    app.post(
      '/api/v1/roles',
      {
        schema: {
          tags,
          summary: 'Create a custom role (administrators)',
          body: CreateRoleRequest,
          response: { 201: data(RoleRefSchema) },
        },
      },
      async (req, reply) => {
        const role = await roles.create(actorOf(req), req.body);
        return reply.status(201).header('location', `/api/v1/roles/${role.key}`).send({ data: role });
      },
    );

    app.patch(
      '/api/v1/roles/:key',
      {
        schema: {
          tags,
          summary: 'Change a role’s name or permissions (null permissions restore a standard role’s defaults)',
          params: RoleKeyParams,
          body: UpdateRoleRequest,
          response: { 200: data(RoleRefSchema) },
        },
      },
      async (req) => ({ data: await roles.update(actorOf(req), req.params.key, req.body) }),
    );

    app.delete(
      '/api/v1/roles/:key',
      { schema: { tags, summary: 'Delete a custom role no one holds', params: RoleKeyParams } },
      async (req, reply) => {
        await roles.remove(actorOf(req), req.params.key);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/workspace/settings',
      {
        schema: {
          tags,
          summary: 'Workspace settings (administrators): name, audit log retention',
          response: { 200: data(WorkspaceSettingsSchema) },
        },
      },
      async (req) => ({ data: await settings.get(actorOf(req)) }),
    );

    app.patch(
      '/api/v1/workspace/settings',
      {
        schema: {
          tags,
          summary:
            'Change workspace settings (administrators): name, audit log retention in days, who must use two-factor sign-in',
          body: UpdateWorkspaceSettingsRequest,
          response: { 200: data(WorkspaceSettingsSchema) },
        },
      },
      async (req) => ({ data: await settings.update(actorOf(req), req.body) }),
    );

    app.get(
      '/api/v1/members',
      {
        schema: {
          tags,
          summary: 'Members of this workspace with their roles and teams',
          response: { 200: data(z.array(MemberSchema)) },
        },
      },
      async (req) => ({ data: await members.list(actorOf(req)) }),
    );

    app.patch(
      '/api/v1/members/:userId',
      {
        schema: {
          tags,
          summary: 'Change a member’s role (administrators)',
          params: MemberParams,
          body: ChangeMemberRoleRequest,
          response: { 200: data(MemberRoleSchema) },
        },
      },
      async (req) => ({ data: await members.changeRole(actorOf(req), req.params.userId, req.body.role) }),
    );

    app.delete(
      '/api/v1/members/:userId',
      {
        schema: {
          tags,
          summary:
            'Remove a member (administrators): their API keys are revoked; the last administrator cannot be removed',
          params: MemberParams,
        },
      },
      async (req, reply) => {
        await members.remove(actorOf(req), req.params.userId);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/teams',
      { schema: { tags, summary: 'Teams and their members', response: { 200: data(z.array(TeamSchema)) } } },
      async (req) => ({ data: await teams.list(actorOf(req)) }),
    );

    app.post(
      '/api/v1/teams',
      {
        schema: {
          tags,
          summary: 'Create a team (administrators)',
          body: TeamNameRequest,
          response: { 201: data(TeamRefSchema) },
        },
      },
      async (req, reply) => {
        const team = await teams.create(actorOf(req), req.body.name);
        return reply.status(201).header('location', `/api/v1/teams/${team.id}`).send({ data: team });
      },
    );

    app.patch(
      '/api/v1/teams/:id',
      {
        schema: {
          tags,
          summary: 'Rename a team (administrators)',
          params: TeamParams,
          body: TeamNameRequest,
          response: { 200: data(TeamRefSchema) },
        },
      },
      async (req) => ({ data: await teams.rename(actorOf(req), req.params.id, req.body.name) }),
    );

    app.delete(
      '/api/v1/teams/:id',
      {
        schema: {
          tags,
          summary: 'Delete a team (administrators); its records keep existing without a team',
          params: TeamParams,
        },
      },
      async (req, reply) => {
        await teams.remove(actorOf(req), req.params.id);
        return reply.status(204).send();
      },
    );

    app.put(
      '/api/v1/teams/:id/members/:userId',
      { schema: { tags, summary: 'Add a member to a team (administrators)', params: TeamMemberParams } },
      async (req, reply) => {
        await teams.addMember(actorOf(req), req.params.id, req.params.userId);
        return reply.status(204).send();
      },
    );

    app.delete(
      '/api/v1/teams/:id/members/:userId',
      { schema: { tags, summary: 'Remove a member from a team (administrators)', params: TeamMemberParams } },
      async (req, reply) => {
        await teams.removeMember(actorOf(req), req.params.id, req.params.userId);
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/v1/:object/:id/shares',
      {
        schema: {
          tags,
          summary: 'Share a record with a user or a team (who can change the record)',
          params: ShareParams,
          body: CreateShareRequest,
          response: { 201: data(ShareRefSchema) },
        },
      },
      async (req, reply) => {
        const share = await shares.share(actorOf(req), req.params.object, req.params.id, req.body);
        return reply.status(201).send({ data: share });
      },
    );

    app.get(
      '/api/v1/audit-log',
      {
        schema: {
          tags,
          summary: 'Search the audit log (administrators); newest first',
          querystring: AuditQuery,
          response: { 200: AuditPageSchema },
        },
      },
      async (req) => auditLog.search(actorOf(req), req.query),
    );

    app.get(
      '/api/v1/audit-log/export',
      {
        schema: {
          tags,
          summary: 'Export the audit log as CSV (administrators; the export is itself audited)',
          querystring: AuditFilterSchema,
        },
      },
      async (req, reply) => {
        const csv = await auditLog.exportCsv(actorOf(req), req.query);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit-log.csv"')
          .send(csv);
      },
    );
  };
}
