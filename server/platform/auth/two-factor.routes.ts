import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  RecoveryCodesResponse,
  TwoFactorCodeRequest,
  TwoFactorDisableRequest,
  TwoFactorSetupResponse,
  TwoFactorStatusResponse,
} from '../../../common/contracts/auth';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import type { CallerResolver } from './caller-resolver';
import type { TwoFactorService } from './two-factor.service';

const tags = ['auth'];

/** The signed-in user's own second factor: enrol, confirm, recovery codes, turn off. Sessions only, never API keys. */
export function twoFactorRoutes(deps: { twoFactor: TwoFactorService; callers: CallerResolver }): FastifyPluginAsyncZod {
  const sessionUserOf = async (req: FastifyRequest) => {
    if (actorOf(req).kind !== 'user')
      throw new AppError('forbidden', 'Only a signed-in user may do this, not an API key');
    const user = await deps.callers.session(req.headers);
    if (!user) throw new AppError('unauthenticated', 'Sign in first');
    return user;
  };

  return async (app) => {
    app.get(
      '/api/v1/me/two-factor',
      {
        schema: {
          tags,
          summary: 'Your two-factor sign-in: on or not, recovery codes left, whether your workspace requires it',
          response: { 200: TwoFactorStatusResponse },
        },
      },
      async (req) => ({ data: await deps.twoFactor.status(actorOf(req)) }),
    );

    app.post(
      '/api/v1/me/two-factor',
      {
        schema: {
          tags,
          summary: 'Start enrolment: a new TOTP secret and its otpauth:// URL (for the QR code), shown once',
          description:
            'Two-factor is not on until a first code is confirmed (POST /api/v1/me/two-factor/verify). 409 while it is on.',
          response: { 200: TwoFactorSetupResponse },
        },
      },
      async (req) => ({ data: await deps.twoFactor.begin(await sessionUserOf(req)) }),
    );

    app.post(
      '/api/v1/me/two-factor/verify',
      {
        schema: {
          tags,
          summary: 'Confirm enrolment with a code from the authenticator app: turns two-factor on',
          description:
            'Answers the 10 recovery codes, shown this once. A wrong code counts against the sign-in throttle.',
          body: TwoFactorCodeRequest,
          response: { 200: RecoveryCodesResponse },
        },
      },
      async (req) => {
        const user = await sessionUserOf(req);
        return { data: await deps.twoFactor.enable(user, req.body.code, req.ip) };
      },
    );

    app.post(
      '/api/v1/me/two-factor/recovery-codes',
      {
        schema: {
          tags,
          summary: 'Replace your recovery codes (needs a current code); the old ones stop working',
          body: TwoFactorCodeRequest,
          response: { 200: RecoveryCodesResponse },
        },
      },
      async (req) => {
        const user = await sessionUserOf(req);
        return { data: await deps.twoFactor.regenerateRecoveryCodes(user, req.body.code, req.ip) };
      },
    );

    app.post(
      '/api/v1/me/two-factor/disable',
      {
        schema: {
          tags,
          summary: 'Turn two-factor sign-in off (needs your password or a code)',
          body: TwoFactorDisableRequest,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const user = await sessionUserOf(req);
        await deps.twoFactor.disable(user, req.body, req.ip);
        return reply.status(204).send(null);
      },
    );
  };
}
