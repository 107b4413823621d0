import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { STANDARD_ROLE_NAMES, type StandardRole } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import type { Auth } from '../../platform/auth/auth';
import type { Database, Tx } from '../../platform/db/database';
import type { DemoUser } from '../../platform/modules';
import { addMember, createUser } from '../../platform/workspaces/identity.service';

export const DEMO_EMAIL = 'demo@rapport.local';

/** Who works in the demo workspace: one person per way of using Rapport, in teams. */
export const DEMO_PEOPLE = [
  { key: 'dana', name: 'Dana Demo', email: DEMO_EMAIL, role: 'administrator', team: null },
  { key: 'sam', name: 'Sam Rivera', email: 'sam.rivera@rapport.local', role: 'sales_rep', team: 'Sales EMEA' },
  { key: 'jonas', name: 'Jonas Weber', email: 'jonas.weber@rapport.local', role: 'sales_rep', team: 'Sales EMEA' },
  {
    key: 'priya',
    name: 'Priya Nair',
    email: 'priya.nair@rapport.local',
    role: 'sales_rep',
    team: 'Sales Americas',
  },
  {
    key: 'marco',
    name: 'Marco Bianchi',
    email: 'marco.bianchi@rapport.local',
    role: 'marketing_manager',
    team: 'Marketing',
  },
  {
    key: 'chloe',
    name: 'Chloé Martin',
    email: 'chloe.martin@rapport.local',
    role: 'service_rep',
    team: 'Customer Care',
  },
] as const satisfies readonly { key: string; name: string; email: string; role: StandardRole; team: string | null }[];

export type DemoPersonKey = (typeof DEMO_PEOPLE)[number]['key'];

/** The demo's people, each with their user id and an actor to write as them. */
export type DemoCrew = Record<DemoPersonKey, { id: string; name: string; actor: Actor }>;

export const demoUsers = (): DemoUser[] =>
  DEMO_PEOPLE.map((p) => ({
    email: p.email,
    name: p.name,
    role: STANDARD_ROLE_NAMES[p.role],
    team: p.team,
  }));

/**
 * Creates the demo's colleagues of the administrator (who signed up with the workspace),
 * all with the demo password, as members in their roles.
 */
export async function createDemoPeople(
  deps: { database: Database; auth: Auth },
  workspaceId: string,
  adminId: string,
  password: string,
): Promise<DemoCrew> {
  const crew = {} as DemoCrew;
  for (const p of DEMO_PEOPLE) {
    const id =
      p.key === 'dana' ? adminId : (await createUser(deps, { name: p.name, email: p.email, password }, {})).userId;
    if (p.key !== 'dana') await addMember(deps.database, workspaceId, id, p.role);
    crew[p.key] = { id, name: p.name, actor: { kind: 'user', userId: id, workspaceId, role: p.role, scopes: [] } };
  }
  return crew;
}

/** The teams (Sales EMEA, Sales Americas, Marketing, Customer Care) with their members; team id by name. */
export async function createDemoTeams(tx: Tx, workspaceId: string, crew: DemoCrew): Promise<Map<string, string>> {
  const teams = new Map<string, string>();
  for (const p of DEMO_PEOPLE) {
    if (!p.team) continue;
    let teamId = teams.get(p.team);
    if (!teamId) {
      teamId = uuidv7();
      teams.set(p.team, teamId);
      await sql`insert into teams (workspace_id, id, name) values (${workspaceId}, ${teamId}, ${p.team})`.execute(tx);
    }
    await sql`insert into team_members (workspace_id, team_id, user_id)
      values (${workspaceId}, ${teamId}, ${crew[p.key].id})`.execute(tx);
  }
  return teams;
}

/** The demo workspace's members as the start-up banner lists them (a later start: the demo user's workspace). */
export async function listDemoUsers(database: Database): Promise<DemoUser[]> {
  const { rows } = await database.system((tx) =>
    sql<{ email: string; name: string; role: string; team: string | null }>`
      select u.email, u.name, m.role,
        (select string_agg(t.name, ', ' order by t.name) from team_members tm
          join teams t on t.workspace_id = tm.workspace_id and t.id = tm.team_id
          where tm.workspace_id = m.workspace_id and tm.user_id = u.id) as team
      from users d
      join workspace_members m on m.workspace_id = d.default_workspace_id
      join users u on u.id = m.user_id
      where d.email = ${DEMO_EMAIL}
      order by m.role <> 'administrator', u.email`.execute(tx),
  );
  return rows.map((r) => ({
    email: r.email,
    name: r.name,
    role: STANDARD_ROLE_NAMES[r.role as StandardRole] ?? r.role,
    team: r.team,
  }));
}
