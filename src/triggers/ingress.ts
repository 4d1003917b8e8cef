import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CrossdockError } from '../errors/index.ts';
import type { Logger } from '../observability/index.ts';
import { assertStorableJson, MAX_JSON_DEPTH } from '../store/index.ts';
import type { ExpressionLimits } from '../workflows/index.ts';
import { acceptRawJsonBodies } from './raw-body.ts';
import { mapPayload, type MappedEvent } from './mapping.ts';
import type { WebhookSource, WebhookSources } from './sources.ts';
import {
  verifyHeaderHmac,
  verifyPathToken,
  verifyTimestamped,
  webhookRefused,
  type Verdict,
} from './verify.ts';
import type { Database } from '../store/index.ts';

export interface IngressDeps {
  db: Kysely<Database>;
  sources: WebhookSources;
  /** The engine's durable intake. */
  accept: (
    event: MappedEvent,
  ) => Promise<{ eventId: string; duplicate: boolean; conflict: boolean }>;
  now: () => Date;
  logger: Logger;
  /** Told about every refused delivery (metrics). */
  onRejected?: (source: string, code: string) => void;
  /** Bounds on the mapping's expressions, which run in this (the API) process. */
  expressionLimits?: ExpressionLimits;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * POST /hooks/:source (signed) and POST /hooks/:source/:token (path token): webhooks from
 * carriers, shops, EDI gateways, supplier portals. Order: authenticate the raw bytes, parse,
 * map, claim the signature (replay guard), then the durable insert; 2xx only after it has
 * committed. A refused request stores nothing: the replay claim is taken only after every
 * check passed, and given back if the intake refuses the event.
 */
export function webhookIngress(deps: IngressDeps): FastifyPluginAsync {
  return async (app) => {
    // This scope reads bodies as raw bytes: signatures are over the bytes as sent.
    acceptRawJsonBodies(app);

    const handle = async (
      request: FastifyRequest<{ Params: { source: string; token?: string } }>,
    ) => {
      const name = request.params.source;
      let known = false;
      try {
        const found = await deps.sources.verifier(name);
        known = found !== undefined;
        if (!found || found.secret === null)
          throw webhookRefused({
            ok: false,
            code: 'HOOK_UNAUTHORIZED',
            message: 'Unknown source or wrong token',
          });
        const { source, secret } = found;
        const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
        const verdict = verify(source, secret, request, body);
        if (!verdict.ok) throw webhookRefused(verdict);
        const event = await mapPayload(
          source.mapping,
          source.name,
          parseJsonBody(body),
          deps.expressionLimits,
        );
        return await acceptOnce(source, verdict.replayKey, event);
      } catch (error) {
        const code = error instanceof CrossdockError ? error.code : 'INTERNAL';
        deps.onRejected?.(known ? name : '(unknown)', code); // unknown names stay out of metric labels
        if (code.startsWith('HOOK_'))
          deps.logger.warn({ source: name, code, requestId: request.id }, 'webhook refused');
        throw error;
      }
    };

    function verify(
      source: WebhookSource,
      secret: string,
      request: FastifyRequest<{ Params: { token?: string } }>,
      body: Buffer,
    ): Verdict {
      const header = source.signatureHeader
        ? request.headers[source.signatureHeader.toLowerCase()]
        : undefined;
      const headerText = Array.isArray(header) ? undefined : header;
      if (source.verification === 'path-token')
        return verifyPathToken(request.params.token, secret);
      if (request.params.token !== undefined)
        return {
          ok: false,
          code: 'HOOK_UNAUTHORIZED',
          message: 'This source signs its requests; post to /hooks/<source>',
        };
      if (source.verification === 'header-hmac') return verifyHeaderHmac(headerText, body, secret);
      return verifyTimestamped(
        headerText,
        body,
        secret,
        deps.now().getTime(),
        source.toleranceSeconds,
      );
    }

    async function acceptOnce(source: WebhookSource, replayKey: string | null, event: MappedEvent) {
      const now = deps.now();
      if (replayKey !== null) {
        const claimed =
          await sql`INSERT INTO webhook_deliveries (source, signature, seen_at) VALUES (${source.name}, ${replayKey}, ${now})
                                  ON CONFLICT DO NOTHING RETURNING signature`.execute(deps.db);
        if (claimed.rows.length === 0)
          throw webhookRefused({
            ok: false,
            code: 'HOOK_REPLAYED',
            message: 'This signature was already used: a replayed request',
          });
        // Older claims cannot matter: their timestamps are outside the window now.
        await sql`DELETE FROM webhook_deliveries WHERE source = ${source.name} AND seen_at < ${new Date(now.getTime() - 2 * source.toleranceSeconds * 1000)}`.execute(
          deps.db,
        );
      }
      try {
        return await deps.accept(event);
      } catch (error) {
        if (replayKey !== null)
          await sql`DELETE FROM webhook_deliveries WHERE source = ${source.name} AND signature = ${replayKey}`.execute(
            deps.db,
          );
        throw error;
      }
    }

    const reply = async (
      request: FastifyRequest<{ Params: { source: string; token?: string } }>,
      res: { status(n: number): { send(b: unknown): unknown } },
    ) => {
      const accepted = await handle(request);
      return res.status(accepted.duplicate || accepted.conflict ? 200 : 202).send({
        eventId: accepted.eventId,
        duplicate: accepted.duplicate,
        conflict: accepted.conflict,
      });
    };
    app.post<{ Params: { source: string } }>('/hooks/:source', (request, res) =>
      reply(request, res),
    );
    app.post<{ Params: { source: string; token: string } }>(
      '/hooks/:source/:token',
      (request, res) => reply(request, res),
    );
  };
}

/**
 * A webhook body as JSON the store can hold: UTF-8, JSON, no U+0000 or lone surrogate, at
 * most MAX_JSON_DEPTH levels (checked before the mapping, which recurses). JSON.parse itself
 * does not recurse in V8, so depth is checked on the parsed value. Every webhook door uses it.
 */
export function parseJsonBody(body: Buffer): unknown {
  const value = parseJson(body);
  assertStorableJson(value, 'request body', MAX_JSON_DEPTH, 'body');
  return value;
}

function parseJson(body: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new CrossdockError('BODY_INVALID', 'The request body is not valid UTF-8', {
      category: 'user',
      retryable: false,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CrossdockError(
      'BODY_INVALID',
      `The request body is not valid JSON: ${(error as Error).message}`,
      { category: 'user', retryable: false },
    );
  }
}
