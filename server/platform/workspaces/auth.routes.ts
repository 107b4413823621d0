import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ChangePasswordRequest,
  MailRequestedResponse,
  MeResponse,
  MyWorkspacesResponse,
  PasswordResetConfirmRequest,
  PasswordResetRequest,
  SessionParams,
  SessionsResponse,
  SignInRequest,
  SignUpRequest,
  VerifyEmailRequest,
  VerifyEmailResponse,
} from '../../../common/contracts/auth';
import { membershipOf } from '../auth/actor';
import type { CallerResolver } from '../auth/caller-resolver';
import type { TwoFactorService } from '../auth/two-factor.service';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { confirmEmail, resendVerification } from './email-verification.service';
import {
  changePassword,
  getMe,
  type IdentityDeps,
  listMyWorkspaces,
  listSessions,
  revokeSessionById,
  signIn,
  signOut,
  signOutEverywhere,
} from './identity.service';
import { confirmPasswordReset, requestPasswordReset } from './password-reset.service';
import { publicSignUp } from './sign-up.service';

const setCookies = (reply: FastifyReply, cookies: string[]) => {
  if (cookies.length > 0) reply.header('set-cookie', cookies);
};

/** Sign-up, sign-in, sign-out, "who am I", email verification, password change and reset, the user's sessions. */
export function authRoutes(
  deps: IdentityDeps & { callers: CallerResolver; baseUrl: string; twoFactor: TwoFactorService },
): FastifyPluginAsyncZod {
  /** The signed-in user (a session, not an API key: keys cannot manage their creator's credentials). */
  const sessionUserOf = async (req: FastifyRequest) => {
    if (actorOf(req).kind !== 'user')
      throw new AppError('forbidden', 'Only a signed-in user may do this, not an API key');
    const user = await deps.callers.session(req.headers);
    if (!user) throw new AppError('unauthenticated', 'Sign in first');
    return user;
  };

  return async (app) => {
    app.post(
      '/api/v1/auth/password-reset',
      {
        config: { public: true, limit: 'auth.mail' },
        schema: {
          tags: ['auth'],
          summary: 'Email a password-reset link (the answer never tells whether the email has an account)',
          body: PasswordResetRequest,
          response: { 202: MailRequestedResponse },
        },
      },
      async (req, reply) => {
        // Not awaited: the answer, and its timing, are the same whether the email exists or not.
        requestPasswordReset(deps, req.body.email).catch((err) =>
          req.log.error({ err }, 'password reset mail could not be queued'),
        );
        return reply.status(202).send({ data: { requested: true } });
      },
    );

    app.post(
      '/api/v1/auth/password-reset/confirm',
      {
        config: { public: true, limit: 'auth.token' },
        schema: {
          tags: ['auth'],
          summary: 'Set a new password with the emailed token (single use); signs out every session',
          body: PasswordResetConfirmRequest,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const { userId, revokedApiKeyIds } = await confirmPasswordReset(deps, req.body);
        for (const id of revokedApiKeyIds) deps.callers.forgetApiKey(id);
        await deps.callers.sessionsEnded(userId);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/v1/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Change your password (the current one is required); signs out every other session',
          body: ChangePasswordRequest,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const user = await sessionUserOf(req);
        const cookies = await changePassword(deps, user, req.body, req.ip, req.headers);
        await deps.callers.sessionsEnded(user.id);
        setCookies(reply, cookies);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/v1/auth/sessions',
      {
        schema: {
          tags: ['auth'],
          summary: 'Your signed-in sessions (browsers and devices)',
          response: { 200: SessionsResponse },
        },
      },
      async (req) => {
        await sessionUserOf(req);
        return { data: await listSessions(deps, req.headers) };
      },
    );

    app.delete(
      '/api/v1/auth/sessions/:id',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign out one of your sessions',
          params: SessionParams,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        // An API key has no sessions: no session of its caller has this id.
        if (actorOf(req).kind !== 'user') throw new AppError('not_found', 'No such session');
        const user = await sessionUserOf(req);
        await revokeSessionById(deps, req.headers, req.params.id);
        await deps.callers.sessionsEnded(user.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/v1/auth/sign-out-everywhere',
      {
        schema: {
          tags: ['auth'],
          summary: 'End every one of your sessions, this one included',
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const user = await sessionUserOf(req);
        const cookies = await signOutEverywhere(deps, req.headers);
        await deps.callers.sessionsEnded(user.id);
        setCookies(reply, cookies);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/v1/auth/sign-up',
      {
        config: { public: true, limit: 'auth.sign-up' },
        schema: {
          tags: ['auth'],
          summary: 'Create an account and a workspace you administer; starts a session (cookie)',
          description:
            'Always creates a working account and workspace and starts a session, so it never tells whether the email is registered. ' +
            'A new account’s email is unverified until the emailed link is used; when another account already has the email, the new ' +
            'account’s email stays pending (not claimed until verified, and only if still free) and the owner is mailed.',
          body: SignUpRequest,
          response: { 201: MeResponse },
        },
      },
      async (req, reply) => {
        const result = await publicSignUp(deps, req.body, req.headers);
        setCookies(reply, result.setCookies);
        return reply.status(201).send({ data: result.data });
      },
    );

    app.post(
      '/api/v1/auth/sign-in',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary:
            'Sign in with email and password (and a code when two-factor is on); starts a session (httpOnly cookie)',
          description:
            'After 5 failed attempts (wrong passwords or wrong codes) for one email within 15 minutes, sign-in is refused with 429. ' +
            'When the account has two-factor on, a right password without `code` answers 401 two_factor_required and starts no session; ' +
            '`code` is a 6-digit code from the authenticator app or an unused recovery code.',
          body: SignInRequest,
          response: { 200: MeResponse },
        },
      },
      async (req, reply) => {
        const result = await signIn(deps, req.body, req.ip, req.headers, deps.twoFactor);
        const membership = await membershipOf(deps.database, result.data.userId);
        if (!membership) throw new AppError('forbidden', 'You belong to no workspace');
        setCookies(reply, result.setCookies);
        const actor = { kind: 'user' as const, userId: result.data.userId, ...membership, scopes: [] };
        const me = await getMe(deps.database, actor);
        return { data: { ...me, twoFactor: await deps.twoFactor.summary(actor) } };
      },
    );

    app.post(
      '/api/v1/auth/sign-out',
      {
        config: { public: true },
        schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
      },
      async (req, reply) => {
        const user = await deps.callers.session(req.headers).catch(() => null);
        deps.callers.forgetSession(req.headers);
        setCookies(reply, await signOut(deps, req.headers));
        if (user) await deps.callers.sessionsEnded(user.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/v1/auth/verify-email',
      {
        config: { public: true, limit: 'auth.token' },
        schema: {
          tags: ['auth'],
          summary: 'Confirm your email address with the emailed token (single use; no session needed)',
          description:
            'A pending account (its email was already registered when it signed up) claims the address this way, only if no other ' +
            'account holds it: otherwise 409 already_exists naming `token`, and nothing changes.',
          body: VerifyEmailRequest,
          response: { 200: VerifyEmailResponse },
        },
      },
      async (req) => {
        await confirmEmail(deps.database, req.body.token);
        return { data: { emailVerified: true as const } };
      },
    );

    app.post(
      '/api/v1/auth/verify-email/resend',
      {
        schema: {
          tags: ['auth'],
          summary: 'Email yourself a new verification link (at most 5 an hour; nothing if already verified)',
          response: { 202: MailRequestedResponse },
        },
      },
      async (req, reply) => {
        const user = await sessionUserOf(req);
        await resendVerification(deps.database, deps.baseUrl, user, actorOf(req).workspaceId);
        return reply.status(202).send({ data: { requested: true as const } });
      },
    );

    app.get(
      '/api/v1/me',
      { schema: { tags: ['auth'], summary: 'The caller, their workspace and role', response: { 200: MeResponse } } },
      async (req) => {
        const actor = actorOf(req);
        const me = await getMe(deps.database, actor);
        const twoFactor = await deps.twoFactor.summary(actor);
        return { data: twoFactor ? { ...me, twoFactor } : me };
      },
    );

    app.get(
      '/api/v1/me/workspaces',
      {
        schema: {
          tags: ['auth'],
          summary: 'The workspaces the caller belongs to; pick one with the Rapport-Workspace header',
          response: { 200: MyWorkspacesResponse },
        },
      },
      async (req) => ({ data: await listMyWorkspaces(deps.database, actorOf(req)) }),
    );
  };
}
