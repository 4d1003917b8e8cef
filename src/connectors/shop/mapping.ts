/**
 * A shop's order webhook (the order as JSON, the platforms' common shape) to the event a
 * pack acts on. The event key is the shop's order id, not the webhook's delivery id: the
 * platforms send a webhook again on a timeout, and again under a new id, and each of those is
 * the same order.
 */
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import type { Shop } from './config.ts';
import { shipByFields } from './ship-by.ts';

/** Money as the platforms send it: a decimal string ("12.50"), or a number. */
const money = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d{1,12}(\.\d{1,4})?$/, 'a decimal amount, e.g. "12.50"')
    .transform(Number),
]);

const Address = z.object({
  first_name: z.string().max(200).nullish(),
  last_name: z.string().max(200).nullish(),
  company: z.string().max(200).nullish(),
  address1: z.string().min(1).max(200),
  address2: z.string().max(200).nullish(),
  city: z.string().min(1).max(200),
  zip: z.string().max(40).nullish(),
  country_code: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code, e.g. DE'),
  phone: z.string().max(60).nullish(),
});

export const ShopOrderSchema = z.object({
  id: z.union([z.int().positive(), z.string().regex(/^\d{1,20}$/)]).transform(String),
  name: z.string().min(1).max(64),
  email: z.email(),
  created_at: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  financial_status: z.string().max(40).nullish(),
  customer: z.object({ first_name: z.string().nullish(), last_name: z.string().nullish() }),
  shipping_address: Address,
  line_items: z
    .array(
      z.object({
        sku: z.string().min(1, 'every line needs a SKU').max(64),
        title: z.string().max(300).nullish(),
        quantity: z.int().positive(),
        price: money,
        /** The line's share of the order's discounts, as an amount. */
        total_discount: money.nullish(),
      }),
    )
    .min(1),
  shipping: z.object({ title: z.string().max(200).nullish(), price: money }).nullish(),
  cancelled_at: z.string().nullish(),
  cancel_reason: z.string().max(200).nullish(),
  /** A marketplace's latest ship date: the order must leave the warehouse by then. */
  latest_ship_date: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
      'a date-time with an offset, e.g. 2026-03-04T17:00:00Z',
    )
    .refine((v) => Number.isFinite(new Date(v).getTime()), 'not a real date and time')
    .nullish(),
});
type ShopOrder = z.output<typeof ShopOrderSchema>;

export const ShopRefundSchema = z.object({
  id: z.union([z.int().positive(), z.string().regex(/^\d{1,20}$/)]).transform(String),
  order_id: z.union([z.int().positive(), z.string().regex(/^\d{1,20}$/)]).transform(String),
  created_at: z.string().min(1),
  note: z.string().max(1000).nullish(),
  refund_line_items: z
    .array(
      z.object({
        quantity: z.int().nonnegative(),
        subtotal: money,
        line_item: z.object({
          sku: z.string().max(64).nullish(),
          title: z.string().max(300).nullish(),
        }),
      }),
    )
    .default([]),
  /** The shipping charge given back, when it is. */
  shipping: z.object({ amount: money }).nullish(),
  transactions: z
    .array(
      z.object({
        kind: z.string(),
        status: z.string(),
        amount: money,
        currency: z.string().nullish(),
      }),
    )
    .default([]),
});
type ShopRefund = z.output<typeof ShopRefundSchema>;

/** The topics a shop's webhooks may carry, and the event type each becomes. */
export const SHOP_TOPICS = {
  'orders/create': 'shop.order.created',
  'orders/cancelled': 'shop.order.cancelled',
  'refunds/create': 'shop.order.refunded',
} as const;
export type ShopTopic = keyof typeof SHOP_TOPICS;

function readOr400<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new CrossdockError(
      'SHOP_WEBHOOK_INVALID',
      `The webhook is not ${what} we can read: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
      {
        category: 'user',
        retryable: false,
        details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    );
  return parsed.data;
}

export const readShopOrder = (body: unknown): ShopOrder =>
  readOr400(ShopOrderSchema, body, 'an order');
export const readShopRefund = (body: unknown): ShopRefund =>
  readOr400(ShopRefundSchema, body, 'a refund');

/** The payload of `shop.order.refunded`: what was refunded, in money and by SKU. */
export function refundEventPayload(shop: Shop, refund: ShopRefund): Record<string, unknown> {
  const paid = refund.transactions.filter((t) => t.kind === 'refund' && t.status === 'success');
  return {
    shop: shop.code,
    shop_name: shop.name,
    refund_id: refund.id,
    order_id: refund.order_id,
    created_at: refund.created_at,
    note: refund.note ?? null,
    amount: Math.round(paid.reduce((sum, t) => sum + t.amount, 0) * 100) / 100,
    currency: paid[0]?.currency ?? null,
    lines: refund.refund_line_items.map((l) => ({
      sku: l.line_item.sku ?? null,
      title: l.line_item.title ?? null,
      quantity: l.quantity,
      subtotal: l.subtotal,
    })),
    shipping_amount: refund.shipping?.amount ?? 0,
    shipping_product: shop.odoo.shippingProduct,
    post_up_to: shop.refunds.postUpTo,
  };
}

const personName = (first?: string | null, last?: string | null) =>
  [first, last].filter((p) => p && p.trim()).join(' ');

/** The payload of `shop.order.created` / `shop.order.cancelled`. */
export function orderEventPayload(shop: Shop, order: ShopOrder): Record<string, unknown> {
  const a = order.shipping_address;
  const customer = personName(order.customer.first_name, order.customer.last_name);
  return {
    shop: shop.code,
    shop_name: shop.name,
    order_id: order.id,
    order_name: order.name,
    /** What Odoo shows as the customer's reference (client_order_ref). */
    order_ref: `${shop.orderRefPrefix}${order.name}`,
    created_at: order.created_at,
    currency: order.currency,
    financial_status: order.financial_status ?? null,
    email: order.email.toLowerCase(),
    customer_name: customer || order.email,
    shipping_address: {
      name: personName(a.first_name, a.last_name) || a.company || customer || order.email,
      street: a.address1,
      street2: a.address2 ?? null,
      city: a.city,
      zip: a.zip ?? null,
      country_code: a.country_code,
      phone: a.phone ?? null,
    },
    lines: order.line_items.map((l) => ({
      sku: l.sku,
      title: l.title ?? l.sku,
      quantity: l.quantity,
      price_unit: l.price,
      discount_amount: l.total_discount ?? 0,
    })),
    shipping: order.shipping
      ? { title: order.shipping.title ?? 'Shipping', price: order.shipping.price }
      : null,
    shipping_product: shop.odoo.shippingProduct,
    salesperson_id: shop.odoo.salespersonId,
    cancelled_at: order.cancelled_at ?? null,
    cancel_reason: order.cancel_reason ?? null,
    ...shipByFields(shop.shipBy, order.latest_ship_date, order.created_at),
  };
}
