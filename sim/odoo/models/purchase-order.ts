/**
 * Purchase orders and their lines with Odoo 17's recorded schema (fg-purchase.order,
 * fg-purchase.order.line) and vendor pricelists (product.supplierinfo, keyed on the
 * product TEMPLATE). Amounts and the planned date are kept on the order and recomputed
 * when lines change (seeded orders keep the totals the lab showed); receipt and billing
 * statuses are computed from the receipts and the lines, as Odoo computes them.
 */
import type { Env } from '../orm/env.ts';
import type { ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel, recordedFields } from './define.ts';
import { mailThreadMethods } from './mail.ts';
import { billsOf, qtyInvoiced } from './purchase-bill.ts';
import { followLineDates, purchaseOrderMethods } from './purchase-flow.ts';

/** The purchase tax of the demo chart ("15%", id 2): lines get it by default. */
const PURCHASE_TAX = 2;
const TAX_RATE = 0.15;
const RECEIPTS_TYPE = 1;

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** Odoo rounds monetary amounts half away from zero at the currency's 2 digits. */
export function roundMoney(value: number): number {
  return (Math.sign(value) * Math.round(Math.abs(value) * 100 + 1e-7)) / 100;
}

function linesOf(env: Env, orderId: number): Array<Row & { id: number }> {
  return env
    .search('purchase.order.line', [['order_id', '=', orderId]])
    .map((id) => ({ ...(env.row('purchase.order.line', id) ?? {}), id }));
}

/**
 * Received quantity of a line: its done receipt moves, less what went back to the vendor with
 * "Update quantities on SO/PO" (to_refund), as Odoo 17's _compute_qty_received (ret-26).
 */
export function qtyReceived(env: Env, lineId: number): number {
  return env.tx.ids('stock.move').reduce((total, id) => {
    const move = env.row('stock.move', id);
    if (move?.purchase_line_id !== lineId || move.state !== 'done') return total;
    const outgoing =
      env.value('stock.location', Number(move.location_dest_id), 'usage') === 'supplier';
    if (!outgoing) return total + num(move.quantity);
    return move.to_refund === true ? total - num(move.quantity) : total;
  }, 0);
}

/** What is left to bill: received (or, under the "ordered quantities" policy, ordered) less billed. */
function qtyToInvoice(env: Env, line: Row): number {
  const state = env.value('purchase.order', Number(line.order_id), 'state');
  if (state !== 'purchase' && state !== 'done') return 0;
  const onOrdered =
    typeof line.product_id === 'number' &&
    env.value('product.product', line.product_id, 'purchase_method') === 'purchase';
  const billable = onOrdered ? num(line.product_qty) : qtyReceived(env, Number(line.id));
  return billable - qtyInvoiced(env, Number(line.id));
}

function receiptStatus(env: Env, row: Row): string | false {
  const states = pickingsOf(env, row)
    .map((id) => env.value('stock.picking', Number(id), 'state'))
    .filter((state) => state !== 'cancel');
  if (states.length === 0) return false;
  if (states.every((state) => state === 'done')) return 'full';
  return states.some((state) => state === 'done') ? 'partial' : 'pending';
}

/** Odoo's _get_invoiced: something to bill (either sign) is "to invoice"; all billed with a bill is "invoiced". */
function invoiceStatus(env: Env, row: Row): string {
  if (row.state !== 'purchase' && row.state !== 'done') return 'no';
  const lines = linesOf(env, Number(row.id));
  if (lines.some((line) => Math.abs(qtyToInvoice(env, line)) > 1e-9)) return 'to invoice';
  return billsOf(env, row).length > 0 ? 'invoiced' : 'no';
}

/** The receipts (and backorders, vendor returns) of an order, in stock.picking's order. */
function pickingsOf(env: Env, row: Row): number[] {
  const stored = Array.isArray(row.picking_ids)
    ? row.picking_ids.filter((id): id is number => typeof id === 'number')
    : [];
  const linked = env.tx
    .ids('stock.picking')
    .filter((id) => env.row('stock.picking', id)?.purchase_id === row.id);
  return env.search('stock.picking', [['id', 'in', [...new Set([...stored, ...linked])]]]);
}

/** When the first receipt of the order was validated. */
function effectiveDate(env: Env, row: Row): string | false {
  const done = pickingsOf(env, row)
    .map((id) => env.row('stock.picking', Number(id)))
    .filter((picking) => picking?.state === 'done' && typeof picking.date_done === 'string')
    .map((picking) => String(picking?.date_done))
    .sort();
  return done[0] ?? false;
}

/** The vendor's pricelist line for a product (by template), the first by sequence. */
export function supplierInfoFor(
  env: Env,
  productId: number,
  partnerId?: number,
): (Row & { id: number }) | undefined {
  const template = env.value('product.product', productId, 'product_tmpl_id');
  const domain: unknown[] = [['product_tmpl_id', '=', template]];
  if (partnerId !== undefined) domain.push(['partner_id', '=', partnerId]);
  const [id] = env.search('product.supplierinfo', domain);
  return id === undefined ? undefined : { ...(env.row('product.supplierinfo', id) ?? {}), id };
}

/** Amounts and the planned date (the earliest line date) of an order after a line changed. */
export async function recomputeOrder(env: Env, orderId: number): Promise<void> {
  const lines = linesOf(env, orderId);
  const untaxed = roundMoney(
    lines.reduce((total, line) => total + num(line.product_qty) * num(line.price_unit), 0),
  );
  const tax = roundMoney(
    lines.reduce(
      (total, line) =>
        total +
        (Array.isArray(line.taxes_id) && line.taxes_id.length > 0
          ? roundMoney(num(line.product_qty) * num(line.price_unit) * TAX_RATE)
          : 0),
      0,
    ),
  );
  const dates = lines
    .map((line) => line.date_planned)
    .filter((date): date is string => typeof date === 'string')
    .sort();
  const vals: Record<string, unknown> = {
    amount_untaxed: untaxed,
    amount_tax: tax,
    amount_total: roundMoney(untaxed + tax),
  };
  if (dates[0] !== undefined) vals.date_planned = dates[0];
  await env.sudo().write('purchase.order', [orderId], vals);
}

function prepareLine(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
  const product = typeof vals.product_id === 'number' ? vals.product_id : undefined;
  const order =
    typeof vals.order_id === 'number' ? env.row('purchase.order', vals.order_id) : undefined;
  const info =
    product === undefined
      ? undefined
      : supplierInfoFor(
          env,
          product,
          typeof order?.partner_id === 'number' ? order.partner_id : undefined,
        );
  const price =
    info !== undefined
      ? num(info.price)
      : product === undefined
        ? 0
        : num(env.value('product.product', product, 'standard_price'));
  return {
    name: product === undefined ? false : env.displayName('product.product', product),
    product_uom: 1,
    taxes_id: [[6, 0, [PURCHASE_TAX]]],
    price_unit: price,
    qty_received_method: 'stock_moves',
    company_id: 1,
    sequence: 10,
    date_planned: typeof order?.date_planned === 'string' ? order.date_planned : env.nowString(),
    ...vals,
  };
}

export const purchaseModels: ModelDef[] = [
  defineModel({
    name: 'purchase.order',
    description: 'Purchase Order',
    order: 'priority desc, id desc',
    displayName: (_env, row) =>
      typeof row.partner_ref === 'string' && row.partner_ref !== ''
        ? `${String(row.name)} (${row.partner_ref})`
        : String(row.name ?? ''),
    fields: recordedFields('purchase.order', {
      order_line: { inverse: 'order_id' },
      picking_ids: { compute: pickingsOf },
      receipt_status: { compute: receiptStatus },
      invoice_status: { compute: invoiceStatus },
      incoming_picking_count: { compute: (env, row) => pickingsOf(env, row).length },
      effective_date: { compute: effectiveDate },
      invoice_ids: { compute: billsOf },
      invoice_count: { compute: (env, row) => billsOf(env, row).length },
    }),
    hooks: {
      prepareCreate: (env, vals) => ({
        state: 'draft',
        priority: '0',
        currency_id: 1,
        company_id: 1,
        user_id: env.uid,
        picking_type_id: RECEIPTS_TYPE,
        date_order: env.nowString(),
        date_planned: false,
        amount_untaxed: 0,
        amount_tax: 0,
        amount_total: 0,
        picking_ids: [],
        invoice_ids: [],
        ...vals,
        name:
          typeof vals.name === 'string'
            ? vals.name
            : `P${String(env.runtime.store.nextSequenceNumber('purchase.order')).padStart(5, '0')}`,
      }),
    },
    methods: { ...mailThreadMethods('purchase.order'), ...purchaseOrderMethods },
  }),
  defineModel({
    name: 'purchase.order.line',
    description: 'Purchase Order Line',
    order: 'order_id, sequence, id',
    fields: recordedFields('purchase.order.line', {
      move_ids: { inverse: 'purchase_line_id' },
      state: { compute: (env, row) => env.value('purchase.order', Number(row.order_id), 'state') },
      partner_id: {
        compute: (env, row) => env.value('purchase.order', Number(row.order_id), 'partner_id'),
      },
      currency_id: { compute: () => 1 },
      price_subtotal: {
        compute: (_env, row) => roundMoney(num(row.product_qty) * num(row.price_unit)),
      },
      price_tax: {
        compute: (_env, row) => roundMoney(num(row.product_qty) * num(row.price_unit) * TAX_RATE),
      },
      price_total: {
        compute: (_env, row) =>
          roundMoney(num(row.product_qty) * num(row.price_unit) * (1 + TAX_RATE)),
      },
      product_uom_qty: { compute: (_env, row) => num(row.product_qty) },
      qty_received: { compute: (env, row) => qtyReceived(env, Number(row.id)) },
      qty_invoiced: { compute: (env, row) => qtyInvoiced(env, Number(row.id)) },
      invoice_lines: { inverse: 'purchase_line_id' },
      qty_to_invoice: { compute: qtyToInvoice },
    }),
    hooks: {
      prepareCreate: prepareLine,
      afterCreate: (env, _id, vals) => recomputeOrder(env, Number(vals.order_id)),
      async afterWrite(env, ids, vals) {
        await followLineDates(env, ids, vals);
        const orders = new Set(
          ids.map((id) => Number(env.row('purchase.order.line', id)?.order_id)),
        );
        for (const order of orders) await recomputeOrder(env, order);
      },
    },
  }),
  defineModel({
    name: 'product.supplierinfo',
    description: 'Supplier Pricelist',
    order: 'sequence, min_qty desc, price, id',
    displayName: (env, row) =>
      typeof row.partner_id === 'number' ? env.displayName('res.partner', row.partner_id) : '',
    fields: recordedFields('product.supplierinfo', {
      currency_id: { default: () => 1 },
      company_id: { default: () => 1 },
      min_qty: { default: () => 0 },
      delay: { default: () => 1 },
      sequence: { default: () => 1 },
    }),
  }),
];
