import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditInput } from '../audit/index.ts';
import type { Permission, Principal } from '../auth/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { ApiServices } from './services.ts';

/**
 * Who may call a route: a permission from the matrix (src/auth/permissions.ts), any
 * signed-in principal, or anyone (health, login, the OpenAPI document).
 */
export type Access = Permission | 'authenticated' | 'public';

export interface RouteContext<B, Q> {
  request: FastifyRequest;
  reply: FastifyReply;
  params: Record<string, string>;
  body: B;
  query: Q;
  /** Null only on public routes. */
  principal: Principal | null;
  services: ApiServices;
  /** Records an audit entry for this request (actor and request id filled in). */
  audit(entry: Omit<AuditInput, 'actor' | 'requestId'>): Promise<void>;
}

export interface RouteSpec<B = unknown, Q = unknown> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Fastify syntax: /api/v1/runs/:id */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Status of a success when the handler does not choose one. */
  status?: number;
  /** Plain text answers (metrics); everything else is JSON. */
  produces?: string;
  /** The change is audited in its own transaction (the event intake's entry): no `api.write` entry after it. */
  auditedInTransaction?: true;
  handler(ctx: RouteContext<B, Q>): Promise<unknown>;
}

/** Keeps each route's body and query types tied to its schemas. */
export function route<B = undefined, Q = undefined>(spec: RouteSpec<B, Q>): RouteSpec<any, any> {
  return spec as RouteSpec<any, any>;
}

export function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? undefined);
  if (result.success) return result.data;
  throw new CrossdockError('REQUEST_INVALID', `The ${where} is not valid`, {
    category: 'user',
    retryable: false,
    details: result.error.issues.map((i) => ({
      path: [where, ...i.path].join('.'),
      message: i.message,
    })),
  });
}

/** Query strings are text: whole numbers and ISO times are checked, never coerced silently. */
export const queryInt = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'a whole number').transform(Number).pipe(z.int().min(min).max(max));
export const queryTime = z.iso
  .datetime({ offset: true, message: 'an ISO 8601 time, e.g. 2026-01-05T08:00:00Z' })
  .transform((v) => new Date(v));
