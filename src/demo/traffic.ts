/**
 * The demo's order stream: sale orders created and confirmed in the Odoo simulator, in a
 * realistic mix. Most are routine and release on their own; some need a manager (thin
 * margin, large amount, dangerous goods), some fail credit or come from a customer with
 * overdue invoices (finance and director), some from a blocked customer (held), a few are
 * freight that no parcel carrier takes. The mix is drawn from a seeded generator, so a
 * demo of N orders is the same N orders every time.
 */
import type { OdooSimulator } from './simulators.ts';
import type { DemoCatalog, DemoCustomer, DemoProduct } from './seed.ts';

export const OrderKind = {
  routine: 'routine',
  thinMargin: 'thin-margin',
  large: 'large',
  hazardous: 'hazardous',
  overCredit: 'over-credit',
  overdue: 'overdue',
  blocked: 'blocked',
  freight: 'freight',
} as const;
export type OrderKind = (typeof OrderKind)[keyof typeof OrderKind];

/** Share of each kind in the stream (sums to 1). */
const MIX: [OrderKind, number][] = [
  [OrderKind.routine, 0.66],
  [OrderKind.thinMargin, 0.06],
  [OrderKind.large, 0.06],
  [OrderKind.hazardous, 0.05],
  [OrderKind.overCredit, 0.06],
  [OrderKind.overdue, 0.05],
  [OrderKind.blocked, 0.04],
  [OrderKind.freight, 0.02],
];

export interface PlacedOrder {
  id: number;
  name: string;
  /** `edi`: sent by the EDI customer as an 850; `shop`: placed in the shop; both created and confirmed by Crossdock. */
  kind: OrderKind | 'edi' | 'shop';
  customer: string;
  /** When action_confirm returned (ms since the epoch). */
  confirmedAtMs: number;
}

/** mulberry32: small, fast, good enough to draw a demo mix from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Line = { product: DemoProduct; qty: number };

export class OrderTraffic {
  /** The orders placed, for a bounded demo's report; empty when made with `keepPlaced: false` (a demo left running). */
  readonly placed: PlacedOrder[] = [];
  readonly #random: () => number;

  constructor(
    private readonly sim: OdooSimulator,
    private readonly catalog: DemoCatalog,
    seed = 42,
    private readonly keepPlaced = true,
  ) {
    this.#random = seededRandom(seed);
  }

  /** Creates and confirms one order of a kind drawn from the mix (as the salesperson). */
  async placeOne(): Promise<PlacedOrder> {
    return this.place(this.#drawKind());
  }

  /** Creates and confirms one order of the given kind. */
  async place(kind: OrderKind): Promise<PlacedOrder> {
    const { customer, lines } = this.#compose(kind);
    const orderLines = lines.map((l) => [
      0,
      0,
      { product_id: l.product.id, product_uom_qty: l.qty },
    ]);
    const uid = this.catalog.salespersonUid;
    const id = (await this.sim.db.callAsUser(
      'sale.order',
      'create',
      [{ partner_id: customer.id, user_id: uid, order_line: orderLines }],
      {},
      uid,
    )) as number;
    await this.sim.db.callAsUser('sale.order', 'action_confirm', [[id]], {}, uid);
    const [row] = this.sim.db.searchRead('sale.order', [['id', '=', id]], ['name']);
    const order: PlacedOrder = {
      id,
      name: String(row?.name),
      kind,
      customer: customer.name,
      confirmedAtMs: Date.now(),
    };
    if (this.keepPlaced) this.placed.push(order);
    return order;
  }

  #drawKind(): OrderKind {
    let x = this.#random();
    for (const [kind, share] of MIX) {
      if ((x -= share) < 0) return kind;
    }
    return OrderKind.routine;
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }

  #compose(kind: OrderKind): { customer: DemoCustomer; lines: Line[] } {
    const { customers, products } = this.catalog;
    const byName = (fragment: string) => products.find((p) => p.name.includes(fragment))!;
    const regular = customers.filter((c) => !c.blocked && !c.overdue && c.customerClass !== 'C');
    // Routine orders stay parcels: nothing heavy (the desk frame is the freight kind's).
    const routineProducts = products.filter(
      (p) =>
        !p.hazardous && !['Conference', 'Docking', 'Standing Desk'].some((n) => p.name.includes(n)),
    );
    const qty = (max: number) => 1 + Math.floor(this.#random() * max);
    switch (kind) {
      case OrderKind.routine: {
        const lines = Array.from({ length: qty(3) }, () => ({
          product: this.#pick(routineProducts),
          qty: qty(2),
        }));
        return {
          customer: this.#pick([
            ...regular,
            ...customers.filter((c) => c.customerClass === 'C' && !c.blocked),
          ]),
          lines: merge(lines),
        };
      }
      case OrderKind.thinMargin:
        return {
          customer: this.#pick(regular),
          lines: [{ product: byName('Conference'), qty: 1 }],
        };
      case OrderKind.large:
        return {
          customer: this.#pick(regular),
          lines: [{ product: byName('Docking'), qty: 7 + qty(4) }],
        };
      case OrderKind.hazardous:
        return {
          customer: this.#pick(regular),
          lines: [{ product: this.#pick(products.filter((p) => p.hazardous)), qty: qty(3) }],
        };
      case OrderKind.overCredit:
        return {
          customer: this.#pick(customers.filter((c) => c.customerClass === 'C' && !c.blocked)),
          lines: [{ product: byName('Docking'), qty: 6 }],
        };
      case OrderKind.overdue:
        return {
          customer: customers.find((c) => c.overdue)!,
          lines: [{ product: this.#pick(routineProducts), qty: qty(3) }],
        };
      case OrderKind.blocked:
        return {
          customer: customers.find((c) => c.blocked)!,
          lines: [{ product: this.#pick(routineProducts), qty: qty(3) }],
        };
      case OrderKind.freight:
        return {
          customer: this.#pick(regular),
          lines: [{ product: byName('Standing Desk'), qty: 5 }],
        };
    }
  }
}

/** One line per product (Odoo would show two lines of the same product; the demo keeps it tidy). */
function merge(lines: Line[]): Line[] {
  const byId = new Map<number, Line>();
  for (const line of lines) {
    const seen = byId.get(line.product.id);
    if (seen) seen.qty += line.qty;
    else byId.set(line.product.id, { ...line });
  }
  return [...byId.values()];
}
