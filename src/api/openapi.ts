import { z } from 'zod';
import type { RouteSpec } from './route.ts';

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details', 'requestId'],
      properties: {
        code: { type: 'string', description: 'Stable error code (docs/error-codes.md)' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
        requestId: { type: 'string' },
      },
    },
  },
};

const schemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

/**
 * The OpenAPI 3.1 document, made from the same route table the server mounts: each
 * operation states its permission (x-permission), body and query schemas (from zod).
 */
export function openApiDocument(
  routes: RouteSpec[],
  extra: { hooks: boolean },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = r.query
      ? Object.entries(
          (schemaOf(r.query) as { properties?: Record<string, unknown> }).properties ?? {},
        ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : [];
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      'x-permission': r.access,
      security:
        r.access === 'public' ? [] : [{ bearerToken: [] }, { sessionCookie: [], csrfToken: [] }],
      parameters: [...params, ...query],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(r.body) } },
            },
          }
        : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'Success',
          content: { [r.produces ?? 'application/json']: {} },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  if (extra.hooks) {
    const hook = (withToken: boolean) => ({
      summary: withToken
        ? 'Webhook from a sender that cannot sign (secret path token)'
        : 'Signed webhook (hmac-sha256: crossdock-signature "t=<unix>,v1=<hex>"; header-hmac: the provider header)',
      tags: ['hooks'],
      'x-permission': 'source secret',
      security: [],
      parameters: [
        { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
        ...(withToken
          ? [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }]
          : []),
      ],
      requestBody: { required: true, content: { 'application/json': { schema: {} } } },
      responses: {
        '202': { description: 'Accepted after the durable insert' },
        '200': { description: 'A duplicate of an accepted event (same key); nothing started' },
        '400': { description: 'Not JSON, not UTF-8, or does not map to an event' },
        '401': {
          description:
            'Unknown source, missing/invalid signature, stale timestamp, replayed signature, wrong token',
        },
        '413': { description: 'Body too large' },
        '415': { description: 'Not JSON' },
        '429': { description: 'Too many requests' },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    });
    paths['/hooks/{source}'] = { post: hook(false) };
    paths['/hooks/{source}/{token}'] = { post: hook(true) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Crossdock API',
      version: '1',
      description:
        'Durable workflows beside Odoo. Every error is { error: { code, message, details: [{ path, message }], requestId } }.',
    },
    paths,
    components: {
      schemas: { Error: ErrorBody },
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (cdx_...) from POST /api/v1/tokens or `crossdock tokens create`',
        },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'crossdock_session' },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'x-csrf-token',
          description: 'Required with the session cookie on POST, PATCH and DELETE',
        },
      },
    },
  };
}
