/**
 * Sale orders S00001..S00024 as the lab's demo database had them before the flows:
 * states (4 draft, 1 sent, 19 confirmed), partners and totals as recorded (read_group
 * sums: draft 6290.51, sale 31809.61, sent 2001.00), orders 20..24 field by field as
 * execute_kw-search_read-sale.order shows them. Orders 7..18 and the lines of orders
 * 2..19 are fillers consistent with those sums.
 */
import type { SeedRow, SeedRows } from './types.ts';

type OrderSpec = [
  id: number,
  state: string,
  partner: number,
  shipping: number,
  dateOrder: string,
  untaxed: number,
  tax: number,
  total: number,
];
type LineSpec = [id: number, order: number, product: number, qty: number, price: number];

const OLD = '2026-10-22 04:22:00';
const NEW = '2026-11-22 04:22:19';

const ORDERS: OrderSpec[] = [
  [1, 'draft', 10, 10, OLD, 1740, 261, 2001],
  [2, 'draft', 12, 12, OLD, 2947.5, 442.13, 3389.63],
  [3, 'draft', 12, 12, '2026-11-22 04:22:05', 377.5, 56.63, 434.13],
  [4, 'sale', 11, 11, OLD, 2240, 336, 2576],
  [5, 'draft', 10, 10, '2026-11-21 04:22:05', 405, 60.75, 465.75],
  [6, 'sale', 15, 15, OLD, 750, 112.5, 862.5],
  // Only quotations 1, 2, 3 and 5 belong to partners 10 and 12 (execute_kw-search_read-sale.order-or-domain).
  ...Array.from({ length: 11 }, (_, index): OrderSpec => [
    index + 7,
    'sale',
    [11, 14, 15, 9][index % 4] ?? 11,
    [11, 14, 15, 9][index % 4] ?? 11,
    OLD,
    870,
    130.5,
    1000.5,
  ]),
  [18, 'sale', 14, 14, OLD, 2163.03, 324.45, 2487.48],
  [19, 'sent', 8, 8, '2026-11-22 04:22:00', 1740, 261, 2001],
  [20, 'sale', 8, 8, '2026-10-22 04:22:12', 2947.5, 442.13, 3389.63],
  [21, 'sale', 11, 31, NEW, 2175, 326.25, 2501.25],
  [22, 'sale', 11, 31, NEW, 1475, 221.25, 1696.25],
  [23, 'sale', 11, 31, NEW, 4350, 652.5, 5002.5],
  [24, 'sale', 11, 31, NEW, 1990, 298.5, 2288.5],
];

const KNOWN_LINES: LineSpec[] = [
  [1, 1, 12, 1, 800],
  [2, 1, 37, 1, 750],
  [3, 1, 18, 12.5, 15.2],
  [43, 20, 17, 5, 320],
  [44, 20, 21, 9.625, 140],
  [45, 21, 31, 5, 295],
  [46, 21, 21, 5, 140],
  [47, 22, 31, 5, 295],
  [48, 23, 16, 75, 42.67],
  [49, 23, 17, 1, 1150],
  [50, 24, 16, 10, 199],
];

/** Lines 4..42 for orders 2..19, two or three per order. */
function fillerLines(): LineSpec[] {
  const lines: LineSpec[] = [];
  let id = 4;
  for (let order = 2; order <= 19; order += 1) {
    const count = order <= 4 ? 3 : 2;
    for (let index = 0; index < count; index += 1)
      lines.push([id++, order, [20, 21, 17][index] ?? 20, 1 + index, [47, 140, 320][index] ?? 47]);
  }
  return lines;
}

/**
 * The demo orders were loaded in one transaction, so they share its timestamp, which
 * PostgreSQL keeps to the microsecond (RPC reads show "2026-11-22 04:22:17").
 */
const DEMO_STAMP = '2026-11-22 04:22:17.458213';

function orderRows(): SeedRow[] {
  return ORDERS.map(([id, state, partner, shipping, dateOrder, untaxed, tax, total]) => ({
    id,
    name: `S${String(id).padStart(5, '0')}`,
    state,
    partner_id: partner,
    partner_invoice_id: partner,
    partner_shipping_id: shipping,
    date_order: dateOrder,
    commitment_date: false,
    amount_untaxed: untaxed,
    amount_tax: tax,
    amount_total: total,
    currency_id: 1,
    pricelist_id: 1,
    user_id: 2,
    company_id: 1,
    warehouse_id: 1,
    picking_policy: 'direct',
    client_order_ref: false,
    carrier_id: false,
    note: false,
    invoice_ids: [],
    create_uid: 2,
    create_date: DEMO_STAMP,
    write_uid: 2,
    write_date: DEMO_STAMP,
  }));
}

function lineRows(): SeedRow[] {
  const names: Readonly<Record<number, string>> = {
    12: '[FURN_0096] Customizable Desk (Steel, White)',
    37: '[DESK0005] Customizable Desk (Custom, White)',
    18: '[E-COM08] Storage Box',
    17: '[E-COM07] Large Cabinet',
    21: '[E-COM11] Cabinet with Doors',
    31: '[FURN_6666] Acoustic Bloc Screens',
    19: '[E-COM09] Large Desk',
    16: '[E-COM06] Corner Desk Right Sit',
    20: '[E-COM10] Pedal Bin',
  };
  return [...KNOWN_LINES, ...fillerLines()]
    .sort(([a], [b]) => a - b)
    .map(([id, order, product, qty, price]) => ({
      id,
      order_id: order,
      sequence: 10,
      product_id: product,
      name: names[product] ?? false,
      product_uom_qty: qty,
      product_uom: 1,
      price_unit: price,
      discount: 0,
      tax_id: [1],
      display_type: false,
      is_delivery: false,
      company_id: 1,
      currency_id: 1,
    }));
}

export const saleRows: SeedRows = { 'sale.order': orderRows(), 'sale.order.line': lineRows() };
