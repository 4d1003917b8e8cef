/**
 * POST /hooks/shop/:shop: a shop's order webhooks. Order: authenticate the raw bytes (the
 * project's webhook verifier: base64 HMAC-SHA256 of the body, the shop's secret), then read
 * the order and accept one event for it. A refused delivery stores nothing; 200 only after
 * the event is stored. The event's key is the order (and the topic; a refund's own id), so the
 * same order sent five times, or under a new webhook id, is one event and starts one run.
 */
import type { FastifyPluginAsync } from 'fastify';
import { CrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import { assertStorableJson, MAX_JSON_DEPTH } from '../../store/index.ts';
import {
  verifyBodyHmac,
  webhookRefused,
  type Verdict,
  type MappedEvent,
} from '../../triggers/index.ts';
import type { Shop } from './config.ts';
import {
  orderEventPayload,
  readShopOrder,
  readShopRefund,
  refundEventPayload,
  SHOP_TOPICS,
  type ShopTopic,
} from './mapping.ts';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export interface ShopRouteDeps {
  shop(code: string): Shop | undefined;
  accept(event: MappedEvent): Promise<{ eventId: string; duplicate: boolean }>;
  logger: Logger;
}

export interface ShopDeliveryOutcome {
  event: string;
  type: string;
  order: string;
  duplicate: boolean;
}

const header = (headers: HeaderBag, name: string) => {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
};

export async function receiveShopWebhook(
  deps: ShopRouteDeps,
  code: string,
  rawBody: Buffer,
  headers: HeaderBag,
): Promise<ShopDeliveryOutcome> {
  const shop = deps.shop(code);
  const verdict: Verdict = shop
    ? verifyBodyHmac(rawBody, shop.webhook.secret, {
        value: header(headers, shop.webhook.signatureHeader),
        header: shop.webhook.signatureHeader,
        encoding: 'hex-or-base64',
      })
    : { ok: false, code: 'HOOK_UNAUTHORIZED', message: 'Unknown shop or wrong signature' };
  if (!verdict.ok) {
    deps.logger.warn({ shop: code.slice(0, 40), code: verdict.code }, 'shop webhook refused');
    throw webhookRefused(verdict);
  }
  const topic = header(headers, shop!.webhook.topicHeader);
  if (topic === undefined || !Object.hasOwn(SHOP_TOPICS, topic))
    throw new CrossdockError(
      'SHOP_WEBHOOK_INVALID',
      `The ${shop!.webhook.topicHeader} header is ${topic === undefined ? 'missing' : `"${topic.slice(0, 60)}"`}; topics taken: ${Object.keys(SHOP_TOPICS).join(', ')}`,
      { category: 'user', retryable: false },
    );
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new CrossdockError('SHOP_WEBHOOK_INVALID', 'The webhook body is not JSON', {
      category: 'user',
      retryable: false,
    });
  }
  // As at every door: only what the store can hold (no U+0000, no lone surrogate, bounded depth).
  assertStorableJson(body, 'shop webhook body', MAX_JSON_DEPTH, 'body');
  const type = SHOP_TOPICS[topic as ShopTopic];
  // A refund is keyed by its own id (an order may be refunded more than once).
  const read =
    topic === 'refunds/create'
      ? (() => {
          const refund = readShopRefund(body);
          return {
            id: refund.id,
            order: refund.order_id,
            payload: refundEventPayload(shop!, refund),
          };
        })()
      : (() => {
          const order = readShopOrder(body);
          return { id: order.id, order: order.name, payload: orderEventPayload(shop!, order) };
        })();
  const accepted = await deps.accept({
    source: `shop.${shop!.code}`,
    type,
    key: `${topic}:${read.id}`,
    payload: read.payload,
  });
  deps.logger.info(
    { shop: shop!.code, topic, order: read.order, duplicate: accepted.duplicate },
    'shop webhook received',
  );
  return { event: accepted.eventId, type, order: read.order, duplicate: accepted.duplicate };
}

export function shopRoutes(deps: ShopRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body as Buffer),
    );
    app.addContentTypeParser('*', (_req, _payload, done) =>
      done(
        new CrossdockError('CONTENT_TYPE_UNSUPPORTED', 'Send the webhook as application/json', {
          category: 'user',
          retryable: false,
        }),
        undefined,
      ),
    );
    app.post<{ Params: { shop: string } }>('/hooks/shop/:shop', async (request, reply) => {
      const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
      const outcome = await receiveShopWebhook(deps, request.params.shop, body, request.headers);
      return reply.status(200).send(outcome);
    });
  };
}
