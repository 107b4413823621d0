import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKeyVia,
  createTestApp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';
import { totpCode, totpStep } from '../auth/totp';

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

    expect(await t.mail.runOnce()).toBeGreaterThanOrEqual(1); // with the sign-ups' verification mails
    const mail = await smtp.waitForMail((m) => m.subject === 'You are invited to Inviting Co on Rapport');
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
    await t.mail.runOnce();
    const mail = await smtp.waitForMail((m) => m.subject === 'You are invited to Second Co on Rapport');
    const token = tokenFrom(mail.text ?? '');
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

  const invite = async (cookie: string, email: string) => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie },
      payload: { email, role: 'sales_rep' },
    });
    await t.mail.runOnce();
    const mail = await smtp.waitForMail(
      (m) =>
        m.subject?.startsWith('You are invited') === true &&
        (m.text ?? '').includes('sales rep') &&
        JSON.stringify(m.to).includes(email),
    );
    return tokenFrom(mail.text ?? '');
  };

  it('someone who registered the invited address first does not block its owner (issue 12.9)', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Real Co' });
    const email = uniqueEmail('owner');
    const squatter = await signUp(t.app, { email, workspaceName: 'Squat Co', password: 'squatters own passphrase' });
    const squattersKey = await createApiKeyVia(t.app, squatter.cookie);
    // The squatter also set up two-factor sign-in: that second factor is theirs, and goes with them.
    const setup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/two-factor',
      headers: { cookie: squatter.cookie },
    });
    const secret: string = setup.json().data.secret;
    const enrolled = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/two-factor/verify',
      headers: { cookie: squatter.cookie },
      payload: { code: totpCode(secret, totpStep(Date.now())) },
    });
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const invitation = await invite(admin.cookie, email);

    // The squatter never proved the address; the invitation link, delivered to it, does.
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: invitation, name: 'Owner', password: STRONG_PASSWORD },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: sessionCookie(accepted) } });
    expect(me.json().data.user).toMatchObject({ email: email.toLowerCase(), name: 'Owner', emailVerified: true });
    // Whoever registered the address keeps no way in: sessions, password and API keys are gone.
    const call = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers });
    expect((await call({ cookie: squatter.cookie })).statusCode).toBe(401);
    expect((await call({ authorization: `Bearer ${squattersKey}` })).statusCode).toBe(401);
    const oldPassword = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: 'squatters own passphrase' },
    });
    expect(oldPassword.statusCode).toBe(401);
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: STRONG_PASSWORD },
    });
    expect(signedIn.statusCode).toBe(200);
  });

  it('a verified account must be signed in to accept; the link alone does not take it over', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Other Real Co' });
    const owner = await signUp(t.app, { workspaceName: 'Owner Co' });
    await t.database.db.updateTable('users').set({ email_verified: true }).where('id', '=', owner.userId).execute();
    const invitation = await invite(admin.cookie, owner.email);
    const blocked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: invitation, name: 'Someone', password: 'an impostors passphrase' },
    });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().detail).toMatch(/reset its password/);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: owner.cookie } })).statusCode,
    ).toBe(200);
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      headers: { cookie: owner.cookie },
      payload: { token: invitation },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
  });

  it('only administrators invite; revoked invitations cannot be used', async () => {
    const admin = await signUp(t.app, { workspaceName: 'Rules Co' });
    const repEmail = uniqueEmail('rep');
    const inv = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email: repEmail, role: 'sales_rep' },
    });
    await t.mail.runOnce();
    const invitationTo = async (email: string) =>
      tokenFrom(
        (
          await smtp.waitForMail(
            (m) => m.subject?.startsWith('You are invited') === true && JSON.stringify(m.to).includes(email),
          )
        ).text ?? '',
      );
    const token = await invitationTo(repEmail);
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

    const laterEmail = uniqueEmail('later');
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email: laterEmail, role: 'sales_rep' },
    });
    await t.mail.runOnce();
    const token2 = await invitationTo(laterEmail);
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
    await t.mail.runOnce(); // the sign-up's verification mail, before the outage
    const invitationMail = (q: ReturnType<typeof t.database.db.selectFrom<'mail_outbox'>>) =>
      q.where('workspace_id', '=', admin.workspaceId).where('subject', 'like', 'You are invited%');
    const port = smtp.port;
    await smtp.close();
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { cookie: admin.cookie },
      payload: { email: uniqueEmail('patient'), role: 'sales_rep' },
    });
    expect(await t.mail.runOnce()).toBe(0);
    const row = await invitationMail(t.database.db.selectFrom('mail_outbox'))
      .select(['status', 'attempts', 'last_error'])
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
    const sent = await invitationMail(t.database.db.selectFrom('mail_outbox'))
      .select('status')
      .executeTakeFirstOrThrow();
    expect(sent.status).toBe('sent');
    expect(await t.mail.runOnce()).toBe(0); // nothing sent twice
    expect(smtp.messages.length).toBe(1);
  });
});
