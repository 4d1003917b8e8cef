/**
 * Vendor bills made from purchase orders (purchase.order action_create_invoice), as the
 * p2p fixtures recorded them (p2p-04, p2p-45..55) and Odoo 17's purchase module does it:
 * - only orders whose billing status is "to invoice" are billed; each line with a quantity
 *   to bill becomes a bill line: quantity = qty_to_invoice (received - billed, or ordered -
 *   billed under the "ordered quantities" control policy), price = the order line's price,
 *   name "<order>: <line>", purchase_line_id set, the line's taxes, the expense account;
 * - the bill is a draft in_invoice in the Vendor Bills journal: name "/", invoice_date
 *   false, invoice_date_due from the order's payment terms, invoice_origin the order's
 *   name, ref and payment_reference the vendor reference (partner_ref, or "");
 * - a bill whose total comes out negative (goods returned to the vendor, over-billed) is
 *   switched to a vendor refund (in_refund) with positive quantities (ret-27);
 * - the answer is the "Bills" window action with res_id the new move; its context is a
 *   string holding a Python dict literal (p2p-45).
 * An order line's billed quantity counts every bill line pointing at it whose bill is not
 * cancelled, drafts included (refunds subtract), as Odoo's _compute_qty_invoiced does.
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import type { Row } from '../orm/store.ts';
import { addBalancingLines, recomputeMoveTotals } from './invoice-lines.ts';

/** The demo chart's "600000 Expenses" account (p2p-47). */
export const EXPENSE_ACCOUNT = 30;

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** The bill lines (of bills and refunds) that point at an order line, in id order. */
export function billLinesOf(env: Env, lineId: number): number[] {
  return env.tx
    .ids('account.move.line')
    .filter((id) => env.row('account.move.line', id)?.purchase_line_id === lineId);
}

/** What is billed on an order line: its bill lines not cancelled, refunds subtracted. */
export function qtyInvoiced(env: Env, lineId: number): number {
  return billLinesOf(env, lineId).reduce((total, id) => {
    const line = env.row('account.move.line', id) ?? {};
    const move = env.row('account.move', Number(line.move_id)) ?? {};
    if (move.state === 'cancel') return total;
    if (move.move_type === 'in_invoice') return total + num(line.quantity);
    if (move.move_type === 'in_refund') return total - num(line.quantity);
    return total;
  }, 0);
}

/** The bills and refunds of an order: those holding a line of it, and any stored on the order. */
export function billsOf(env: Env, order: Row): number[] {
  const stored = toIds(Array.isArray(order.invoice_ids) ? order.invoice_ids : []);
  const lines = new Set(env.search('purchase.order.line', [['order_id', '=', order.id]]));
  const linked = env.tx
    .ids('account.move.line')
    .map((id) => env.row('account.move.line', id) ?? {})
    .filter((line) => lines.has(Number(line.purchase_line_id)))
    .map((line) => Number(line.move_id));
  return [...new Set([...stored, ...linked])].sort((a, b) => a - b);
}

/** The "Bills" window action as purchase.order.action_view_invoice returns it for one bill (p2p-45). */
function billsAction(moveId: number): Record<string, unknown> {
  return {
    id: 258,
    name: 'Bills',
    type: 'ir.actions.act_window',
    xml_id: 'account.action_move_in_invoice_type',
    help:
      '<p class="o_view_nocontent_smiling_face">\n                Create a vendor bill\n              </p><p>\n' +
      '                Create invoices, register payments and keep track of the discussions with your vendors.\n' +
      '              </p>\n            ',
    binding_model_id: false,
    binding_type: 'action',
    binding_view_types: 'list,form',
    display_name: 'Bills',
    view_id: [682, 'account.out.invoice.tree'],
    domain: "[('move_type', '=', 'in_invoice')]",
    context: "{'default_move_type': 'in_invoice', 'display_account_trust': True}",
    res_id: moveId,
    res_model: 'account.move',
    target: 'current',
    view_mode: 'tree,kanban,form,activity',
    mobile_view_mode: 'kanban',
    views: [
      [686, 'form'],
      [682, 'tree'],
      [false, 'kanban'],
      [false, 'activity'],
    ],
    limit: 80,
    groups_id: [],
    search_view_id: [689, 'account.invoice.select'],
    filter: false,
  };
}

function dueDate(env: Env, order: Row): string {
  const term =
    typeof order.payment_term_id === 'number'
      ? env.row('account.payment.term', order.payment_term_id)
      : undefined;
  return new Date(env.now().getTime() + num(term?.days) * 86_400_000).toISOString().slice(0, 10);
}

/** Creates the draft bill of one order for its lines with a quantity to bill; undefined when none has. */
async function billOrder(env: Env, orderId: number): Promise<number | undefined> {
  const sudo = env.sudo();
  const order: Row = { ...(sudo.row('purchase.order', orderId) ?? {}), id: orderId };
  if (sudo.value('purchase.order', orderId, 'invoice_status') !== 'to invoice') return undefined;
  const lines = sudo
    .search('purchase.order.line', [['order_id', '=', orderId]])
    .map((id) => ({ id, toBill: num(sudo.value('purchase.order.line', id, 'qty_to_invoice')) }))
    .filter((line) => Math.abs(line.toBill) > 1e-9);
  if (lines.length === 0) return undefined;
  const reference = typeof order.partner_ref === 'string' ? order.partner_ref : '';
  const bill = await sudo.create('account.move', {
    move_type: 'in_invoice',
    partner_id: order.partner_id,
    invoice_origin: order.name,
    ref: reference,
    payment_reference: reference,
    invoice_date_due: dueDate(sudo, order),
    invoice_payment_term_id: order.payment_term_id ?? false,
    currency_id: order.currency_id ?? 1,
  });
  for (const { id, toBill } of lines) {
    const line = sudo.row('purchase.order.line', id) ?? {};
    await sudo.create('account.move.line', {
      move_id: bill,
      display_type: 'product',
      name: `${String(order.name)}: ${String(line.name)}`,
      product_id: line.product_id ?? false,
      quantity: toBill,
      product_uom_id: line.product_uom ?? 1,
      price_unit: num(line.price_unit),
      discount: 0,
      tax_ids: [[6, 0, toIds(Array.isArray(line.taxes_id) ? line.taxes_id : [])]],
      account_id: EXPENSE_ACCOUNT,
      purchase_line_id: id,
    });
  }
  await addBalancingLines(sudo, bill);
  if (num(sudo.row('account.move', bill)?.amount_total) < 0) await switchToRefund(sudo, bill);
  return bill;
}

/** action_switch_move_type: a bill whose total is negative becomes a refund with positive quantities. */
async function switchToRefund(env: Env, billId: number): Promise<void> {
  env.tx.update('account.move', billId, { move_type: 'in_refund' });
  for (const id of env.search('account.move.line', [
    ['move_id', '=', billId],
    ['display_type', '=', 'product'],
  ])) {
    const quantity = num(env.row('account.move.line', id)?.quantity);
    env.tx.update('account.move.line', id, { quantity: -quantity });
  }
  await recomputeMoveTotals(env, billId);
}

export async function createBills(
  env: Env,
  idsArgument: unknown,
): Promise<Record<string, unknown>> {
  const bills: number[] = [];
  for (const id of toIds(idsArgument)) {
    const bill = await billOrder(env, id);
    if (bill !== undefined) bills.push(bill);
  }
  const [first] = bills;
  if (first === undefined)
    throw py.userError(
      'There is no invoiceable line. If a product has a control policy based on received quantity, please make sure that a quantity has been received.',
    );
  return billsAction(first);
}
