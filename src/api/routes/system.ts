import { sql } from 'kysely';
import { Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { isStoreFault, STORE_RETRY_AFTER_MS } from '../../store/index.ts';
import { route } from '../route.ts';

/** Liveness, readiness (the store answers), Prometheus metrics. The OpenAPI document is added by the server. */
export const systemRoutes = [
  route({
    method: 'GET',
    path: '/healthz',
    tag: 'system',
    access: 'public',
    summary: 'Liveness: the process answers',
    handler: async () => ({ status: 'ok' }),
  }),
  route({
    method: 'GET',
    path: '/readyz',
    tag: 'system',
    access: 'public',
    summary: 'Readiness: the store answers a query',
    handler: async ({ services }) => {
      try {
        await sql`SELECT 1`.execute(services.engine.store.db);
      } catch (cause) {
        // 503 with Retry-After either way; a mapped fault already says what happened.
        throw isStoreFault(cause)
          ? cause
          : new CrossdockError('STORE_UNAVAILABLE', 'The store does not answer', {
              category: 'transient',
              retryAfterMs: STORE_RETRY_AFTER_MS,
              cause,
            });
      }
      return { status: 'ready', store: services.engine.store.kind };
    },
  }),
  route({
    method: 'GET',
    path: '/metrics',
    tag: 'system',
    access: Permission.metricsRead,
    summary: 'Prometheus metrics (text exposition format)',
    produces: 'text/plain',
    handler: async ({ services, reply }) =>
      reply
        .header('content-type', services.metrics.contentType)
        .send(await services.metrics.render()),
  }),
];
