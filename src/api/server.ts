import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
} from 'fastify';
import {
  actorName,
  CSRF_HEADER,
  csrfMatches,
  SESSION_COOKIE,
  type Principal,
} from '../auth/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { Logger } from '../observability/index.ts';
import { webhookIngress } from '../triggers/index.ts';
import { dashboardAssets, DASHBOARD_DIST } from './dashboard.ts';
import { sendError } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { parse, type RouteSpec } from './route.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { authRoutes } from './routes/auth.ts';
import { totpRoutes } from './routes/totp.ts';
import { eventRoutes } from './routes/events.ts';
import { exceptionRoutes } from './routes/exceptions.ts';
import { aiRoutes } from './routes/ai.ts';
import { mailRoutes } from './routes/mail.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { kpiRoutes } from './routes/kpis.ts';
import { policyRoutes } from './routes/policies.ts';
import { reconcileRoutes } from './routes/reconcile.ts';
import { runRoutes } from './routes/runs.ts';
import { auditRoutes, secretRoutes } from './routes/secrets-audit.ts';
import { sourceRoutes } from './routes/sources.ts';
import { systemRoutes } from './routes/system.ts';
import { userRoutes } from './routes/users.ts';
import { workflowEditRoutes } from './routes/workflow-edits.ts';
import { workflowRoutes } from './routes/workflows.ts';
import type { ApiServices } from './services.ts';
import { retryOnStoreFault } from '../engine/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    cookieSecure: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Why credentials that were sent did not authenticate. */
    authProblem: string | null;
  }
}

export interface ApiOptions {
  /** The services behind the routes (createCrossdock makes them: `crossdock.services`). */
  services: ApiServices;
  logger: Logger;
  maxBodyBytes: number;
  rateLimit?: { perMinute: number; loginPerMinute: number };
  /** Set the Secure flag on the session cookie (serve over HTTPS, or behind a TLS proxy). */
  cookieSecure?: boolean;
  /** More routes (the Odoo webhooks, /hooks/odoo/...), each registered in its own scope. */
  plugins?: FastifyPluginAsync[];
  /** The built dashboard to serve under /app/ (default dashboard/dist); null serves none. */
  dashboardDir?: string | null;
}

/** Every route of /api/v1 plus health and metrics: the permission matrix test walks this list. */
export const API_ROUTES: RouteSpec[] = [
  ...systemRoutes,
  ...authRoutes,
  ...totpRoutes,
  ...eventRoutes,
  ...runRoutes,
  ...workflowRoutes,
  ...workflowEditRoutes,
  ...sourceRoutes,
  ...userRoutes,
  ...secretRoutes,
  ...auditRoutes,
  ...approvalRoutes,
  ...exceptionRoutes,
  ...aiRoutes,
  ...mailRoutes,
  ...notificationRoutes,
  ...kpiRoutes,
  ...policyRoutes,
  ...reconcileRoutes,
];

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The HTTP API: the same services the CLI uses. */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { services } = options;
  const limits = options.rateLimit ?? { perMinute: 600, loginPerMinute: 10 };
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.maxBodyBytes + 1024,
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    // A caller's own request id is kept when it is harmless text, so logs can be correlated.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  app.decorate('cookieSecure', options.cookieSecure ?? false);
  app.decorateRequest('principal', null);
  app.decorateRequest('authProblem', null);
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new CrossdockError(
        'ROUTE_NOT_FOUND',
        `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`,
        { category: 'user' },
      ),
    ),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
  });
  // One line per request: the route pattern, never the raw URL (a path token is a secret).
  app.addHook('onResponse', async (request, reply) => {
    const line = {
      route: `${request.method} ${request.routeOptions.url ?? '(no route)'}`,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      actor: request.principal ? actorName(request.principal) : null,
    };
    if (reply.statusCode >= 400) request.log.info(line, 'request refused');
    else request.log.debug(line, 'request');
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: true,
    max: limits.perMinute,
    timeWindow: 60_000,
    // Per token (or session user) when signed in, else per address.
    keyGenerator: (request) =>
      request.principal
        ? `p:${request.principal.via.kind === 'token' ? `t${request.principal.via.tokenId}` : `u${request.principal.userId}`}`
        : `ip:${request.ip}`,
    errorResponseBuilder: (_request, context) =>
      new CrossdockError('RATE_LIMITED', `Too many requests; retry in ${context.after}`, {
        category: 'user',
        retryAfterMs: context.ttl,
      }),
  });

  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => authenticate(services, request));
    for (const spec of API_ROUTES)
      mount(
        api,
        spec,
        services,
        spec.path === '/api/v1/auth/login' ? limits.loginPerMinute : undefined,
      );
    const document = openApiDocument(API_ROUTES, { hooks: true });
    api.get('/api/docs', async () => document);
    api.get('/api/docs/openapi.json', async () => document);
  });
  await app.register(
    webhookIngress({
      db: services.engine.store.db,
      sources: services.sources,
      accept: (event) => services.engine.accept(event, 'webhook'),
      now: () => services.engine.clock.now(),
      logger: options.logger,
      onRejected: (source, code) => services.metrics.eventRejected(source, code),
      expressionLimits: services.engine.expressionLimits,
    }),
  );
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  if (options.dashboardDir !== null)
    await app.register(dashboardAssets(options.dashboardDir ?? DASHBOARD_DIST));
  return app;
}

/** Finds who is calling: a bearer token, else a session cookie. Authorization is per route. */
async function authenticate(services: ApiServices, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header);
    request.principal = (match && (await services.tokens.authenticate(match[1]!))) || null;
    if (!request.principal)
      request.authProblem =
        'The bearer token is unknown, revoked or expired, or its user is disabled';
    return;
  }
  const session = request.cookies[SESSION_COOKIE];
  if (session) {
    request.principal = (await services.sessions.authenticate(session)) ?? null;
    if (!request.principal) request.authProblem = 'The session has ended; sign in again';
  }
}

function mount(
  app: FastifyInstance,
  spec: RouteSpec,
  services: ApiServices,
  perMinute: number | undefined,
): void {
  app.route({
    method: spec.method,
    url: spec.path,
    ...(perMinute
      ? {
          config: {
            rateLimit: {
              max: perMinute,
              timeWindow: 60_000,
              keyGenerator: (r: FastifyRequest) => `login:${r.ip}`,
            },
          },
        }
      : {}),
    handler: async (request, reply) => {
      const principal = await authorize(spec, request, services);
      const body = spec.body ? parse(spec.body, request.body, 'body') : request.body;
      const query = spec.query ? parse(spec.query, request.query, 'query') : request.query;
      let audited = false;
      const audit = async (entry: {
        action: string;
        target?: string | null;
        details?: Record<string, unknown>;
      }) => {
        audited = true;
        // The action has committed by now and its entry has a transaction of its own: after a
        // store fault it is appended again, so a blink cannot answer 503 for a done action (a
        // commit whose answer was lost can leave the entry twice, never missing).
        await retryOnStoreFault(
          () =>
            services.audit.append({
              ...entry,
              actor: principal ? actorName(principal) : 'anonymous',
              requestId: request.id,
            }),
          Math.random,
        );
      };
      const result = await spec.handler({
        request,
        reply,
        params: request.params as Record<string, string>,
        body,
        query,
        principal,
        services,
        audit,
      });
      // Every write made with a token leaves a trace, even where the route records nothing more specific.
      if (
        !audited &&
        !spec.auditedInTransaction &&
        UNSAFE.has(spec.method) &&
        principal?.via.kind === 'token'
      ) {
        await audit({
          action: 'api.write',
          target: `${spec.method} ${spec.path}`,
          details: { params: request.params },
        });
      }
      if (reply.sent) return reply;
      return reply.status(spec.status ?? 200).send(result);
    },
  });
}

/** 401 without valid credentials, 403 for a cross-site write or a permission the caller lacks. */
async function authorize(
  spec: RouteSpec,
  request: FastifyRequest,
  services: ApiServices,
): Promise<Principal | null> {
  if (spec.access === 'public') return request.principal;
  const principal = request.principal;
  if (!principal) {
    throw new CrossdockError(
      request.authProblem ? 'TOKEN_REJECTED' : 'AUTH_REQUIRED',
      request.authProblem ?? 'Sign in, or send an API token (Authorization: Bearer cdx_...)',
      { category: 'user', retryable: false },
    );
  }
  if (
    principal.via.kind === 'session' &&
    UNSAFE.has(spec.method) &&
    !csrfMatches(request.cookies[SESSION_COOKIE] ?? '', headerText(request.headers[CSRF_HEADER]))
  ) {
    throw new CrossdockError(
      'CSRF_FAILED',
      `Writes with a session cookie need the ${CSRF_HEADER} header from sign-in`,
      { category: 'user', retryable: false },
    );
  }
  if (spec.access === 'authenticated' || principal.permissions.has(spec.access)) return principal;
  await services.audit.append({
    actor: actorName(principal),
    action: 'access.denied',
    target: `${spec.method} ${spec.path}`,
    details: { role: principal.role, needs: spec.access },
    requestId: request.id,
  });
  const why =
    principal.via.kind === 'token'
      ? `this token (role ${principal.role}) does not carry ${spec.access}`
      : `the ${principal.role} role does not include ${spec.access}`;
  throw new CrossdockError('FORBIDDEN', `Not allowed: ${why}`, {
    category: 'user',
    retryable: false,
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
