import { addMember, createUser } from '../../server/platform/workspaces/identity.service';
import { STRONG_PASSWORD, sessionCookie, type TestApp, uniqueEmail } from './app';

/** A new member of the workspace with `role`, signed in: their cookie and user id. */
export async function memberWithRole(
  t: TestApp,
  workspaceId: string,
  role: string,
): Promise<{ cookie: string; userId: string }> {
  const email = uniqueEmail(role.replace(/_/g, ''));
  const { userId } = await createUser(
    { database: t.database, auth: t.auth },
    { name: role, email, password: STRONG_PASSWORD },
    {},
  );
  await addMember(t.database, workspaceId, userId, role);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password: STRONG_PASSWORD },
  });
  return { cookie: sessionCookie(res), userId };
}
