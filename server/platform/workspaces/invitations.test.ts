import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';

const tokenFrom = (text: string) => {
  const m = /token=([^\s&]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no token in mail: ${text}`);
  return decodeURIComponent(m[1]);
};

describe('invitations by email (through real SMTP)', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ smtpUrl: smtp.url });
  });
  afterAll(async () => {
    await t.stop();
    await smtp.close();
  });

  it('an administrator invites; the mail arrives; a new person accepts and joins with the role', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Inviting Co' });
    const email = uniqueEmail('newbie');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email, role: 'sales_rep' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({ email, role: 'sales_rep', status: 'pending' });

    const before = smtp.messages.length;
    expect(await t.mail.runOnce()).toBe(1);
    const mails = await smtp.waitFor(before + 1);
    const mail = mails[mails.length - 1];
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toContain(email);
    expect(mail?.subject).toBe('You are invited to Inviting Co on Rapport');
    const token = tokenFrom(mail?.text ?? '');

    const lookup = await t.app.inject({
      method: 'GET',
      url: `/api/v1/invitations/lookup?token=${encodeURIComponent(token)}`,
    });
    expect(lookup.json().data).toMatchObject({ email, role: 'sales_rep', workspace: { name: 'Inviting Co' } });

    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'New Person', password: 'password' },
    });
    expect(weak.statusCode).toBe(422);

    const accept = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'New Person', password: STRONG_PASSWORD },
    });
    expect(accept.statusCode).toBe(200);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: sessionCookie(accept) } });
    expect(me.json().data).toMatchObject({ role: 'sales_rep', workspace: { id: admin.workspaceId } });

    // A token works once.
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Someone Else', password: STRONG_PASSWORD },
    });
    expect(again.statusCode).toBe(404);
  });

  it('an existing user signed in with the invited email joins a second workspace', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Second Co' });
    const person = await signUp(t.app, { workspaceName: 'Own Co' });
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email: person.email, role: 'data_analyst' },
    });
    const before = smtp.messages.length;
    await t.mail.runOnce();
    const mails = await smtp.waitFor(before + 1);
    const token = tokenFrom(mails[mails.length - 1]?.text ?? '');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      headers: { cookie: person.cookie },
      payload: { token },
    });
    expect(res.statusCode).toBe(200);
    const inSecond = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: person.cookie, 'rapport-workspace': admin.workspaceId },
    });
    expect(inSecond.json().data).toMatchObject({ role: 'data_analyst', workspace: { name: 'Second Co' } });
    const own = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: person.cookie } });
    expect(own.json().data.workspace.name).toBe('Own Co');
  });

  it('someone who registered the invited address first does not block its owner (issue 12.9)', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Real Co' });
    const email = uniqueEmail('owner');
    const squatter = await signUp(t.app, { email, workspaceName: 'Squat Co', password: 'squatters own passphrase' });
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email, role: 'sales_rep' },
    });
    let before = smtp.messages.length;
    await t.mail.runOnce();
    let mails = await smtp.waitFor(before + 1);
    const invitation = tokenFrom(mails[mails.length - 1]?.text ?? '');
    const blocked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: invitation, name: 'Owner', password: STRONG_PASSWORD },
    });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().detail).toMatch(/reset its password/);

    // The owner proves the address by resetting the password through it.
    before = smtp.messages.length;
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
    const started = Date.now();
    while ((await t.mail.runOnce()) === 0) {
      if (Date.now() - started > 10_000) throw new Error('no reset mail queued');
      await new Promise((r) => setTimeout(r, 25));
    }
    mails = await smtp.waitFor(before + 1);
    const reset = tokenFrom(mails[mails.length - 1]?.text ?? '');
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token: reset, newPassword: STRONG_PASSWORD },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: squatter.cookie } })).statusCode,
    ).toBe(401);
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: STRONG_PASSWORD },
    });
    expect(signedIn.statusCode).toBe(200);
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      headers: { cookie: sessionCookie(signedIn) },
      payload: { token: invitation },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const user = await t.database.db
      .selectFrom('users')
      .select('email_verified')
      .where('email', '=', email.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(user.email_verified).toBe(true);
  });

  it('only administrators invite; revoked invitations cannot be used', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Rules Co' });
    const inv = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email: uniqueEmail('rep'), role: 'sales_rep' },
    });
    await t.mail.runOnce();
    const token = tokenFrom(smtp.messages[smtp.messages.length - 1]?.text ?? '');
    const accept = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Rep', password: STRONG_PASSWORD },
    });
    const repCookie = sessionCookie(accept);
    const byRep = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: repCookie },
      payload: { email: uniqueEmail(), role: 'administrator' },
    });
    expect(byRep.statusCode).toBe(403);
    expect(inv.statusCode).toBe(201);

    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email: uniqueEmail('later'), role: 'sales_rep' },
    });
    await t.mail.runOnce();
    const token2 = tokenFrom(smtp.messages[smtp.messages.length - 1]?.text ?? '');
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/invitations/${second.json().data.id}`,
      headers: { cookie: admin.cookie },
    });
    expect(revoke.json().data.status).toBe('revoked');
    const late = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: token2, name: 'Late', password: STRONG_PASSWORD },
    });
    expect(late.statusCode).toBe(404);
  });

  it('keeps mail queued while SMTP is down and delivers it once SMTP is back', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Outage Co' });
    const port = smtp.port;
    await smtp.close();
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email: uniqueEmail('patient'), role: 'sales_rep' },
    });
    expect(await t.mail.runOnce()).toBe(0);
    const row = await t.database.db
      .selectFrom('mail_outbox')
      .select(['status', 'attempts', 'last_error'])
      .where('workspace_id', '=', admin.workspaceId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.last_error).toBeTruthy();
    smtp = await startSmtpSink(port);
    await t.database.db
      .updateTable('mail_outbox')
      .set({ next_attempt_at: new Date() })
      .where('workspace_id', '=', admin.workspaceId)
      .execute();
    expect(await t.mail.runOnce()).toBe(1);
    await smtp.waitFor(1);
    const sent = await t.database.db
      .selectFrom('mail_outbox')
      .select('status')
      .where('workspace_id', '=', admin.workspaceId)
      .executeTakeFirstOrThrow();
    expect(sent.status).toBe('sent');
    expect(await t.mail.runOnce()).toBe(0); // nothing sent twice
    expect(smtp.messages.length).toBe(1);
  });
});
