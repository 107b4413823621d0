import { sql } from 'kysely';
import { addMember, createUser } from '../../server/platform/workspaces/identity.service';
import { createTestApp, type SignedUp, STRONG_PASSWORD, sessionCookie, signUp, type TestApp, uniqueEmail } from './app';

/** A test app with a signed-up administrator and helpers to call the API as anyone (tests only). */
export async function workflowTestbed(workspaceName: string) {
  // Webhook steps point at receivers on loopback: this instance's operator allows private networks.
  const t: TestApp = await createTestApp({ webhooksAllowPrivate: true });
  const admin: SignedUp = await signUp(t.app, { workspaceName, name: 'Ada Admin' });
  // Consumers start at the events committed when they first run: start them now.
  await t.events.drain();
  const call = async (method: string, url: string, cookie: string, payload?: unknown, headers = {}) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { cookie, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const as = (cookie: string) => ({
    get: (url: string) => call('GET', url, cookie),
    post: (url: string, body?: unknown, headers = {}) => call('POST', url, cookie, body ?? {}, headers),
    patch: (url: string, body: unknown, headers = {}) => call('PATCH', url, cookie, body, headers),
    del: (url: string) => call('DELETE', url, cookie),
  });
  const member = async (role: string) => {
    const email = uniqueEmail(role.replace('_', ''));
    const { userId } = await createUser(
      { database: t.database, auth: t.auth },
      { name: `${role} person`, email, password: STRONG_PASSWORD },
      {},
    );
    await addMember(t.database, admin.workspaceId, userId, role);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: STRONG_PASSWORD },
    });
    return { cookie: sessionCookie(res), userId, email };
  };
  /** Delivers events to the trigger consumer and runs every due step (waits are not skipped). */
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await t.events.drain();
      await t.automation.runner.drain();
    }
  };
  const runsOf = async (workflowId: string) => {
    const res = await as(admin.cookie).get(`/api/v1/workflows/${workflowId}/runs?limit=200`);
    return res.json().data as { id: string; status: string; recordId: string; error: string | null }[];
  };
  const runDetail = async (workflowId: string, runId: string) =>
    (await as(admin.cookie).get(`/api/v1/workflows/${workflowId}/runs/${runId}`)).json().data as {
      status: string;
      steps: {
        id: string;
        stepId: string;
        type: string;
        status: string;
        output: Record<string, unknown>;
        error: string | null;
        attempts: number;
      }[];
    };
  const outbox = async () =>
    (
      await sql<{ id: string; to_address: string; subject: string; text_body: string }>`
        select id, to_address, subject, text_body from mail_outbox order by created_at, id`.execute(t.database.db)
    ).rows;
  return { t, admin, call, as, member, settle, runsOf, runDetail, outbox, adminApi: as(admin.cookie) };
}
