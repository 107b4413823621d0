// Test helpers shared by the timeline, interactions and tasks suites (not shipped code).

import { STRONG_PASSWORD, sessionCookie, type TestApp, uniqueEmail } from '../../../test/helpers/app';
import { addMember, createUser } from '../../platform/workspaces/identity.service';

export interface Member {
  cookie: string;
  userId: string;
  name: string;
}

/** A new member of the workspace with `role`, signed in. */
export async function addUser(t: TestApp, workspaceId: string, role: string, name: string): Promise<Member> {
  const email = uniqueEmail(name.toLowerCase().replace(/[^a-z]/g, ''));
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
  return { cookie: sessionCookie(res), userId, name };
}

/** HTTP calls as one member. */
export function client(t: TestApp, cookie: string) {
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { cookie },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    call,
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown) => call('POST', url, body),
    patch: (url: string, body: unknown) => call('PATCH', url, body),
    /** POST that must succeed (201); returns `data`. */
    async create(url: string, body: unknown) {
      const res = await call('POST', url, body);
      if (res.statusCode !== 201) throw new Error(`POST ${url} → ${res.statusCode} ${res.body}`);
      return res.json().data;
    },
  };
}
