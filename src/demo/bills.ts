/**
 * The demo's vendor bills (packs/vendor-bills). Now and then a purchase from the demo's
 * vendor is confirmed and received in the Odoo simulator, Odoo makes its bill ("Create
 * Bill"), and accounts payable enters the vendor's bill as it came: most as ordered, some at
 * a higher price, some billing one more than was received. Accounts payable's inbox then
 * hands the bill to Crossdock (`vendor-bill.received`, as `crossdock events send` would),
 * which matches it. What is billed depends on the bill's number only, so a demo of N orders
 * enters the same bills every time.
 */
import { shareOf } from './actors.ts';
import type { DemoCatalog, DemoProduct } from './seed.ts';
import type { OdooSimulator } from './simulators.ts';

export const BillKind = {
  asOrdered: 'as-ordered',
  higherPrice: 'higher-price',
  overBilled: 'over-billed',
} as const;
export type BillKind = (typeof BillKind)[keyof typeof BillKind];

export interface EnteredBill {
  billId: number;
  kind: BillKind;
}

/** What hands an entered bill to Crossdock: the engine's intake, as the API's events route uses it. */
export type BillInbox = (event: {
  source: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
}) => Promise<unknown>;

const VENDOR = 'Nordholz Möbelwerk GmbH';

export class BillTraffic {
  /** The bills entered, for a bounded demo's report; empty when made with `keepEntered: false` (a demo left running). */
  readonly entered: EnteredBill[] = [];
  #count = 0;
  #vendor: number | null = null;

  constructor(
    private readonly sim: OdooSimulator,
    private readonly catalog: DemoCatalog,
    private readonly inbox: BillInbox,
    private readonly keepEntered = true,
  ) {}

  /** Buys, receives and bills two products, enters the vendor's bill and hands it over. */
  async placeOne(): Promise<EnteredBill> {
    const number = ++this.#count;
    const kind = kindOf(number);
    const products = this.#productsFor(number);
    const order = (await this.sim.db.callAsUser('purchase.order', 'create', [
      {
        partner_id: await this.#vendorId(),
        partner_ref: `NM-SO-${String(number).padStart(4, '0')}`,
        order_line: products.map((product, i) => [
          0,
          0,
          { product_id: product.id, product_qty: 4 + ((number + i) % 7), price_unit: product.cost },
        ]),
      },
    ])) as number;
    await this.sim.db.callAsUser('purchase.order', 'button_confirm', [[order]]);
    const receipts = this.sim.db.searchRead('stock.picking', [['purchase_id', '=', order]], ['id']);
    await this.sim.db.callAsUser('stock.picking', 'button_validate', [receipts.map((r) => r.id)]);
    const action = (await this.sim.db.callAsUser('purchase.order', 'action_create_invoice', [
      [order],
    ])) as { res_id: number };
    await this.#enter(action.res_id, number, kind);
    const bill = { billId: action.res_id, kind };
    if (this.keepEntered) this.entered.push(bill);
    await this.inbox({
      source: 'ap-inbox',
      type: 'vendor-bill.received',
      key: `ap-inbox:bill:${action.res_id}`,
      payload: { bill_id: action.res_id, via: 'ap-inbox' },
    });
    return bill;
  }

  /** The vendor's number and date, and what it billed differently from the order. */
  async #enter(bill: number, number: number, kind: BillKind): Promise<void> {
    const [first] = this.sim.db.searchRead(
      'account.move.line',
      [
        ['move_id', '=', bill],
        ['display_type', '=', 'product'],
      ],
      ['id', 'quantity', 'price_unit'],
    );
    const edit =
      kind === BillKind.higherPrice
        ? { price_unit: Math.round(Number(first!.price_unit) * 104) / 100 }
        : kind === BillKind.overBilled
          ? { quantity: Number(first!.quantity) + 1 }
          : null;
    await this.sim.db.callAsUser('account.move', 'write', [
      [bill],
      {
        ref: `NM-INV-${String(number).padStart(4, '0')}`,
        invoice_date: new Date().toISOString().slice(0, 10),
        ...(edit ? { invoice_line_ids: [[1, first!.id, edit]] } : {}),
      },
    ]);
  }

  #productsFor(number: number): DemoProduct[] {
    const ordinary = this.catalog.products.filter((p) => !p.hazardous);
    return [0, 3].map((step) => ordinary[(number * 5 + step) % ordinary.length]!);
  }

  async #vendorId(): Promise<number> {
    this.#vendor ??= (await this.sim.db.callAsUser('res.partner', 'create', [
      { name: VENDOR, is_company: true },
    ])) as number;
    return this.#vendor;
  }
}

/** Most bills as ordered; a quarter at a higher price, the rest billing one more than received. */
function kindOf(number: number): BillKind {
  const x = shareOf(`bill:${number}`);
  return x < 0.6 ? BillKind.asOrdered : x < 0.85 ? BillKind.higherPrice : BillKind.overBilled;
}
