/**
 * A storefront for tests and demos, in the style of the common shop platforms: its orders
 * reach Crossdock as webhooks (`POST` JSON, the topic in `x-shop-topic`, a delivery id in
 * `x-shop-webhook-id`, the base64 HMAC-SHA256 of the raw body in `x-shop-hmac-sha256`), and
 * its Admin REST API takes inventory levels by SKU and location
 * (`POST /admin/api/2024-01/inventory_levels/set.json`, the access token in
 * `x-shop-access-token`). The API is rate-limited by a leaky bucket, as those platforms do:
 * each call fills it by one, it drains at `leakPerSecond`; a call that finds it full is
 * answered 429 with `Retry-After` (seconds) and changes nothing. Every answer carries
 * `x-shop-api-call-limit: <used>/<size>`.
 */
import { RecordLog } from '../record-log.ts';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SHOP_INVENTORY_PATH = '/admin/api/2024-01/inventory_levels/set.json';
/** The most levels one call may set. */
export const SHOP_MAX_LEVELS_PER_CALL = 50;

export interface ShopSimulatorOptions {
  /** What the shop signs its webhooks with (the app's shared secret). */
  webhookSecret: string;
  /** The Admin API access token Crossdock must present. */
  accessToken: string;
  /** The bucket's size (calls) and how fast it drains. */
  bucketSize?: number;
  leakPerSecond?: number;
  /** The shop's domain, sent in `x-shop-domain`. */
  domain?: string;
  /** How many of the newest inventory calls to keep (default: all, for tests); see RecordLog. */
  keepCalls?: number;
}

export interface ShopAddress {
  first_name: string;
  last_name: string;
  address1: string;
  city: string;
  zip: string;
  country_code: string;
  phone?: string;
}

export interface ShopOrderInput {
  email: string;
  customer: { first_name: string; last_name: string };
  shipping_address: ShopAddress;
  /** `total_discount`: the line's share of the order's discounts (a code, an automatic discount). */
  line_items: {
    sku: string;
    title: string;
    quantity: number;
    price: string;
    total_discount?: string;
  }[];
  shipping?: { title: string; price: string };
  financial_status?: 'paid' | 'pending' | 'authorized';
  /** A marketplace's latest ship date (ISO 8601 with an offset); storefronts send none. */
  latest_ship_date?: string;
}

/** An order as the shop's webhook shows it. */
export interface ShopOrder extends ShopOrderInput {
  id: number;
  name: string;
  order_number: number;
  created_at: string;
  currency: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
}

/** A refund as the shop's `refunds/create` webhook shows it. */
export interface ShopRefund {
  id: number;
  order_id: number;
  created_at: string;
  note: string | null;
  refund_line_items: {
    quantity: number;
    subtotal: string;
    line_item: { sku: string; title: string };
  }[];
  /** The shipping charge given back, when it is. */
  shipping?: { amount: string };
  transactions: { kind: 'refund'; status: 'success'; amount: string; currency: string }[];
}

export interface InventoryCall {
  at: Date;
  status: number;
  levels: { sku: string; available: number }[];
}

export interface ShopSimulator {
  url: string;
  /** The levels the shop shows, by `<location>:<sku>`. */
  inventory: Map<string, number>;
  /** Every inventory call, 429s included, oldest first (the newest `keepCalls` of them). */
  calls: InventoryCall[];
  setCrossdockUrl(url: string): void;
  /** Places an order in the shop; returns it as its webhook will show it (not sent). */
  placeOrder(o: ShopOrderInput): ShopOrder;
  /** Sends a webhook (`orders/create`, `orders/cancelled` with an order, `refunds/create` with a refund), signed (or wrongly). */
  sendWebhook(
    topic: 'orders/create' | 'orders/cancelled' | 'refunds/create',
    body: ShopOrder | ShopRefund,
    o?: { webhookId?: string; badSignature?: boolean },
  ): Promise<{ status: number; body: any; webhookId: string }>;
  /** Marks the order cancelled in the shop and returns it (send its webhook with sendWebhook). */
  cancelOrder(order: ShopOrder, reason?: string): ShopOrder;
  /**
   * Refunds lines of an order (by SKU) at the prices paid, and `shipping` (an amount) when
   * given; returns the refund (send its webhook with sendWebhook).
   */
  refundOrder(
    order: ShopOrder,
    lines: { sku: string; quantity: number }[],
    note?: string,
    o?: { shipping?: string },
  ): ShopRefund;
  /** The next `n` inventory calls find the bucket full (429) whatever its level. */
  throttleNext(n: number, retryAfterS?: number): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A leaky bucket: `size` calls, draining `leakPerSecond`; what a call finds decides it. */
class LeakyBucket {
  #level = 0;
  #at = Date.now();
  constructor(
    readonly size: number,
    readonly leakPerSecond: number,
  ) {}
  #drain(): void {
    const now = Date.now();
    this.#level = Math.max(0, this.#level - ((now - this.#at) / 1000) * this.leakPerSecond);
    this.#at = now;
  }
  /** Takes one call; null when it fits, else the seconds until one would. */
  take(): number | null {
    this.#drain();
    if (this.#level + 1 > this.size)
      return Math.max(1, Math.ceil((this.#level + 1 - this.size) / this.leakPerSecond));
    this.#level += 1;
    return null;
  }
  get used(): number {
    this.#drain();
    return Math.ceil(this.#level);
  }
}

export async function startShopSimulator(options: ShopSimulatorOptions): Promise<ShopSimulator> {
  const bucket = new LeakyBucket(options.bucketSize ?? 40, options.leakPerSecond ?? 2);
  const domain = options.domain ?? 'demo-shop.example';
  const inventory = new Map<string, number>();
  const callLog = new RecordLog<InventoryCall>(options.keepCalls);
  const calls = callLog.entries;
  let crossdockUrl = '';
  let throttled = 0;
  let throttleS = 1;
  let nextId = 5_100_000_001;
  let nextNumber = 1001;

  const answer = (
    res: import('node:http').ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-shop-api-call-limit': `${bucket.used}/${bucket.size}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method !== 'POST' || req.url !== SHOP_INVENTORY_PATH)
        return answer(res, 404, { errors: 'Not Found' });
      if (req.headers['x-shop-access-token'] !== options.accessToken)
        return answer(res, 401, {
          errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
        });
      let parsed: { location_id?: unknown; levels?: unknown };
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return answer(res, 400, { errors: 'body is not JSON' });
      }
      const levels = parsed.levels;
      if (
        typeof parsed.location_id !== 'string' ||
        !Array.isArray(levels) ||
        levels.length === 0 ||
        levels.length > SHOP_MAX_LEVELS_PER_CALL ||
        !levels.every(
          (l: any) =>
            typeof l?.sku === 'string' && Number.isInteger(l?.available) && l.available >= 0,
        )
      )
        return answer(res, 422, {
          errors: `location_id (string) and 1 to ${SHOP_MAX_LEVELS_PER_CALL} levels { sku, available (whole, 0 or more) } are required`,
        });
      const typed = levels as { sku: string; available: number }[];
      const wait = throttled > 0 ? (throttled--, throttleS) : bucket.take();
      if (wait !== null) {
        callLog.add({ at: new Date(), status: 429, levels: typed });
        return answer(
          res,
          429,
          {
            errors:
              'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
          },
          { 'retry-after': String(wait) },
        );
      }
      for (const l of typed) inventory.set(`${parsed.location_id}:${l.sku}`, l.available);
      callLog.add({ at: new Date(), status: 200, levels: typed });
      return answer(res, 200, {
        inventory_levels: typed.map((l) => ({
          location_id: parsed.location_id,
          sku: l.sku,
          available: l.available,
          updated_at: new Date().toISOString(),
        })),
      });
    })().catch(() => answer(res, 500, { errors: 'Internal Server Error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    inventory,
    calls,
    setCrossdockUrl: (u) => {
      crossdockUrl = u;
    },
    placeOrder(o) {
      const number = nextNumber++;
      return {
        ...o,
        id: nextId++,
        name: `#${number}`,
        order_number: number,
        created_at: new Date().toISOString(),
        currency: 'EUR',
        financial_status: o.financial_status ?? 'paid',
        cancelled_at: null,
        cancel_reason: null,
      };
    },
    cancelOrder: (order, reason = 'customer') => ({
      ...order,
      cancelled_at: new Date().toISOString(),
      cancel_reason: reason,
    }),
    refundOrder(order, lines, note, o = {}) {
      const refundLines = lines.map((l) => {
        const item = order.line_items.find((i) => i.sku === l.sku)!;
        const paidEach =
          (Number(item.price) * item.quantity - Number(item.total_discount ?? 0)) / item.quantity;
        return {
          quantity: l.quantity,
          subtotal: (paidEach * l.quantity).toFixed(2),
          line_item: { sku: item.sku, title: item.title },
        };
      });
      const amount =
        refundLines.reduce((sum, l) => sum + Number(l.subtotal), 0) + Number(o.shipping ?? 0);
      return {
        id: nextId++,
        order_id: order.id,
        created_at: new Date().toISOString(),
        note: note ?? null,
        refund_line_items: refundLines,
        ...(o.shipping === undefined ? {} : { shipping: { amount: o.shipping } }),
        transactions: [
          {
            kind: 'refund',
            status: 'success',
            amount: amount.toFixed(2),
            currency: order.currency,
          },
        ],
      };
    },
    async sendWebhook(topic, body, o = {}) {
      const webhookId = o.webhookId ?? randomUUID();
      const raw = JSON.stringify(body);
      const secret = o.badSignature ? `${options.webhookSecret}-not` : options.webhookSecret;
      const res = await fetch(crossdockUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shop-topic': topic,
          'x-shop-webhook-id': webhookId,
          'x-shop-domain': domain,
          'x-shop-hmac-sha256': createHmac('sha256', secret).update(raw).digest('base64'),
        },
        body: raw,
      });
      const text = await res.text();
      let answer: any = text;
      try {
        answer = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: res.status, body: answer, webhookId };
    },
    throttleNext(n, retryAfterS = 1) {
      throttled = n;
      throttleS = retryAfterS;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
