import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { RunStatus } from '../store/index.ts';
import type { Engine } from '../engine/index.ts';
import type { Logger } from '../observability/index.ts';
import { sendError } from './errors.ts';

export interface ApiOptions {
  engine: Engine;
  logger: Logger;
  maxBodyBytes: number;
}

const RunListQuery = z.strictObject({
  status: z.enum(Object.values(RunStatus) as [RunStatus, ...RunStatus[]]).optional(),
  workflow: z.string().optional(),
  event: z.string().regex(/^\d+$/).optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(1000)).optional(),
});
const ReplayBody = z.strictObject({ input: z.unknown().optional(), fromStep: z.string().optional() }).default({});
const CancelBody = z.strictObject({ reason: z.string().max(500).optional() }).default({});
const SignalBody = z.strictObject({ payload: z.unknown().optional() }).default({});
const SimulateBody = z.strictObject({ event: z.unknown() });

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? undefined);
  if (result.success) return result.data;
  throw new CrossdockError('REQUEST_INVALID', `The ${where} is not valid`, {
    category: 'user',
    details: result.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message })),
  });
}

/** The REST API: the same services the CLI uses. */
export async function buildApi({ engine, logger, maxBodyBytes }: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: maxBodyBytes + 1024,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new CrossdockError('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`, { category: 'user' })),
  );

  app.get('/api/health', async () => ({ status: 'ok', store: engine.store.kind }));

  app.post('/api/events', async (request, reply) => {
    const accepted = await engine.accept(request.body);
    return reply.status(accepted.duplicate ? 200 : 202).send(accepted);
  });

  app.get('/api/runs', async (request) => {
    const q = parse(RunListQuery, request.query, 'query');
    return { runs: await engine.runs.list({ status: q.status, workflowId: q.workflow, eventId: q.event, limit: q.limit }) };
  });
  app.get<{ Params: { id: string } }>('/api/runs/:id', async (request) => engine.runs.show(request.params.id));
  app.post<{ Params: { id: string } }>('/api/runs/:id/replay', async (request) => {
    const body = parse(ReplayBody, request.body, 'body');
    return engine.runs.replay(request.params.id, body);
  });
  app.post<{ Params: { id: string } }>('/api/runs/:id/cancel', async (request) => {
    const body = parse(CancelBody, request.body, 'body');
    await engine.runs.cancel(request.params.id, body.reason);
    return engine.runs.show(request.params.id);
  });
  app.post<{ Params: { id: string; name: string } }>('/api/runs/:id/signals/:name', async (request, reply) => {
    const body = parse(SignalBody, request.body, 'body');
    await engine.runs.signal(request.params.id, request.params.name, body.payload ?? null);
    return reply.status(202).send({ delivered: true });
  });

  app.get('/api/workflows', async () => ({
    workflows: engine.catalog.current().map((w) => ({ id: w.id, version: w.hash, label: w.definition.version ?? null, file: w.file, trigger: w.definition.trigger ?? null, steps: w.definition.steps.length })),
  }));
  app.post<{ Params: { id: string } }>('/api/workflows/:id/simulate', async (request) => {
    const body = parse(SimulateBody, request.body, 'body');
    return engine.simulate(request.params.id, body.event);
  });
  return app;
}
