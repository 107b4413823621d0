import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { APP_ROLE, TENANT_LOGIN_ROLE, tenantDatabaseUrl } from './database';
import { ensureTenantLogin } from './migrate';

/**
 * Issue 12.10: on the PostgreSQL server, tenant connections logged in as the owner
 * and switched to rapport_app, so an injected RESET ROLE would have bypassed RLS. They
 * now log in as their own role, a member of rapport_app and nothing more.
 */
describe(`tenant connections cannot leave the restricted role (${ENGINE})`, () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  beforeAll(async () => {
    t = await createTestApp();
    a = await signUp(t.app, { workspaceName: 'Tenant A' });
    b = await signUp(t.app, { workspaceName: 'Tenant B' });
  });
  afterAll(() => t.stop());

  it('tenant work runs as the restricted role and sees only its workspace', async () => {
    const seen = await t.database.tenant(a.workspaceId, async (tx) => {
      const { rows } = await sql<{ who: string; n: number }>`
        select current_user as who, (select count(*)::int from workspaces) as n`.execute(tx);
      return rows[0];
    });
    expect(seen).toEqual({ who: APP_ROLE, n: 1 });
  });

  it.runIf(ENGINE === 'postgres')(
    'RESET ROLE leaves a role without RLS bypass; SET ROLE to the owner fails',
    async () => {
      const { rows: owner } = await sql<{ me: string }>`select current_user as me`.execute(t.database.db);
      const ownerRole = owner[0]?.me ?? '';
      expect(ownerRole).not.toBe(TENANT_LOGIN_ROLE);
      const after = await t.database.tenantRead(a.workspaceId, async (tx) => {
        await sql`reset role`.execute(tx);
        const { rows } = await sql<{ who: string; session: string; super: boolean; bypass: boolean }>`
        select current_user as who, session_user as session, r.rolsuper as super, r.rolbypassrls as bypass
        from pg_roles r where r.rolname = current_user`.execute(tx);
        // Every workspace row the connection can see, with the workspace setting cleared as well.
        await sql`select set_config('app.workspace_id', '', false)`.execute(tx);
        const { rows: visible } = await sql<{ n: number }>`select count(*)::int as n from workspaces`.execute(tx);
        const owned = await sql`set role ${sql.id(ownerRole)}`.execute(tx).then(
          () => 'switched',
          (err: Error) => err.message,
        );
        const creds = await sql`select count(*) from sessions`.execute(tx).then(
          () => 'read',
          (err: Error) => err.message,
        );
        // Put the connection back as the pool expects it (role and workspace).
        await sql`select set_config('role', ${APP_ROLE}, false), set_config('app.workspace_id', ${a.workspaceId}, false)`.execute(
          tx,
        );
        return { ...rows[0], visible: visible[0]?.n, owned, creds };
      });
      expect(after.session).toBe(TENANT_LOGIN_ROLE);
      expect(after.who).toBe(TENANT_LOGIN_ROLE);
      expect(after.super).toBe(false);
      expect(after.bypass).toBe(false);
      expect(after.visible).toBe(0);
      expect(after.owned).toMatch(/permission denied/);
      expect(after.creds).toMatch(/permission denied/);
      // Workspace B's data stayed out of reach throughout.
      const bCount = await t.database.tenant(
        b.workspaceId,
        async (tx) => (await sql<{ n: number }>`select count(*)::int as n from workspaces`.execute(tx)).rows,
      );
      expect(bCount[0]?.n).toBe(1);
    },
  );

  it.runIf(ENGINE === 'postgres')('creating the login role is idempotent and safe when run concurrently', async () => {
    const login = { user: TENANT_LOGIN_ROLE };
    await Promise.all(Array.from({ length: 4 }, () => ensureTenantLogin(t.database.pool, login)));
    const { rows } = await sql<{ me: string }>`select current_user as me`.execute(t.database.db);
    await expect(ensureTenantLogin(t.database.pool, { user: rows[0]?.me ?? '' })).rejects.toThrow(
      /not log in as the owner/,
    );
    const { rows: member } = await sql<{ n: number }>`select count(*)::int as n from pg_auth_members m
      join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
      where r.rolname = ${APP_ROLE} and u.rolname = ${TENANT_LOGIN_ROLE}`.execute(t.database.db);
    expect(member[0]?.n).toBe(1);
  });

  it('the tenant URL is the configured one, else the owner URL with the tenant role and a derived password', () => {
    expect(tenantDatabaseUrl('postgres://owner:s3cret@db:5432/rapport', 'postgres://app:x@db/rapport')).toBe(
      'postgres://app:x@db/rapport',
    );
    const derived = new URL(tenantDatabaseUrl('postgres://owner:s3cret@db:5432/rapport'));
    expect(derived.username).toBe(TENANT_LOGIN_ROLE);
    expect(derived.password).not.toBe('');
    expect(derived.password).not.toContain('s3cret');
    expect(derived.host).toBe('db:5432');
    expect(new URL(tenantDatabaseUrl('postgres://owner@db/rapport')).password).toBe('');
  });
});
