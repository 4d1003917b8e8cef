/**
 * The demo's buyer and vendors: at the start the buyer has a few purchase orders confirmed
 * in Odoo for the demo's products (their receipts due in a few days); for a share of the
 * confirmed purchase orders (those and any replenishment confirms), the vendor reports a delay through its portal (`supplier.delay.reported`, as a person or an
 * EDI link would send it), and a little later the goods arrive and the warehouse validates the
 * receipt in Odoo. Odoo's webhook for the receipt done (the demo's Odoo source watches
 * receipts of purchase orders) then closes the delay's case.
 */
import type { OdooSimulator } from './simulators.ts';
import type { Logger } from '../observability/index.ts';

export interface VendorPlayerOptions {
  odoo: OdooSimulator;
  /** Crossdock's intake, as the vendor portal's events reach it. */
  report: (event: {
    source: string;
    type: string;
    key: string;
    payload: Record<string, unknown>;
  }) => Promise<unknown>;
  /** Demo products the buyer has on order at the start (one purchase order each). */
  onOrder: { id: number; cost: number }[];
  /**
   * Demo products with a vendor price and a manual reordering rule set just under their
   * forecast: after a few units ship, the replenishment pack finds them under their minimum
   * (`span` units to reach the maximum, ordered in multiples of `multiple`).
   */
  reorder?: { id: number; cost: number; span: number; multiple: number }[];
  /** Share of confirmed purchase orders whose vendor reports a delay. */
  delayedShare: number;
  /** How long after the report the goods arrive. */
  arriveAfterMs: number;
  stepMs: number;
  logger: Logger;
}

const ADMIN = 2;
const DAY_MS = 86_400_000;
/** The simulator's WH warehouse and its WH/Stock location (as in the demo's seed). */
const WAREHOUSE = 1;
const WH_STOCK = 8;

export class VendorPlayer {
  readonly sent = { delays: 0, received: 0 };
  readonly #seen = new Set<number>();
  #orders = 0;
  /** Receipts whose vendor reported a delay: their order, and when the goods arrive at the earliest. */
  readonly #onTheWay = new Map<number, { order: number; dueMs: number }>();
  #poller: NodeJS.Timeout | null = null;

  constructor(private readonly o: VendorPlayerOptions) {}

  /** Places and confirms the buyer's purchase orders, then watches receipts. */
  async start(): Promise<void> {
    const db = this.o.odoo.db;
    const vendor = (await db.callAsUser(
      'res.partner',
      'create',
      [{ name: 'Nordic Office Supply AB', is_company: true, email: 'orders@nordic-supply.test' }],
      {},
      ADMIN,
    )) as number;
    for (const product of this.o.reorder ?? []) await this.#reorderingRule(vendor, product);
    const planned = new Date(Date.now() + 2 * DAY_MS).toISOString().slice(0, 10);
    for (const product of this.o.onOrder) {
      const order = (await db.callAsUser(
        'purchase.order',
        'create',
        [
          {
            partner_id: vendor,
            order_line: [
              [
                0,
                0,
                {
                  product_id: product.id,
                  product_qty: 20,
                  price_unit: product.cost,
                  date_planned: `${planned} 12:00:00`,
                },
              ],
            ],
          },
        ],
        {},
        ADMIN,
      )) as number;
      await db.callAsUser('purchase.order', 'button_confirm', [[order]], {}, ADMIN);
    }
    this.#poller = setInterval(
      () =>
        void this.#scan().catch((error) =>
          this.o.logger.warn({ error: String(error) }, 'demo vendor: scan failed'),
        ),
      this.o.stepMs,
    );
  }

  /** A vendor line (its price, 3 days' lead time) and a manual rule two units under the forecast. */
  async #reorderingRule(
    vendor: number,
    product: { id: number; cost: number; span: number; multiple: number },
  ): Promise<void> {
    const db = this.o.odoo.db;
    const [variant] = db.searchRead(
      'product.product',
      [['id', '=', product.id]],
      ['product_tmpl_id'],
    );
    const template = (variant!.product_tmpl_id as [number, string])[0];
    await db.callAsUser(
      'product.supplierinfo',
      'create',
      [
        {
          partner_id: vendor,
          product_tmpl_id: template,
          price: product.cost,
          min_qty: 1,
          delay: 3,
        },
      ],
      {},
      ADMIN,
    );
    const rule = (await db.callAsUser(
      'stock.warehouse.orderpoint',
      'create',
      [
        {
          product_id: product.id,
          warehouse_id: WAREHOUSE,
          location_id: WH_STOCK,
          product_min_qty: 0,
          product_max_qty: 0,
          qty_multiple: product.multiple,
          trigger: 'manual',
        },
      ],
      {},
      ADMIN,
    )) as number;
    const [row] = db.searchRead(
      'stock.warehouse.orderpoint',
      [['id', '=', rule]],
      ['qty_forecast'],
    );
    const minimum = Number(row!.qty_forecast) - 2;
    await db.callAsUser(
      'stock.warehouse.orderpoint',
      'write',
      [[rule], { product_min_qty: minimum, product_max_qty: minimum + product.span }],
      {},
      ADMIN,
    );
  }

  /** No delivery still on its way (the bounded demo waits for them before its report). */
  get idle(): boolean {
    return this.#onTheWay.size === 0;
  }

  stop(): void {
    if (this.#poller) clearInterval(this.#poller);
  }

  async #scan(): Promise<void> {
    const receipts = this.o.odoo.db.searchRead(
      'stock.picking',
      [
        ['picking_type_code', '=', 'incoming'],
        ['state', '=', 'assigned'],
        ['purchase_id', '!=', false],
      ],
      ['purchase_id', 'scheduled_date'],
    );
    // A receipt no longer waiting (received, or forgotten by a running demo) is not seen again.
    const waiting = new Set(receipts.map((r) => Number(r.id)));
    for (const id of this.#seen) if (!waiting.has(id)) this.#seen.delete(id);
    for (const receipt of receipts) {
      const id = Number(receipt.id);
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      const [orderId] = receipt.purchase_id as [number, string];
      // Every n-th purchase order (n = 1 / delayedShare), so even a short demo has some.
      this.#orders += 1;
      if ((this.#orders - 1) % Math.round(1 / this.o.delayedShare) !== 0) continue;
      const planned = new Date(`${String(receipt.scheduled_date).replace(' ', 'T')}Z`);
      const later = new Date(planned.getTime() + 3 * DAY_MS).toISOString().slice(0, 10);
      await this.o.report({
        source: 'vendor-portal',
        type: 'supplier.delay.reported',
        key: `vendor-delay:${orderId}`,
        payload: { purchase_order: orderId, new_date: later, reason: 'production backlog' },
      });
      this.sent.delays += 1;
      this.#onTheWay.set(id, { order: orderId, dueMs: Date.now() + this.o.arriveAfterMs });
    }
    for (const [receipt, { order, dueMs }] of this.#onTheWay) {
      // The goods come once the buyer has seen the delay in Odoo (Crossdock's note on the
      // order), or half a minute later at most: a demo never waits on them for ever.
      const now = Date.now();
      if (now < dueMs || (now < dueMs + 30_000 && !this.#delayNoted(order))) continue;
      this.#onTheWay.delete(receipt);
      await this.#receive(receipt);
    }
  }

  #delayNoted(order: number): boolean {
    return (
      this.o.odoo.db.searchRead(
        'mail.message',
        [
          ['model', '=', 'purchase.order'],
          ['res_id', '=', order],
          ['body', 'ilike', 'is late'],
        ],
        ['id'],
      ).length > 0
    );
  }

  /** The goods arrive: the warehouse validates the receipt in Odoo (every quantity pre-filled). */
  async #receive(receipt: number): Promise<void> {
    await this.o.odoo.db.callAsUser('stock.picking', 'button_validate', [[receipt]], {}, ADMIN);
    this.sent.received += 1;
  }
}
