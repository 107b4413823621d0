import { sql } from 'kysely';
import { createTestApp, type SignedUp, signUp, type TestApp } from './app';
import { client } from './http';
import { memberWithRole } from './members';

/** A test app with a signed-up administrator and helpers to call the API as anyone (tests only). */
export async function workflowTestbed(workspaceName: string) {
  // Webhook steps point at receivers on loopback: this instance's operator allows private networks.
  const t: TestApp = await createTestApp({ webhooksAllowPrivate: true });
  const admin: SignedUp = await signUp(t.app, { workspaceName, name: 'Ada Admin' });
  // Consumers start at the events committed when they first run: start them now.
  await t.events.drain();
  /** The shared client as `cookie`, except that a POST without a body sends `{}`. */
  const as = (cookie: string) => {
    const api = client(t, cookie);
    return { ...api, post: (url: string, body?: unknown, headers = {}) => api.post(url, body ?? {}, headers) };
  };
  const member = (role: string) => memberWithRole(t, admin.workspaceId, role, `${role} person`);
  /** Delivers events to the trigger consumer and runs every due step (waits are not skipped). */
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await t.events.drain();
      await t.modules.workflows.runner.drain();
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
  return { t, admin, as, member, settle, runsOf, runDetail, outbox, adminApi: as(admin.cookie) };
}
