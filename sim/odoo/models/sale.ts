/**
 * sale.order (Odoo 17's recorded schema) and sale.order.line. Amounts follow Odoo: a
 * line's subtotal is qty x price x (1 - discount), the demo tax (id 1) is 15% rounded
 * per line, and the order stores the sums (recomputed whenever its lines change).
 */
import { py } from '../errors.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { Row } from '../orm/store.ts';
import { roundHalfUp } from '../orm/wire.ts';
import { defineModel, recordedFields } from './define.ts';
import { mailThreadMethods } from './mail.ts';
import { cancelOrders, confirmOrders, createdMessage } from './sale-confirm.ts';

const TAX_RATE = 0.15;

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function linesOf(env: Env, orderId: number): Row[] {
  return env.tx
    .ids('sale.order.line')
    .map((id) => env.row('sale.order.line', id) ?? {})
    .filter((line) => line.order_id === orderId);
}

function pickingsOf(env: Env, orderId: number): Row[] {
  return env.tx
    .ids('stock.picking')
    .map((id) => env.row('stock.picking', id) ?? {})
    .filter((picking) => picking.sale_id === orderId);
}

function lineSubtotal(line: Row): number {
  return roundHalfUp(
    num(line.product_uom_qty) * num(line.price_unit) * (1 - num(line.discount) / 100),
    2,
  );
}

function lineTax(line: Row): number {
  return Array.isArray(line.tax_id) && line.tax_id.length > 0
    ? roundHalfUp(lineSubtotal(line) * TAX_RATE, 2)
    : 0;
}

/** Delivered = done outgoing moves of the line (flow-a-11), less done returns marked to_refund (ret-10). */
function qtyDelivered(env: Env, line: Row): number {
  return env.tx
    .ids('stock.move')
    .map((id) => env.row('stock.move', id) ?? {})
    .filter((move) => move.sale_line_id === line.id && move.state === 'done')
    .filter((move) => typeof move.origin_returned_move_id !== 'number' || move.to_refund === true)
    .reduce(
      (total, move) =>
        total +
        (typeof move.origin_returned_move_id === 'number'
          ? -num(move.quantity)
          : num(move.quantity)),
      0,
    );
}

function qtyInvoiced(env: Env, line: Row): number {
  return (
    env.tx
      .ids('account.move.line')
      .map((id) => env.row('account.move.line', id) ?? {})
      .filter((aml) => Array.isArray(aml.sale_line_ids) && aml.sale_line_ids.includes(line.id))
      .filter(
        (aml) =>
          typeof aml.move_id === 'number' &&
          env.row('account.move', aml.move_id)?.state !== 'cancel',
      )
      // A credit note counts negatively (ret-19).
      .reduce(
        (total, aml) =>
          total +
          (env.row('account.move', Number(aml.move_id))?.move_type === 'out_refund'
            ? -num(aml.quantity)
            : num(aml.quantity)),
        0,
      )
  );
}

/** A product invoiced on ordered quantities (a service such as a shipping charge), not on delivered ones. */
function invoicedAsOrdered(env: Env, line: Row): boolean {
  if (typeof line.product_id !== 'number') return false;
  const template = env.row('product.product', line.product_id)?.product_tmpl_id;
  return (
    typeof template === 'number' &&
    env.row('product.template', template)?.invoice_policy === 'order'
  );
}

/** As Odoo's _compute_qty_to_invoice: ordered (invoice policy "order") or delivered, less invoiced. */
function qtyToInvoice(env: Env, line: Row): number {
  const order = env.row('sale.order', Number(line.order_id));
  if (order?.state !== 'sale') return 0;
  const due = invoicedAsOrdered(env, line) ? num(line.product_uom_qty) : qtyDelivered(env, line);
  return due - qtyInvoiced(env, line);
}

function lineInvoiceStatus(env: Env, line: Row): string {
  if (env.row('sale.order', Number(line.order_id))?.state !== 'sale') return 'no';
  // Negative after a return (ret-10): a credit note is due.
  if (qtyToInvoice(env, line) !== 0) return 'to invoice';
  if (num(line.product_uom_qty) > 0 && qtyInvoiced(env, line) >= num(line.product_uom_qty))
    return 'invoiced';
  return 'no';
}

function orderInvoiceStatus(env: Env, row: Row): string {
  const statuses = linesOf(env, Number(row.id))
    .filter((line) => line.is_delivery !== true)
    .map((line) => lineInvoiceStatus(env, line));
  if (row.state !== 'sale' || statuses.length === 0) return 'no';
  if (statuses.some((status) => status === 'to invoice')) return 'to invoice';
  if (statuses.every((status) => status === 'invoiced')) return 'invoiced';
  return 'no';
}

function deliveryStatus(env: Env, row: Row): string | false {
  const pickings = pickingsOf(env, Number(row.id)).filter((picking) => picking.state !== 'cancel');
  if (pickings.length === 0) return false;
  if (pickings.every((picking) => picking.state === 'done')) return 'full';
  if (pickings.some((picking) => picking.state === 'done')) return 'partial';
  return 'pending';
}

function effectiveDate(env: Env, row: Row): string | false {
  const dates = pickingsOf(env, Number(row.id))
    .map((picking) => picking.date_done)
    .filter((date): date is string => typeof date === 'string');
  return dates.length === 0 ? false : ([...dates].sort()[0] ?? false);
}

/** Stores the order totals from its lines; runs after any line change. */
export async function recomputeOrderAmounts(env: Env, orderIds: Iterable<number>): Promise<void> {
  for (const orderId of new Set(orderIds)) {
    if (env.row('sale.order', orderId) === undefined) continue;
    const lines = linesOf(env, orderId);
    const untaxed = roundHalfUp(
      lines.reduce((total, line) => total + lineSubtotal(line), 0),
      2,
    );
    const tax = roundHalfUp(
      lines.reduce((total, line) => total + lineTax(line), 0),
      2,
    );
    await env.sudo().write('sale.order', [orderId], {
      amount_untaxed: untaxed,
      amount_tax: tax,
      amount_total: roundHalfUp(untaxed + tax, 2),
    });
  }
}

function partnerDefaults(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
  const name =
    typeof vals.name === 'string' && vals.name !== 'New'
      ? vals.name
      : `S${String(env.runtime.store.nextSequenceNumber('sale.order')).padStart(5, '0')}`;
  const partner = vals.partner_id;
  // Pricelist and warehouse come from onchanges in Odoo, not from defaults (default_get omits them).
  return {
    pricelist_id: 1,
    warehouse_id: 1,
    ...vals,
    name,
    partner_invoice_id: vals.partner_invoice_id ?? partner,
    partner_shipping_id: vals.partner_shipping_id ?? partner,
  };
}

export const saleOrderModel = defineModel({
  name: 'sale.order',
  description: 'Sales Order',
  order: 'date_order desc, id desc',
  displayName: (_env, row) => String(row.name ?? ''),
  fields: recordedFields('sale.order', {
    state: { default: () => 'draft' },
    date_order: { default: (env) => env.nowString() },
    company_id: { default: () => 1 },
    currency_id: { default: () => 1 },
    user_id: { default: (env) => env.uid },
    picking_policy: { default: () => 'direct' },
    order_line: { inverse: 'order_id' },
    picking_ids: {
      compute: (env, row) => env.sudo().search('stock.picking', [['sale_id', '=', row.id]]),
    },
    invoice_count: {
      compute: (_env, row) => (Array.isArray(row.invoice_ids) ? row.invoice_ids.length : 0),
    },
    invoice_status: { compute: orderInvoiceStatus },
    delivery_status: { compute: deliveryStatus },
    effective_date: { compute: effectiveDate },
    expected_date: {
      compute: (env, row) =>
        linesOf(env, Number(row.id)).length > 0 ? (row.date_order ?? false) : false,
    },
    delivery_set: {
      compute: (env, row) => linesOf(env, Number(row.id)).some((line) => line.is_delivery === true),
    },
    amount_undiscounted: { compute: (_env, row) => num(row.amount_untaxed) },
  }),
  hooks: {
    prepareCreate: partnerDefaults,
    afterCreate: (env, id) => createdMessage(env, id),
    async beforeUnlink(env, ids) {
      if (
        ids.some((id) => !['draft', 'cancel'].includes(String(env.row('sale.order', id)?.state)))
      ) {
        throw py.userError(
          'You can not delete a sent quotation or a confirmed sales order. You must first cancel it.',
        );
      }
      const lines = env.tx
        .ids('sale.order.line')
        .filter((line) => ids.includes(Number(env.row('sale.order.line', line)?.order_id)));
      if (lines.length > 0) await env.sudo().unlink('sale.order.line', lines);
    },
  },
  methods: {
    ...mailThreadMethods('sale.order'),
    action_confirm: (env, { args }) => confirmOrders(env, args[0]),
    action_cancel: (env, { args }) => cancelOrders(env, args[0]),
  },
});

function lineDefaults(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
  const product = typeof vals.product_id === 'number' ? vals.product_id : undefined;
  const out = { ...vals };
  if (product !== undefined && out.name === undefined)
    out.name = env.displayName('product.product', product);
  if (product !== undefined && out.price_unit === undefined)
    out.price_unit = env.value('product.product', product, 'list_price');
  return out;
}

const orderOf = (env: Env, ids: number[]) =>
  ids.map((id) => Number(env.row('sale.order.line', id)?.order_id));

export const saleOrderLineModel = defineModel({
  name: 'sale.order.line',
  description: 'Sales Order Line',
  order: 'order_id, sequence, id',
  displayName: (env, row) => {
    const order = env.row('sale.order', Number(row.order_id));
    const partner =
      typeof order?.partner_id === 'number'
        ? String(env.row('res.partner', order.partner_id)?.name ?? '')
        : '';
    return `${String(order?.name ?? '')} - ${String(row.name ?? '')} (${partner})`;
  },
  fields: {
    order_id: f.m2o('sale.order', 'Order Reference', { required: true }),
    sequence: f.int('Sequence', { default: () => 10 }),
    product_id: f.m2o('product.product', 'Product'),
    name: f.text('Description'),
    product_uom_qty: f.float('Quantity', { default: () => 1 }),
    product_uom: f.m2o('uom.uom', 'Unit of Measure', { default: () => 1 }),
    price_unit: f.float('Unit Price'),
    discount: f.float('Discount (%)'),
    tax_id: f.m2m('account.tax', 'Taxes', { default: () => [1] }),
    price_subtotal: f.money('Subtotal', { compute: (_env, row) => lineSubtotal(row) }),
    price_tax: f.float('Total Tax', { compute: (_env, row) => lineTax(row) }),
    price_total: f.money('Total', {
      compute: (_env, row) => roundHalfUp(lineSubtotal(row) + lineTax(row), 2),
    }),
    qty_delivered_method: f.selection(
      'Method to update delivered qty',
      [
        ['manual', 'Manual'],
        ['analytic', 'Analytic From Expenses'],
        ['stock_move', 'Stock Moves'],
      ],
      {
        compute: (env, row) =>
          typeof row.product_id === 'number' &&
          ['product', 'consu'].includes(
            String(env.value('product.product', row.product_id, 'type')),
          )
            ? 'stock_move'
            : 'manual',
      },
    ),
    qty_delivered: f.float('Delivery Quantity', { compute: qtyDelivered }),
    qty_invoiced: f.float('Invoiced Quantity', { compute: qtyInvoiced }),
    qty_to_invoice: f.float('Quantity To Invoice', { compute: qtyToInvoice }),
    invoice_status: f.selection(
      'Invoice Status',
      [
        ['upselling', 'Upselling Opportunity'],
        ['invoiced', 'Fully Invoiced'],
        ['to invoice', 'To Invoice'],
        ['no', 'Nothing to Invoice'],
      ],
      {
        compute: lineInvoiceStatus,
      },
    ),
    display_type: f.selection('Display Type', [
      ['line_section', 'Section'],
      ['line_note', 'Note'],
    ]),
    move_ids: f.o2m('stock.move', 'sale_line_id', 'Stock Moves'),
    is_delivery: f.bool('Is a Delivery'),
    state: f.selection(
      'Order Status',
      [
        ['draft', 'Quotation'],
        ['sent', 'Quotation Sent'],
        ['sale', 'Sales Order'],
        ['cancel', 'Cancelled'],
      ],
      {
        compute: (env, row) => env.row('sale.order', Number(row.order_id))?.state ?? false,
      },
    ),
    company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    currency_id: f.m2o('res.currency', 'Currency', { default: () => 1 }),
  },
  hooks: {
    prepareCreate: lineDefaults,
    afterCreate: (env, id) => recomputeOrderAmounts(env, orderOf(env, [id])),
    afterWrite: (env, ids) => recomputeOrderAmounts(env, orderOf(env, ids)),
  },
});
