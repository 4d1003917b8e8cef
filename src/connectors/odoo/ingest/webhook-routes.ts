import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../../observability/index.ts';
import { assertStorableJson, MAX_JSON_DEPTH } from '../../../store/index.ts';
import type { OdooSource } from './config.ts';
import { hintEvent, parseHint, watchFor } from './hint.ts';
import type { HookTokens } from './hook-tokens.ts';
import { verifyPathToken, webhookRefused, type HookRefusal } from '../../../triggers/index.ts';

const UNKNOWN_SOURCE: HookRefusal = {
  ok: false,
  code: 'HOOK_UNAUTHORIZED',
  message: 'Unknown source or wrong token',
};

export interface OdooWebhookOptions {
  sources: OdooSource[];
  accept: (
    event: ReturnType<typeof hintEvent>,
  ) => Promise<{ eventId: string; duplicate: boolean; conflict?: boolean }>;
  logger: Logger;
  /** Which path tokens each source accepts now (the configured one, or the rotated ones). */
  tokens: HookTokens;
}

/**
 * POST /hooks/odoo/:source/:event/:token — where Odoo's "Send Webhook Notification" posts.
 * Odoo cannot sign or add headers, so the per-source secret is in the path (compared in
 * constant time, never logged; after a rotation the previous one too, during its overlap). Odoo waits for this answer inside its user's transaction
 * with a 1 s timeout, so we answer right after the durable insert of the hint; the re-read
 * happens later, in a run.
 */
export function odooWebhookRoutes(options: OdooWebhookOptions): FastifyPluginAsync {
  const byName = new Map(options.sources.map((s) => [s.name, s]));
  return async (app) => {
    app.post<{ Params: { source: string; event: string; token: string } }>(
      '/hooks/odoo/:source/:event/:token',
      async (request, reply) => {
        const refuse = (refusal: HookRefusal) => {
          options.logger.warn(
            {
              source: request.params.source.slice(0, 40),
              code: refusal.code,
              requestId: request.id,
            },
            'odoo webhook refused',
          );
          return webhookRefused(refusal);
        };
        const source = byName.get(request.params.source);
        if (!source) throw refuse(UNKNOWN_SOURCE);
        const verdict = verifyPathToken(
          request.params.token,
          await options.tokens.accepted(source),
        );
        if (!verdict.ok) throw refuse(verdict);
        // Before anything recursive (the key's hash of the body) and the store see it.
        assertStorableJson(request.body, 'Odoo webhook body', MAX_JSON_DEPTH, 'body');
        const hint = parseHint(request.body);
        const watch = watchFor(source, request.params.event, hint);
        const accepted = await options.accept(hintEvent(source, watch, hint, request.body));
        return reply.status(200).send({
          eventId: accepted.eventId,
          duplicate: accepted.duplicate,
          conflict: accepted.conflict === true,
        });
      },
    );
  };
}

/** The path Odoo's rule must post to (what `crossdock odoo setup-rules` writes into Odoo); by default with the configured token. */
export function odooWebhookPath(
  source: OdooSource,
  event: string,
  token: string = source.token,
): string {
  return `/hooks/odoo/${encodeURIComponent(source.name)}/${encodeURIComponent(event)}/${token}`;
}
