/**
 * Confirming sale orders (sale + sale_stock): the order's state is written first, so
 * automation rules on sale.order fire with `picking_ids: []` as recorded, then the
 * delivery (WH/OUT/...) is created, confirmed and reserved, which fires the picking
 * rules. An order without lines is confirmed without a picking.
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { resolveXmlId } from './base.ts';
import { assignPicking, cancelPicking, confirmPicking } from './stock-moves.ts';

const DELIVERY_TYPE = 2;
const STOCK_LOCATION = 8;
const CUSTOMER_LOCATION = 5;

/** Odoo logs "Sales Order created" in the chatter unless tracking is disabled. */
export async function createdMessage(env: Env, orderId: number): Promise<void> {
  if (env.context.tracking_disable === true) return;
  const author = env.row('res.users', env.uid)?.partner_id ?? false;
  await env.sudo().create('mail.message', {
    body: '<p>Sales Order created</p>',
    message_type: 'notification',
    subtype_id: resolveXmlId(env, 'mail.mt_note')?.id ?? false,
    author_id: author,
    model: 'sale.order',
    res_id: orderId,
    record_name: env.displayName('sale.order', orderId),
  });
}

async function confirmedMessage(env: Env, orderId: number): Promise<void> {
  if (env.context.tracking_disable === true) return;
  const sudo = env.sudo();
  const message = await sudo.create('mail.message', {
    body: '',
    message_type: 'notification',
    subtype_id: resolveXmlId(env, 'sale.mt_order_confirmed')?.id ?? false,
    author_id: env.row('res.users', env.uid)?.partner_id ?? false,
    model: 'sale.order',
    res_id: orderId,
    record_name: env.displayName('sale.order', orderId),
  });
  await sudo.create('mail.tracking.value', {
    mail_message_id: message,
    old_value_char: 'Quotation',
    new_value_char: 'Sales Order',
  });
}

function isStockable(env: Env, productId: unknown): boolean {
  if (typeof productId !== 'number') return false;
  const type = env.value('product.product', productId, 'type');
  return type === 'product' || type === 'consu';
}

async function createDelivery(env: Env, orderId: number): Promise<void> {
  const sudo = env.sudo();
  const order = sudo.row('sale.order', orderId) ?? {};
  const lines = sudo.search('sale.order.line', [['order_id', '=', orderId]]).filter((id) => {
    const line = sudo.row('sale.order.line', id) ?? {};
    return (
      line.display_type !== 'line_section' &&
      line.display_type !== 'line_note' &&
      isStockable(sudo, line.product_id)
    );
  });
  if (lines.length === 0) return;
  const scheduled =
    typeof order.commitment_date === 'string' ? order.commitment_date : env.nowString();
  const picking = await sudo.create('stock.picking', {
    picking_type_id: DELIVERY_TYPE,
    location_id: STOCK_LOCATION,
    location_dest_id: CUSTOMER_LOCATION,
    partner_id: order.partner_shipping_id ?? order.partner_id,
    origin: order.name,
    sale_id: orderId,
    scheduled_date: scheduled,
    date_deadline: order.commitment_date ?? false,
    carrier_id: order.carrier_id ?? false,
  });
  for (const lineId of lines) {
    const line = sudo.row('sale.order.line', lineId) ?? {};
    await sudo.withContext({ stock_internal_write: true }).create('stock.move', {
      name: line.name ?? false,
      origin: order.name,
      picking_id: picking,
      product_id: line.product_id,
      product_uom_qty: line.product_uom_qty,
      quantity: 0,
      location_id: STOCK_LOCATION,
      location_dest_id: CUSTOMER_LOCATION,
      sale_line_id: lineId,
      date: scheduled,
      state: 'draft',
    });
  }
  await confirmPicking(sudo, picking);
  await assignPicking(sudo, picking);
}

export async function confirmOrders(env: Env, idsArgument: unknown): Promise<boolean> {
  const ids = toIds(idsArgument);
  const refused = ids.filter(
    (id) => !['draft', 'sent'].includes(String(env.row('sale.order', id)?.state)),
  );
  if (refused.length > 0) {
    const names = refused.map((id) => env.displayName('sale.order', id)).join(', ');
    throw py.userError(env.runtime.messages.notToConfirm(names));
  }
  for (const id of ids) {
    await env.write('sale.order', [id], { state: 'sale', date_order: env.nowString() });
    await confirmedMessage(env, id);
    await createDelivery(env, id);
  }
  return true;
}

/** action_cancel: cancels the deliveries not done yet, then the order. */
export async function cancelOrders(env: Env, idsArgument: unknown): Promise<boolean> {
  for (const id of toIds(idsArgument)) {
    const pickings = env.sudo().search('stock.picking', [
      ['sale_id', '=', id],
      ['state', 'not in', ['done', 'cancel']],
    ]);
    for (const picking of pickings) await cancelPicking(env.sudo(), picking);
    await env.write('sale.order', [id], { state: 'cancel' });
  }
  return true;
}
