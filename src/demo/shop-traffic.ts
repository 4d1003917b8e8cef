/**
 * The demo's shop at work: every tenth order (the ninth, nineteenth, ...) is placed in the
 * shop by an online customer and reaches Crossdock as its signed order webhook, sent twice
 * as shops do when an answer is slow; Crossdock makes one confirmed sale order of it, which
 * goes on through release, dispatch and invoicing like the others. Two shop orders in three
 * come from a marketplace with a latest ship date: one in two days (watched, urgent the day
 * before), one in two hours (urgent and at risk at once); the third, from the storefront, has
 * none.
 */
import type { Logger } from '../observability/index.ts';
import type { DemoSystem } from './system.ts';
import type { PlacedOrder } from './traffic.ts';

export interface ShopSent {
  orderRef: string;
  sentAtMs: number;
}

const HOUR_MS = 3_600_000;
/** Hours to the ship-by, by the shop order's number (null: a storefront order, none). */
const SHIP_BY_IN_HOURS = [null, 48, 2] as const;

const BUYERS = [
  ['Greta', 'Hansen', 'Mönckebergstraße 7', '20095', 'Hamburg'],
  ['Jonas', 'Weber', 'Schildergasse 31', '50667', 'Köln'],
  ['Lea', 'Fischer', 'Kaufingerstraße 12', '80331', 'München'],
] as const;

export function shopOrder(
  system: DemoSystem,
  orderIndex: number,
  logger: Logger,
): Promise<ShopSent | null> | null {
  if (orderIndex % 10 !== 8) return null;
  const { shop, skus } = system.shop;
  const products = system.catalog.products.filter(
    (p) => skus[p.name] !== undefined && !p.hazardous,
  );
  const [first, last, street, zip, city] = BUYERS[orderIndex % BUYERS.length]!;
  const product = products[orderIndex % products.length]!;
  const shipByIn = SHIP_BY_IN_HOURS[Math.floor(orderIndex / 10) % SHIP_BY_IN_HOURS.length]!;
  const placed = shop.placeOrder({
    ...(shipByIn === null
      ? {}
      : { latest_ship_date: new Date(Date.now() + shipByIn * HOUR_MS).toISOString() }),
    email: `${first}.${last}@shop-customer.example`.toLowerCase(),
    customer: { first_name: first, last_name: last },
    shipping_address: {
      first_name: first,
      last_name: last,
      address1: street,
      zip,
      city,
      country_code: 'DE',
    },
    line_items: [
      {
        sku: skus[product.name]!,
        title: product.name,
        quantity: 1 + (orderIndex % 2),
        price: product.price.toFixed(2),
      },
    ],
  });
  const sentAtMs = Date.now();
  const send = () => shop.sendWebhook('orders/create', placed);
  return send()
    .then(async (answer) => {
      await send(); // the shop's resend: a duplicate, one sale order still
      if (answer.status === 200) return { orderRef: `WEB${placed.name}`, sentAtMs };
      logger.warn({ status: answer.status, order: placed.name }, "the shop's order was refused");
      return null;
    })
    .catch((error: unknown) => {
      logger.warn({ err: error, order: placed.name }, 'the shop could not send its order');
      return null;
    });
}

/** The sale orders Crossdock made from the shop's orders, as placed orders for the report. */
export function shopPlaced(system: DemoSystem, sent: (ShopSent | null)[]): PlacedOrder[] {
  return sent.flatMap((s) => {
    if (!s) return [];
    const [order] = system.odoo.db.searchRead(
      'sale.order',
      [['client_order_ref', '=', s.orderRef]],
      ['name'],
    );
    if (!order) return [];
    return [
      {
        id: Number(order.id),
        name: String(order.name),
        kind: 'shop' as const,
        customer: 'shop',
        confirmedAtMs: s.sentAtMs,
      },
    ];
  });
}
