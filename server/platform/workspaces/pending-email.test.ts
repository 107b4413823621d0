import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { PENDING_EMAIL_DOMAIN } from './identity.service';

/**
 * Issue 12.9: sign-up must not reveal whether an address is registered, not even
 * through whether the returned cookie works. An address is not claimed until verified:
 * a sign-up with a registered address gets a real, separate account whose address is
 * pending, and only the emailed link (which the owner receives) could claim it.
 */
describe(`sign-up with a registered address (${ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  const OTHER_PASSWORD = 'another long passphrase';
  const signUpAs = (email: string, name: string, password: string, workspaceName: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name, email, password, workspaceName },
    });
  const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
  const signIn = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password } });
  const outbox = async (to: string) => {
    const { rows } = await sql<{ subject: string; text_body: string }>`
      select subject, text_body from mail_outbox where to_address = ${to} order by created_at`.execute(t.database.db);
    return rows;
  };
  const tokenOf = (text: string) => decodeURIComponent(/verify-email\?token=([^\s&]+)/.exec(text)?.[1] ?? '');
  const verify = (token: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
  const resend = (cookie: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email/resend', headers: { cookie } });
  const holderOf = async (email: string) =>
    (await t.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())?.id;

  it('answers the second sign-up like the first, and both cookies open a working session in their own workspace', async () => {
    const email = uniqueEmail('probe');
    const first = await signUpAs(email, 'First Owner', STRONG_PASSWORD, 'First Ltd');
    const second = await signUpAs(email.toUpperCase(), 'Second Prober', OTHER_PASSWORD, 'Second Ltd');

    // Nothing in the answer tells them apart: status, header names, body shape, cookie form.
    expect(first.statusCode, first.body).toBe(201);
    expect(second.statusCode, second.body).toBe(201);
    expect(Object.keys(second.headers).sort()).toEqual(Object.keys(first.headers).sort());
    const shape = (res: typeof first) =>
      JSON.stringify(res.json(), (k, v) => (k === 'id' ? 'ID' : k === 'name' ? 'NAME' : v));
    expect(shape(second)).toBe(shape(first));
    expect(second.json().data.user).toMatchObject({ email, emailVerified: false, name: 'Second Prober' });
    const cookieForm = (res: typeof first) =>
      String(res.headers['set-cookie']).replace(/^rapport\.session_token=[A-Za-z0-9]{32}\.[^;]+;/, 'TOKEN;');
    expect(cookieForm(second)).toBe(cookieForm(first));

    // Both cookies work, each in its own workspace.
    const firstCookie = sessionCookie(first);
    const secondCookie = sessionCookie(second);
    const [meFirst, meSecond] = [await me(firstCookie), await me(secondCookie)];
    expect(meFirst.statusCode).toBe(200);
    expect(meSecond.statusCode).toBe(200);
    expect(meFirst.json().data.workspace).toEqual(first.json().data.workspace);
    expect(meSecond.json().data.workspace).toEqual(second.json().data.workspace);
    expect(meSecond.json().data.workspace.id).not.toBe(meFirst.json().data.workspace.id);
    expect(meSecond.json().data.user).toMatchObject({ email, emailVerified: false });

    // The second account works for real, and sees none of the first's data.
    const secret = await buildContact(client(t, firstCookie), { lastName: 'Confidential', email: 'vip@example.com' });
    const own = await buildContact(client(t, secondCookie), { lastName: 'Mine' });
    const listed = await client(t, secondCookie).get('/api/v1/contacts');
    expect(listed.statusCode).toBe(200);
    const ids = listed.json().data.map((c: { id: string }) => c.id);
    expect(ids).toContain(own.id);
    expect(ids).not.toContain(secret.id);
    expect((await client(t, secondCookie).get(`/api/v1/contacts/${secret.id}`)).statusCode).toBe(404);

    // The address still belongs to the first account; the owner was told.
    expect(await holderOf(email)).toBe(first.json().data.user.id);
    const mails = await outbox(email);
    expect(mails.map((m) => m.subject)).toContain('Someone signed up to Rapport with your address');
    // Nothing else was mailed to the address for the second account, and nothing to its placeholder.
    expect(mails.filter((m) => /Confirm your email/.test(m.subject))).toHaveLength(1);
    const { rows: placeholderMail } =
      await sql`select 1 from mail_outbox where to_address like ${`%@${PENDING_EMAIL_DOMAIN}`}`.execute(t.database.db);
    expect(placeholderMail).toHaveLength(0);

    // The same work on both paths: a real argon2id hash of the second password.
    const { rows: hashes } = await sql<{ password: string }>`
      select password from auth_accounts where user_id = ${second.json().data.user.id}`.execute(t.database.db);
    expect(hashes[0]?.password.startsWith('$argon2id$')).toBe(true);

    // Password sign-in with the address is the owner's; the second password fails like a wrong one.
    const owner = await signIn(email, STRONG_PASSWORD);
    expect(owner.statusCode).toBe(200);
    expect(owner.json().data.workspace.id).toBe(first.json().data.workspace.id);
    const refused = await signIn(email, OTHER_PASSWORD);
    const wrong = await signIn(email, 'not the password at all');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toBe(wrong.json().detail);
    expect(refused.json().code).toBe(wrong.json().code);
  });

  it('the pending account’s verification link cannot claim an address another account holds', async () => {
    const owner = await signUp(t.app);
    const second = await signUpAs(owner.email, 'Pending Person', OTHER_PASSWORD, 'Pending Ltd');
    const cookie = sessionCookie(second);
    // Whoever has the link (the address's owner, or the prober if they got it somehow) cannot move the address.
    const before = (await outbox(owner.email)).length;
    expect((await resend(cookie)).statusCode).toBe(202);
    const mails = await outbox(owner.email);
    expect(mails).toHaveLength(before + 1);
    const token = tokenOf(mails.at(-1)?.text_body ?? '');
    expect(token).toMatch(/^rve_/);
    const used = await verify(token);
    expect(used.statusCode, used.body).toBe(409);
    expect(used.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(used.json().errors[0].path).toBe('token');
    expect(used.json().detail).toMatch(/sign in to it, or reset its password/);
    // A forged token does nothing either.
    expect((await verify(`rve_${'x'.repeat(43)}`)).statusCode).toBe(422);
    expect(await holderOf(owner.email)).toBe(owner.userId);
    expect((await me(cookie)).json().data.user).toMatchObject({ email: owner.email, emailVerified: false });
    expect((await me(owner.cookie)).json().data.user.id).toBe(owner.userId);
    expect((await signIn(owner.email, STRONG_PASSWORD)).json().data.user.id).toBe(owner.userId);
  });

  it('a pending account is not the address’s for invitations', async () => {
    const owner = await signUp(t.app);
    const pending = sessionCookie(await signUpAs(owner.email, 'Pending Person', OTHER_PASSWORD, 'Pending Ltd'));
    const inviter = await signUp(t.app);
    const invitation = await client(t, inviter.cookie).post('/api/v1/invitations', {
      email: owner.email,
      role: 'sales_rep',
    });
    expect(invitation.statusCode, invitation.body).toBe(201);
    const mail = (await outbox(owner.email)).find((m) => /invited/.test(m.subject));
    const token = decodeURIComponent(/accept-invite\?token=([^\s&]+)/.exec(mail?.text_body ?? '')?.[1] ?? '');
    const asPending = await client(t, pending).post('/api/v1/invitations/accept', { token });
    expect(asPending.statusCode).toBe(403);
    const asOwner = await client(t, owner.cookie).post('/api/v1/invitations/accept', { token });
    expect(asOwner.statusCode, asOwner.body).toBe(200);
  });

  it('once no other account holds the address, the pending account signs in with it and claims it by the link', async () => {
    const owner = await signUp(t.app);
    const second = await signUpAs(owner.email, 'Pending Person', OTHER_PASSWORD, 'Pending Ltd');
    const secondId = second.json().data.user.id;
    // The owner's account moves to another address (as if it changed it), so nobody holds this one.
    await sql`update users set email = ${uniqueEmail('moved')} where id = ${owner.userId}`.execute(t.database.db);
    const signedIn = await signIn(owner.email, OTHER_PASSWORD);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json().data.user).toMatchObject({ id: secondId, email: owner.email, emailVerified: false });
    expect((await me(sessionCookie(signedIn))).statusCode).toBe(200);
    expect((await signIn(owner.email, STRONG_PASSWORD)).statusCode).toBe(401);

    expect((await resend(sessionCookie(second))).statusCode).toBe(202);
    const ok = await verify(tokenOf((await outbox(owner.email)).at(-1)?.text_body ?? ''));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await holderOf(owner.email)).toBe(secondId);
    expect((await me(sessionCookie(second))).json().data.user).toMatchObject({
      email: owner.email,
      emailVerified: true,
    });
    const after = await signIn(owner.email, OTHER_PASSWORD);
    expect(after.json().data.user.id).toBe(secondId);
  });
});
