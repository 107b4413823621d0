import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { uuidv7 } from 'uuidv7';
import { accessRoutes } from './platform/access/access.routes';
import { requestInfo } from './platform/access/access.service';
import { apiKeyRoutes } from './platform/auth/api-keys.routes';
import type { Auth } from './platform/auth/auth';
import { CallerResolver } from './platform/auth/caller-resolver';
import { twoFactorRoutes } from './platform/auth/two-factor.routes';
import { TwoFactorService } from './platform/auth/two-factor.service';
import type { Config } from './platform/config';
import type { SecretBox } from './platform/crypto/secret-box';
import type { Database } from './platform/db/database';
import { registerRequestContext } from './platform/http/context';
import { AppError } from './platform/http/errors';
import { healthRoutes } from './platform/http/health.routes';
import { registerInputGuard } from './platform/http/input-guard';
import { registerMetrics } from './platform/http/metrics';
import { clientErrorHandler, errorHandler, frameworkErrors, sendProblem } from './platform/http/problem';
import { registerNamedLimits } from './platform/http/rate-limits';
import { webAppRoutes } from './platform/http/static';
import type { JobQueue } from './platform/jobs/job-queue';
import { jobRoutes } from './platform/jobs/jobs.routes';
import { loggerOptions, redactUrl } from './platform/logging';
import { mailRoutes } from './platform/mail/mail.routes';
import { mailboxRoutes } from './platform/mail/mailboxes.routes';
import type { RapportModule } from './platform/modules';
import { notificationRoutes } from './platform/notifications/notifications.routes';
import { aggregateRoutes } from './platform/records/aggregate';
import { bulkRoutes } from './platform/records/bulk';
import { loadSchemas } from './platform/records/object-schema';
import { objectRoutes } from './platform/records/objects.routes';
import { withCustomFields } from './platform/records/openapi-custom';
import { recordRoutes } from './platform/records/records.routes';
import type { RecordService } from './platform/records/records.service';
import { viewRoutes } from './platform/views/views.routes';
import { ViewService } from './platform/views/views.service';
import { webhookRoutes } from './platform/webhooks/webhooks.routes';
import { authRoutes } from './platform/workspaces/auth.routes';
import { invitationRoutes } from './platform/workspaces/invitations.routes';

export interface AppDeps {
  config: Config;
  database: Database;
  auth: Auth;
  /** Seals secrets stored for reading back (webhook signing secrets). */
  secrets: SecretBox;
  records: RecordService;
  jobs: JobQueue;
  /** The capability modules (server/modules/index.ts), whose routes come before the generic record ones. */
  modules: readonly RapportModule[];
  /** Where logs go (default stdout); tests pass a stream to read them. */
  logStream?: NodeJS.WritableStream;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Assembles the Fastify app: conventions first (errors, auth, OpenAPI), then the platform's and every module's routes. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database, auth, records } = deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, deps.logStream),
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const inbound = req.headers['x-request-id'];
      return typeof inbound === 'string' && REQUEST_ID.test(inbound) ? inbound : uuidv7();
    },
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  // A public route (config.public: sign-up, sign-in, password reset, public pages…) needs no
  // credentials: the OpenAPI document says so with `security: []` (before @fastify/swagger reads routes).
  app.addHook('onRoute', (route) => {
    const isPublic = (route.config as { public?: boolean } | undefined)?.public === true;
    if (isPublic && route.schema && route.schema.security === undefined) route.schema.security = [];
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  registerInputGuard(app);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, 'route_not_found', `No endpoint ${req.method} ${redactUrl(req.url.split('?')[0] ?? '')}`),
  );
  // Request facts for the audit log, on the async path of everything this request runs.
  app.addHook('onRequest', (req, _reply, done) => requestInfo.run({ ip: req.ip, requestId: req.id }, done));
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Before any route, so its request hook counts every one (docs/OPERATIONS.md, "Monitoring").
  registerMetrics(app, { database, token: config.metricsToken });

  // The map's optional street tiles (RAPPORT_MAP_TILE_URL) come from their own origin.
  const tiles = tileOrigin(config.mapTileUrl);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...tiles],
        connectSrc: ["'self'", ...tiles],
        frameAncestors: ["'none'"],
        // Only behind TLS: on plain http it would break every asset request.
        upgradeInsecureRequests: config.baseUrl.startsWith('https://') ? [] : null,
      },
    },
    // HSTS below, per request: only what came over https (TLS here, or X-Forwarded-Proto from a trusted proxy).
    hsts: false,
  });
  // RFC 6797 §7.2: a host sends Strict-Transport-Security over secure transport only. req.protocol
  // reads X-Forwarded-Proto only with RAPPORT_TRUST_PROXY, so a client cannot ask for it over http.
  app.addHook('onRequest', (req, reply, done) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    done();
  });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
    exposedHeaders: [
      'etag',
      'location',
      'x-request-id',
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
    ],
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rapport API',
        version: '1',
        description:
          'The Rapport CRM REST API. Errors are application/problem+json (RFC 9457) with a stable `code`. ' +
          'Authenticate with the session cookie (browser) or `Authorization: Bearer <api key>`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (rpk_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'rapport.session_token' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  const callers = new CallerResolver(database, auth);
  await callers.listenForEndedSessions();
  const twoFactor = new TwoFactorService({ database, secrets: deps.secrets, now: () => deps.jobs.now().getTime() });
  await twoFactor.listen();
  registerRequestContext(app, {
    callers,
    twoFactor,
    trustedOrigins: [config.baseUrl, ...config.corsOrigins],
  });
  if (config.publicRateLimits) registerNamedLimits(app, database);

  if (config.rateLimitPerMinute > 0) {
    // In memory per app server: limits are per key/user and per process (see docs/ARCHITECTURE.md).
    await app.register(rateLimit, {
      global: true,
      hook: 'preHandler', // after authentication, so the caller is known
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      enableDraftSpec: true,
      allowList: (req) => !req.actor,
      keyGenerator: (req) => (req.actor ? `${req.actor.apiKeyId ?? req.actor.userId ?? 'anon'}` : req.ip),
      errorResponseBuilder: (_req, ctx) =>
        new AppError('rate_limited', `Rate limit of ${ctx.max} requests per minute exceeded; retry in ${ctx.after}`, {
          retryAfterSeconds: Math.max(1, Math.ceil(ctx.ttl / 1000)),
        }),
    });
  }
  // The OpenAPI document; with credentials it also describes the workspace's custom fields.
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async (req) => {
    const base = app.swagger();
    const actor = await callers.resolve(req.headers).catch(() => null);
    if (!actor) return base;
    const schemas = await database.tenant(actor.workspaceId, (tx) => loadSchemas(tx, records.registry));
    return withCustomFields(base, schemas);
  });
  // WebSocket routes (`websocket: true`): the notifications stream, the chat's visitor and agent
  // sockets. Registered once here: a second registration would route every upgrade twice.
  // The largest frame: a chat message (4,000 characters) in its JSON envelope.
  await app.register(websocket, { options: { maxPayload: 20 * 1024 } });
  // A refused upgrade (401, 403) is answered over the raw socket, which the HTTP server no
  // longer tracks: end it, or it stays open (and server shutdown waits for it).
  app.addHook('onResponse', async (req, reply) => {
    if (req.headers.upgrade && reply.statusCode >= 400) req.raw.socket?.destroy();
  });
  await app.register(healthRoutes(database));
  await app.register(authRoutes({ database, auth, callers, baseUrl: config.baseUrl, twoFactor }));
  await app.register(twoFactorRoutes({ twoFactor, callers }));
  await app.register(invitationRoutes({ database, auth, callers, access: records.access, baseUrl: config.baseUrl }));
  await app.register(apiKeyRoutes(database, records.access, callers));
  await app.register(accessRoutes({ database, records, access: records.access, callers }));
  await app.register(objectRoutes({ database, records }));
  // Module endpoints beyond the generic record ones (registered before them).
  for (const m of deps.modules)
    if (m.routes)
      await app.register(
        m.routes({
          config,
          database,
          records,
          jobs: deps.jobs,
          now: deps.jobs.now,
          secrets: deps.secrets,
          callers,
        }),
      );
  await app.register(aggregateRoutes({ database, records }));
  await app.register(bulkRoutes({ database, records }));
  await app.register(recordRoutes({ database, records }));
  await app.register(viewRoutes({ database, views: new ViewService(records) }));
  await app.register(jobRoutes({ access: records.access, now: deps.jobs.now }));
  await app.register(mailRoutes({ database, access: records.access, records }));
  await app.register(mailboxRoutes({ database, access: records.access, mailDomain: config.mailDomain }));
  await app.register(
    webhookRoutes({
      access: records.access,
      jobs: deps.jobs,
      allowPrivateNetwork: config.webhooksAllowPrivate,
      secrets: deps.secrets,
    }),
  );
  await app.register(
    notificationRoutes({
      database,
      callers,
      trustedOrigins: [config.baseUrl, ...config.corsOrigins],
      sources: deps.modules.flatMap(
        (m) =>
          m.streams?.({ config, database, records, jobs: deps.jobs, now: deps.jobs.now, secrets: deps.secrets }) ?? [],
      ),
    }),
  );
  await app.register(webAppRoutes()); // the SPA from dist/web (last: its catch-all defers to the API's routes)
  return app;
}

/** The origin of a tile URL template (`https://tiles.example.com/{z}/{x}/{y}.png`), for the CSP; none when unset or unparsable. */
function tileOrigin(template: string | undefined): string[] {
  if (!template) return [];
  try {
    const url = new URL(template.replace(/\{[a-z]+\}/g, '0'));
    return url.protocol === 'https:' || url.protocol === 'http:' ? [url.origin] : [];
  } catch {
    return [];
  }
}
