/**
 * What a purchase order does (purchase + purchase_stock), as the p2p fixtures show it:
 * - button_confirm returns true, also on an order already confirmed (nothing changes),
 *   and on an RFQ without lines (confirmed, no receipt). The state is written first, so
 *   a rule on purchase.order sends `picking_ids: []`; then the receipt WH/IN/... is
 *   created, its moves dated at the line dates and reserved at once (vendor stock is
 *   not tracked);
 * - button_cancel returns None (no `result` member) and refuses an order with a done
 *   receipt;
 * - action_create_invoice makes the vendor bill (purchase-bill.ts), or refuses an order
 *   with nothing received to bill.
 * Writing date_planned on a line (a vendor's new date) moves the moves' date_deadline
 * and the picking's, never their date nor scheduled_date.
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import type { MethodCall, ModelMethod } from '../orm/model.ts';
import { createBills } from './purchase-bill.ts';
import { assignPicking, cancelPicking, confirmPicking } from './stock-moves.ts';

const RECEIPTS_TYPE = 1;
const VENDORS = 4;
const STOCK = 8;

function isStockable(env: Env, productId: unknown): boolean {
  if (typeof productId !== 'number') return false;
  const type = env.value('product.product', productId, 'type');
  return type === 'product' || type === 'consu';
}

async function createReceipt(env: Env, orderId: number): Promise<void> {
  const sudo = env.sudo();
  const order = sudo.row('purchase.order', orderId) ?? {};
  const lines = sudo
    .search('purchase.order.line', [['order_id', '=', orderId]])
    .filter((id) => isStockable(sudo, sudo.row('purchase.order.line', id)?.product_id));
  if (lines.length === 0) return;
  const dates = lines
    .map((id) => sudo.row('purchase.order.line', id)?.date_planned)
    .filter((date): date is string => typeof date === 'string')
    .sort();
  const scheduled = dates[0] ?? env.nowString();
  const picking = await sudo.create('stock.picking', {
    picking_type_id: RECEIPTS_TYPE,
    location_id: VENDORS,
    location_dest_id: STOCK,
    partner_id: order.partner_id,
    origin: order.name,
    purchase_id: orderId,
    scheduled_date: scheduled,
    date_deadline: scheduled,
  });
  for (const lineId of lines) {
    const line = sudo.row('purchase.order.line', lineId) ?? {};
    const date = typeof line.date_planned === 'string' ? line.date_planned : scheduled;
    await sudo.withContext({ stock_internal_write: true }).create('stock.move', {
      name: line.name ?? false,
      origin: order.name,
      picking_id: picking,
      product_id: line.product_id,
      product_uom_qty: line.product_qty,
      quantity: 0,
      location_id: VENDORS,
      location_dest_id: STOCK,
      purchase_line_id: lineId,
      date,
      date_deadline: date,
      state: 'draft',
    });
  }
  await confirmPicking(sudo, picking);
  await assignPicking(sudo, picking);
}

async function confirmPurchases(env: Env, idsArgument: unknown): Promise<boolean> {
  for (const id of toIds(idsArgument)) {
    const state = String(env.row('purchase.order', id)?.state ?? '');
    if (state === '')
      throw py.missingError(
        `Record does not exist or has been deleted.\n(Record: purchase.order(${id},), User: ${env.uid})`,
      );
    if (state !== 'draft' && state !== 'sent') continue;
    await env.write('purchase.order', [id], { state: 'purchase', date_approve: env.nowString() });
    await createReceipt(env, id);
  }
  return true;
}

async function cancelPurchases(env: Env, idsArgument: unknown): Promise<undefined> {
  const ids = toIds(idsArgument);
  for (const id of ids) {
    const pickings = env.sudo().search('stock.picking', [['purchase_id', '=', id]]);
    if (pickings.some((picking) => env.sudo().row('stock.picking', picking)?.state === 'done')) {
      throw py.userError(
        `Unable to cancel purchase order ${String(env.row('purchase.order', id)?.name)} as some receptions have already been done.`,
      );
    }
  }
  for (const id of ids) {
    for (const picking of env.sudo().search('stock.picking', [
      ['purchase_id', '=', id],
      ['state', 'not in', ['done', 'cancel']],
    ]))
      await cancelPicking(env.sudo(), picking);
    await env.write('purchase.order', [id], { state: 'cancel' });
  }
  return undefined;
}

/** A vendor's new date on lines: the receipt moves' deadline follows, their planned date does not. */
export async function followLineDates(
  env: Env,
  lineIds: number[],
  vals: Record<string, unknown>,
): Promise<void> {
  if (typeof vals.date_planned !== 'string') return;
  const sudo = env.sudo().withContext({ stock_internal_write: true });
  const moves = sudo.search('stock.move', [
    ['purchase_line_id', 'in', lineIds],
    ['state', 'not in', ['done', 'cancel']],
  ]);
  if (moves.length === 0) return;
  await sudo.write('stock.move', moves, { date_deadline: vals.date_planned });
  const pickings = new Set(moves.map((move) => Number(sudo.row('stock.move', move)?.picking_id)));
  for (const picking of pickings) {
    const deadlines = sudo
      .search('stock.move', [['picking_id', '=', picking]])
      .map((move) => sudo.row('stock.move', move)?.date_deadline)
      .filter((date): date is string => typeof date === 'string')
      .sort();
    await sudo.write('stock.picking', [picking], { date_deadline: deadlines[0] ?? false });
  }
}

export const purchaseOrderMethods: Record<string, ModelMethod> = {
  button_confirm: (env: Env, { args }: MethodCall) => confirmPurchases(env, args[0]),
  button_cancel: (env: Env, { args }: MethodCall) => cancelPurchases(env, args[0]),
  action_create_invoice: (env: Env, { args }: MethodCall) => createBills(env, args[0]),
};
