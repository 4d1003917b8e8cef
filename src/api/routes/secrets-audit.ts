import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { queryInt, route } from '../route.ts';

const SecretBody = z.strictObject({ name: z.string().min(1).max(128), value: z.string().min(1).max(65_536), description: z.string().max(500).optional() });
const AuditQuery = z.strictObject({ after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(), action: z.string().max(100).optional(), actor: z.string().max(300).optional(), limit: queryInt(1, 1000).optional() });

export const secretRoutes = [
  route({
    method: 'GET', path: '/api/v1/secrets', tag: 'secrets', access: Permission.secretsRead,
    summary: 'Secret names, descriptions and key ids; values are never returned',
    handler: async ({ services }) => ({ secrets: await services.secrets.list() }),
  }),
  route({
    method: 'POST', path: '/api/v1/secrets', tag: 'secrets', access: Permission.secretsWrite, status: 201, body: SecretBody,
    summary: 'Store (or replace) a credential, encrypted with AES-256-GCM; the answer does not echo it',
    handler: async ({ services, body, audit }) => {
      const info = await services.secrets.put(body.name, body.value, body.description ?? null);
      await audit({ action: 'secret.set', target: `secret:${info.name}`, details: { keyId: info.keyId } });
      return info;
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/secrets/:name', tag: 'secrets', access: Permission.secretsWrite,
    summary: 'Remove a credential',
    handler: async ({ services, params, audit }) => {
      if (!(await services.secrets.remove(params.name!))) throw new CrossdockError('SECRET_NOT_FOUND', `No secret "${params.name}"`, { category: 'user', retryable: false });
      await audit({ action: 'secret.delete', target: `secret:${params.name}` });
      return { deleted: true };
    },
  }),
];

export const auditRoutes = [
  route({
    method: 'GET', path: '/api/v1/audit', tag: 'audit', access: Permission.auditRead, query: AuditQuery,
    summary: 'Audit entries in order (after a sequence number); filter by action (or prefix: "run") and actor',
    handler: async ({ services, query }) => {
      const limit = query.limit ?? 100;
      const entries = await services.audit.list({ afterSeq: query.after ?? 0, action: query.action, actor: query.actor, limit: limit + 1 });
      const items = entries.slice(0, limit);
      return { entries: items, next: entries.length > limit ? items.at(-1)!.seq : null };
    },
  }),
  route({
    method: 'GET', path: '/api/v1/audit/verify', tag: 'audit', access: Permission.auditRead,
    summary: 'Walk the hash chain: ok, or the first entry that was altered or removed',
    handler: async ({ services }) => services.audit.verify(),
  }),
];
