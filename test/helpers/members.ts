import { addMember, createUser } from '../../server/platform/workspaces/identity.service';
import { STRONG_PASSWORD, sessionCookie, type TestApp, uniqueEmail } from './app';

export interface Member {
  cookie: string;
  userId: string;
  name: string;
  email: string;
}

/** A new user joined to `workspaceId` with `role`, signed in: their session cookie, id, name and email. */
export async function memberWithRole(t: TestApp, workspaceId: string, role: string, name = role): Promise<Member> {
  const email = uniqueEmail(role.replace(/_/g, ''));
  const { userId } = await createUser(
    { database: t.database, auth: t.auth },
    { name, email, password: STRONG_PASSWORD },
    {},
  );
  await addMember(t.database, workspaceId, userId, role);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password: STRONG_PASSWORD },
  });
  return { cookie: sessionCookie(res), userId, name, email };
}
