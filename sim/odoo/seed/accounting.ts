/**
 * Purchase orders P00001..P00011 (7..11 as execute_kw-search_read-purchase.order shows
 * them) and journal entries: the four posted customer invoices INV/2026/00001..4 of
 * execute_kw-search_read-account.move-invoices, and filler entries 5..24 so the next
 * invoice is id 25 and its lines start at 69, as in flow-a-13/14.
 */
import type { SeedRow, SeedRows } from './types.ts';

type PurchaseSpec = [
  id: number,
  state: string,
  partner: number,
  dateOrder: string,
  planned: string,
  approve: string | false,
  total: number,
  lines: number[],
  pickings: number[],
  receipt: string | false,
];

const PURCHASES: PurchaseSpec[] = [
  ...Array.from({ length: 6 }, (_, index): PurchaseSpec => {
    const first = index * 2 + 1 + Math.min(index, 2);
    const lines = index < 2 ? [first, first + 1, first + 2] : [first, first + 1];
    return [
      index + 1,
      'purchase',
      [9, 12, 14][index % 3] ?? 9,
      '2026-11-07 04:22:05',
      '2026-11-22 00:00:00',
      '2026-11-08 04:22:05',
      1500,
      lines,
      [index + 1],
      'full',
    ];
  }),
  [
    7,
    'draft',
    12,
    '2026-11-22 04:22:05',
    '2026-11-22 04:22:05',
    false,
    1405.88,
    [15, 16],
    [],
    false,
  ],
  [
    8,
    'purchase',
    9,
    '2026-11-17 04:22:05',
    '2026-11-22 00:00:00',
    '2026-11-13 04:22:05',
    7435.33,
    [17, 18],
    [],
    false,
  ],
  [
    9,
    'purchase',
    11,
    '2026-11-07 04:22:05',
    '2026-11-22 00:00:00',
    '2026-11-17 04:22:05',
    14375,
    [19, 20],
    [],
    false,
  ],
  [
    10,
    'purchase',
    14,
    '2026-11-07 04:22:05',
    '2026-11-22 00:00:00',
    '2026-11-04 04:22:05',
    2880.75,
    [21],
    [],
    false,
  ],
  [
    11,
    'purchase',
    12,
    '2026-11-24 04:22:09',
    '2026-11-24 04:22:09',
    '2026-11-22 04:22:09',
    6596.4,
    [22],
    [21],
    'pending',
  ],
];

function purchaseRows(): SeedRows {
  const orders: SeedRow[] = [];
  const lines: SeedRow[] = [];
  for (const [
    id,
    state,
    partner,
    dateOrder,
    planned,
    approve,
    total,
    lineIds,
    pickings,
    receipt,
  ] of PURCHASES) {
    orders.push({
      id,
      name: `P${String(id).padStart(5, '0')}`,
      priority: '0',
      state,
      partner_id: partner,
      partner_ref: false,
      date_order: dateOrder,
      date_planned: planned,
      date_approve: approve,
      amount_total: total,
      currency_id: 1,
      picking_ids: pickings,
      invoice_status: 'no',
      origin: false,
      receipt_status: receipt,
      company_id: 1,
      user_id: 2,
    });
    for (const lineId of lineIds)
      lines.push({
        id: lineId,
        order_id: id,
        sequence: 10,
        product_id: 17,
        name: '[E-COM07] Large Cabinet',
        product_qty: 5,
        price_unit: 300,
      });
  }
  return { 'purchase.order': orders, 'purchase.order.line': lines };
}

type InvoiceSpec = [
  id: number,
  partner: number,
  invoiceDate: string,
  due: string,
  untaxed: number,
  total: number,
  productLines: [number, number],
];

const INVOICES: InvoiceSpec[] = [
  [1, 14, '2026-11-01', '2026-12-31', 31750, 36512.5, [5, 6]],
  [2, 10, '2026-11-20', '2026-11-22', 41750, 48012.5, [7, 8]],
  [3, 10, '2026-11-19', '2026-11-22', 19250, 22137.5, [9, 10]],
  [4, 10, '2026-11-07', '2026-11-07', 31750, 36512.5, [11, 12]],
];

function accountRows(): SeedRows {
  const moves: SeedRow[] = [];
  const lines: SeedRow[] = [];
  for (const [id, partner, invoiceDate, due, untaxed, total, productLines] of INVOICES) {
    moves.push({
      id,
      name: `INV/2026/${String(id).padStart(5, '0')}`,
      move_type: 'out_invoice',
      state: 'posted',
      payment_state: 'not_paid',
      partner_id: partner,
      invoice_origin: false,
      invoice_date: invoiceDate,
      invoice_date_due: due,
      date: invoiceDate,
      currency_id: 1,
      company_id: 1,
      ref: false,
      amount_untaxed: untaxed,
      amount_tax: total - untaxed,
      amount_total: total,
    });
    for (const lineId of productLines)
      lines.push({
        id: lineId,
        move_id: id,
        display_type: 'product',
        product_id: 12,
        quantity: 10,
        price_unit: untaxed / 20,
        price_subtotal: untaxed / 2,
        balance: -untaxed / 2,
      });
    lines.push({
      id: 13 + (id - 1) * 2,
      move_id: id,
      display_type: 'tax',
      name: 'Tax 15%',
      balance: untaxed - total,
    });
    lines.push({
      id: 14 + (id - 1) * 2,
      move_id: id,
      display_type: 'payment_term',
      name: '',
      balance: total,
    });
  }
  for (let id = 5; id <= 24; id += 1) {
    moves.push({
      id,
      name: `MISC/2026/${String(id - 4).padStart(5, '0')}`,
      move_type: 'entry',
      state: 'posted',
      payment_state: 'not_paid',
      date: '2026-11-01',
      currency_id: 1,
      company_id: 1,
      amount_untaxed: 0,
      amount_tax: 0,
      amount_total: 0,
    });
  }
  // Lines 1..4 and 21..68 balance the filler entries two or three at a time.
  const fillerLineIds = [1, 2, 3, 4, ...Array.from({ length: 48 }, (_, index) => index + 21)];
  fillerLineIds.forEach((lineId, index) => {
    lines.push({
      id: lineId,
      move_id: 5 + Math.min(19, Math.floor(index / 2.6)),
      display_type: false,
      name: 'Miscellaneous',
      balance: index % 2 === 0 ? 100 : -100,
    });
  });
  return { 'account.move': moves, 'account.move.line': lines.sort((a, b) => a.id - b.id) };
}

export const accountingRows: SeedRows = { ...purchaseRows(), ...accountRows() };
