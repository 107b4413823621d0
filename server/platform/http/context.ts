import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor';
import type { CallerResolver } from '../auth/caller-resolver';
import { AppError } from './errors';
import { originTrust } from './origins';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** The route needs no credentials (sign-up, sign-in, invitation lookup, health). */
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a member who must enrol in two-factor may still call: who they are, enrolment, their own sign-in. */
const enrolmentAllowed = (url: string) =>
  url === '/api/v1/me' ||
  url === '/api/v1/me/workspaces' ||
  url.startsWith('/api/v1/me/two-factor') ||
  url.startsWith('/api/v1/auth/');

/** The authenticated caller of a non-public route. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('unauthenticated', 'Sign in or send an API key');
  return req.actor;
}

/**
 * Authenticates every /api/v1 route that is not public, enforces API key
 * scopes, and rejects cross-site cookie-authenticated writes (CSRF).
 */
export function registerRequestContext(
  app: FastifyInstance,
  deps: {
    callers: CallerResolver;
    trustedOrigins: string[];
    /** A signed-in member whose workspace requires two-factor and who has none may only enrol. */
    twoFactor?: { mustEnrol(actor: Actor): Promise<boolean> };
  },
) {
  const trusted = originTrust(deps.trustedOrigins);
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    if (!SAFE_METHODS.has(req.method) && req.headers.cookie) {
      const origin = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      if ((origin && !trusted(origin, req.headers.host)) || (!origin && site === 'cross-site')) {
        throw new AppError('csrf_rejected', 'Cross-site requests with cookies are not accepted');
      }
    }
    // Unknown routes fall through to the 404 handler without asking for credentials.
    if (!req.routeOptions.url?.startsWith('/api/v1/') || req.routeOptions.config.public) return;
    const actor = await deps.callers.resolve(req.headers);
    if (!actor) throw new AppError('unauthenticated', 'Sign in or send an API key (Authorization: Bearer …)');
    if (actor.kind === 'api_key' && actor.scopes.length > 0) {
      const needs = SAFE_METHODS.has(req.method) ? 'read' : 'write';
      const ok = actor.scopes.includes(needs) || (needs === 'read' && actor.scopes.includes('write'));
      if (!ok && !actor.scopes.includes('admin')) {
        throw new AppError('forbidden', `This API key lacks the "${needs}" scope`);
      }
    }
    if (deps.twoFactor && !enrolmentAllowed(req.routeOptions.url) && (await deps.twoFactor.mustEnrol(actor))) {
      throw new AppError(
        'two_factor_enrolment_required',
        'Your workspace requires two-factor sign-in: set it up first (POST /api/v1/me/two-factor)',
      );
    }
    req.actor = actor;
  });
}
