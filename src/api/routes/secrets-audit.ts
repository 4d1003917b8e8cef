import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { queryInt, queryTime, route } from '../route.ts';

const SecretBody = z.strictObject({
  name: z.string().min(1).max(128),
  value: z.string().min(1).max(65_536),
  description: z.string().max(500).optional(),
});
const AuditQuery = z
  .strictObject({
    /** asc when only `after` is given (how callers paged before `order` existed), else desc. */
    order: z.enum(['asc', 'desc']).optional(),
    after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
    before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
    action: z.string().min(1).max(100).optional(),
    /** Text the actor contains, any case (an exact actor is found too). */
    actor: z.string().min(1).max(300).optional(),
    target: z.string().min(1).max(300).optional(),
    from: queryTime.optional(),
    to: queryTime.optional(),
    limit: queryInt(1, 1000).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.after !== undefined && q.before !== undefined)
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'give after or before, not both' });
    if (q.from && q.to && q.to <= q.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
  });

export const secretRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/secrets',
    tag: 'secrets',
    access: Permission.secretsRead,
    summary: 'Secret names, descriptions and key ids; values are never returned',
    handler: async ({ services }) => ({ secrets: await services.secrets.list() }),
  }),
  route({
    method: 'POST',
    path: '/api/v1/secrets',
    tag: 'secrets',
    access: Permission.secretsWrite,
    status: 201,
    body: SecretBody,
    summary:
      'Store (or replace) a credential, encrypted with AES-256-GCM; the answer does not echo it',
    handler: async ({ services, body, audit }) => {
      const info = await services.secrets.put(body.name, body.value, body.description ?? null);
      await audit({
        action: 'secret.set',
        target: `secret:${info.name}`,
        details: { keyId: info.keyId },
      });
      return info;
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/v1/secrets/:name',
    tag: 'secrets',
    access: Permission.secretsWrite,
    summary: 'Remove a credential',
    handler: async ({ services, params, audit }) => {
      if (!(await services.secrets.remove(params.name!)))
        throw new CrossdockError('SECRET_NOT_FOUND', `No secret "${params.name}"`, {
          category: 'user',
          retryable: false,
        });
      await audit({ action: 'secret.delete', target: `secret:${params.name}` });
      return { deleted: true };
    },
  }),
];

export const auditRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/audit',
    tag: 'audit',
    access: Permission.auditRead,
    query: AuditQuery,
    summary:
      'Audit entries, newest first (order=asc for oldest first), paged by seq (before / after); search by action (or prefix: "run"), actor text, target (exact, or a prefix ending in ":" or "*") and time (from, to)',
    handler: async ({ services, query }) => {
      const order =
        query.order ?? (query.after !== undefined && query.before === undefined ? 'asc' : 'desc');
      const cursor =
        query.before !== undefined
          ? { before: query.before }
          : query.after !== undefined
            ? { after: query.after }
            : undefined;
      const { action, actor, target, from, to } = query;
      const page = await services.audit.search({
        order,
        cursor,
        action,
        actorContains: actor,
        target,
        from,
        to,
        limit: query.limit ?? 100,
      });
      // `next` continues in the listed order (what `after` paging used before `order` existed).
      return {
        order,
        entries: page.entries,
        older: page.older,
        newer: page.newer,
        next: order === 'asc' ? page.newer : page.older,
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/audit/verify',
    tag: 'audit',
    access: Permission.auditRead,
    summary: 'Walk the hash chain: ok, or the first entry that was altered or removed',
    handler: async ({ services }) => services.audit.verify(),
  }),
];
