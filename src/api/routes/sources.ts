import { Permission } from '../../auth/index.ts';
import { NewSourceSchema, SourceUpdateSchema } from '../../triggers/index.ts';
import { route } from '../route.ts';

/** Webhook sources (external systems posting to /hooks/<name>) and, read-only, the Odoo connections. */
export const sourceRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/sources',
    tag: 'sources',
    access: Permission.sourcesRead,
    summary: 'Webhook sources and Odoo connections (never their secrets)',
    handler: async ({ services }) => ({
      webhooks: await services.sources.list(),
      odoo: services.odooConnections(),
    }),
  }),
  route({
    method: 'POST',
    path: '/api/v1/sources',
    tag: 'sources',
    access: Permission.sourcesWrite,
    status: 201,
    body: NewSourceSchema,
    summary: 'Add a webhook source; a generated secret is in this answer only',
    handler: async ({ services, body, audit }) => {
      // Validated again (and stored) by the service; the body schema is here for the OpenAPI document.
      const created = await services.sources.create(body);
      await audit({
        action: 'source.create',
        target: `source:${created.source.name}`,
        details: {
          verification: created.source.verification,
          mapping: created.source.mapping,
          secretGenerated: created.secret !== null,
        },
      });
      return created;
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/sources/:name',
    tag: 'sources',
    access: Permission.sourcesRead,
    summary: 'One webhook source',
    handler: async ({ services, params }) => services.sources.get(params.name!),
  }),
  route({
    method: 'PATCH',
    path: '/api/v1/sources/:name',
    tag: 'sources',
    access: Permission.sourcesWrite,
    body: SourceUpdateSchema,
    summary: 'Change a source: mapping, signature header, tolerance, enabled',
    handler: async ({ services, params, body, audit }) => {
      const source = await services.sources.update(params.name!, body);
      await audit({
        action: 'source.update',
        target: `source:${source.name}`,
        details: { changed: body },
      });
      return source;
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/sources/:name/rotate-secret',
    tag: 'sources',
    access: Permission.sourcesWrite,
    summary:
      'Replace the source secret; the new one is in this answer only and the old one stops working',
    handler: async ({ services, params, audit }) => {
      const secret = await services.sources.rotateSecret(params.name!);
      await audit({ action: 'source.rotate-secret', target: `source:${params.name}` });
      return { secret };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/v1/sources/:name',
    tag: 'sources',
    access: Permission.sourcesWrite,
    summary: 'Remove a source and its secret',
    handler: async ({ services, params, audit }) => {
      await services.sources.remove(params.name!);
      await audit({ action: 'source.delete', target: `source:${params.name}` });
      return { deleted: true };
    },
  }),
];
