import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TTeam, TTeamRef } from '../../../common/contracts/access';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/database';
import { isPgError } from '../db/pg-errors';
import { AppError, notFound } from '../http/errors';
import type { AccessChanges } from './access-changes';

const nameTaken = () =>
  new AppError('already_exists', 'A team has this name', { errors: [{ path: 'name', message: 'already used' }] });

/** Teams and their members; a team widens the record scope of its members (scope "team"). */
export class TeamsService {
  constructor(private readonly deps: { database: Database; changes: AccessChanges }) {}

  /** Every team with its members' ids, by name (any member may read it). */
  async list(actor: Actor): Promise<TTeam[]> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      const { rows } = await sql<TTeam>`
        select t.id, t.name, coalesce((select array_agg(tm.user_id) from team_members tm where tm.team_id = t.id), '{}') as "memberIds"
        from teams t order by t.name`.execute(tx);
      return rows;
    });
  }

  /** Creates an empty team; 409 naming `name` when one has that name. */
  async create(actor: Actor, name: string): Promise<TTeamRef> {
    const id = uuidv7();
    return this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows } = await sql`insert into teams (workspace_id, id, name)
        values (${actor.workspaceId}, ${id}, ${name}) on conflict do nothing returning id`.execute(tx);
      if (!rows.length) throw nameTaken();
      // No one is in it yet: nobody's record scope changes.
      return { result: { id, name }, audit: { action: 'team.created', detail: { teamId: id, name } } };
    });
  }

  async rename(actor: Actor, id: string, name: string): Promise<TTeamRef> {
    return this.deps.changes.asAdmin(actor, async (tx) => {
      let rows: { old: string }[];
      try {
        ({ rows } = await sql<{ old: string }>`
          update teams t set name = ${name} from teams o
          where o.workspace_id = t.workspace_id and o.id = t.id and t.id = ${id}::uuid returning o.name as old`.execute(
          tx,
        ));
      } catch (err) {
        if (isPgError(err, 'uniqueViolation')) throw nameTaken();
        throw err;
      }
      if (!rows[0]) throw notFound('Team');
      return {
        result: { id, name },
        audit: { action: 'team.renamed', detail: { teamId: id }, changes: { name: [rows[0].old, name] } },
      };
    });
  }

  /** Deletes a team: its memberships go, records of the team keep existing without one. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows } = await sql<{ name: string }>`delete from teams where id = ${id}::uuid returning name`.execute(tx);
      if (!rows[0]) throw notFound('Team');
      return {
        result: undefined,
        audit: { action: 'team.deleted', detail: { teamId: id, name: rows[0].name } },
        stale: {},
      };
    });
  }

  /** Adds a member to a team (already in it: no change, still audited); 404 for another workspace's team or user. */
  async addMember(actor: Actor, teamId: string, userId: string): Promise<void> {
    await this.deps.changes.asAdmin(actor, async (tx) => {
      try {
        await sql`insert into team_members (workspace_id, team_id, user_id)
          values (${actor.workspaceId}, ${teamId}, ${userId}) on conflict do nothing`.execute(tx);
      } catch (err) {
        if (isPgError(err, 'foreignKeyViolation')) throw notFound('Team or member');
        throw err;
      }
      return { result: undefined, audit: { action: 'team.member_added', detail: { teamId, userId } }, stale: {} };
    });
  }

  /** Takes a member out of a team; 404 when they are not in it (or it is another workspace's team or user). */
  async removeMember(actor: Actor, teamId: string, userId: string): Promise<void> {
    await this.deps.changes.asAdmin(actor, async (tx) => {
      const { rows } = await sql`delete from team_members
        where team_id = ${teamId} and user_id = ${userId} returning 1`.execute(tx);
      if (rows.length === 0) throw notFound('Team member');
      return { result: undefined, audit: { action: 'team.member_removed', detail: { teamId, userId } }, stale: {} };
    });
  }
}
